"""A post from draft to the public news page in a real browser (Debian's chromium, Playwright).

Communications staff draft a post and submit it, leadership approves it, the worker
publishes it, and anybody sees it on the news page and in the feed. The watcher fails
the test on CSP violations, console errors, failed requests and requests to other hosts.
"""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from hafen.accounts.models import Team
from hafen.browser_fixtures import (
    logged_in,
    path_of,
    require_chromium,
    screenshot,
    submit,
    watch,
)
from hafen.cases.tests.conftest import open_case
from hafen.publishing.actions import delivering
from hafen.publishing.models import Post, PostState

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_post_goes_from_draft_through_approval_to_the_news_page_and_feed(
    browser, live_server, comms, counsellor, leader, news
) -> None:
    base = live_server.url
    # A client of the organisation, known from a case file.
    open_case(counsellor, Team.objects.get(slug="jugendberatung"), name="Leon Krause")

    # Communications staff draft a post that names the client and his age ...
    author = logged_in(browser, base, comms.username)
    page = author.page
    page.goto(f"{base}/oeffentlichkeit/neu/")
    page.fill("input[name=title]", "Offene Sprechstunde am Donnerstag")
    page.fill(
        "textarea[name=text]",
        "Leon Krause (17) war jeden Donnerstag da und hat jetzt seinen Abschluss!",
    )
    page.check(f"input[name=channels][value='{news.pk}']")
    submit(page, "main form.stacked button[type=submit]")
    post = Post.objects.get()
    assert path_of(page) == f"/oeffentlichkeit/{post.pk}/"
    # ... see the findings marked in the text and the high risk ...
    assert page.get_by_text("Risiko: hoch").first.is_visible()
    marked = page.locator("p.marked mark").all_inner_texts()
    assert {"Leon", "Krause"} <= set(" ".join(marked).split())
    assert any("17" in text for text in marked)
    # ... and rewrite it without them.
    page.goto(f"{base}/oeffentlichkeit/{post.pk}/bearbeiten/")
    page.fill("textarea[name=text]", "Jeden Donnerstag von 14 bis 17 Uhr, ohne Termin.")
    submit(page, "main form.stacked button[type=submit]")
    # An event's time may stay (a low finding); nothing that points at a person does.
    assert page.get_by_text("Risiko: hoch").count() == 0
    assert "Leon" not in " ".join(page.locator("p.marked mark").all_inner_texts())
    submit(page, "form[action$='/einreichen/'] button[type=submit]")
    assert Post.objects.get().state == PostState.SUBMITTED
    # The author sees no approve button on the own post.
    assert page.locator("button[name=decision]").count() == 0
    author.assert_clean()
    author.context.close()

    # Leadership approves exactly the version shown.
    approver = logged_in(browser, base, leader.username)
    page = approver.page
    page.goto(f"{base}/oeffentlichkeit/{post.pk}/")
    submit(page, "button[name=decision][value=approve]")
    assert Post.objects.get().state == PostState.APPROVED
    screenshot(page, "publishing-approved.png", full_page=True)
    approver.assert_clean()
    approver.context.close()

    # The worker publishes; anybody reads it on the news page and in the feed.
    assert delivering.publish_due() == 1
    visitor = watch(browser, base)
    page = visitor.page
    page.goto(f"{base}/n/beispiel-traeger/")
    page.get_by_role("link", name="Offene Sprechstunde am Donnerstag").click()
    page.wait_for_load_state("networkidle")
    assert path_of(page) == f"/n/beispiel-traeger/{post.pk}/"
    assert page.get_by_text("Jeden Donnerstag von 14 bis 17 Uhr, ohne Termin.").is_visible()
    feed = page.request.get(f"{base}/n/beispiel-traeger/rss/")
    assert feed.ok
    items = ElementTree.fromstring(feed.body()).findall("channel/item")  # noqa: S314 (our feed)
    assert [item.findtext("title") for item in items] == ["Offene Sprechstunde am Donnerstag"]
    visitor.assert_clean()
    visitor.context.close()
