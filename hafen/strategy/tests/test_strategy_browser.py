"""The strategy in a real browser (Debian's chromium, Playwright): leadership starts the
strategy, writes a measurable goal, sets the review date, signs it, and a counsellor sees
the signed strategy with the signer's name on the page and on the start page. The
watcher fails the test on CSP violations, console errors, failed requests and requests
to other hosts. The browser speaks German; selectors use names, not words."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hafen.browser_fixtures import (
    logged_in,
    path_of,
    require_chromium,
    screenshot,
    submit,
)
from hafen.strategy.models import Goal, StrategyVersion, VersionState

require_chromium()


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leadership_writes_goals_signs_and_a_counsellor_sees_the_signer(
    browser, live_server, leader, counsellor
) -> None:
    base = live_server.url
    boss = logged_in(browser, base, leader.username)
    page = boss.page
    # From the navigation to the strategy, and a first draft.
    page.click("header nav a[href='/strategie/']")
    page.goto(f"{base}/strategie/entwurf/")
    submit(page, "button[name=start]")
    assert path_of(page) == "/strategie/entwurf/"

    # A nonsense target is refused with the error summary; nothing is saved.
    page.click("a[href='/strategie/entwurf/teil/ziele/']")
    page.fill("#id_part-0-text", "Schnell antworten")
    page.select_option("#id_part-0-metric", "first_response_median_hours")
    page.select_option("#id_part-0-direction", "at_most")
    page.fill("#id_part-0-target", "-3")
    page.select_option("#id_part-0-period", "month")
    submit(page, "main form.stacked button[type=submit]")
    assert page.locator("#error-summary a[href='#id_part-0-target']").is_visible()
    assert page.locator("#id_part-0-target").get_attribute("aria-invalid") == "true"
    assert not Goal.objects.exists()
    # Corrected, the goal is saved.
    page.fill("#id_part-0-target", "24")
    submit(page, "main form.stacked button[type=submit]")
    assert path_of(page) == "/strategie/entwurf/", page.locator("main").inner_text()
    assert page.get_by_text("Schnell antworten").first.is_visible()

    page.click("a[href='/strategie/entwurf/teil/grundlagen/']")
    review = (timezone.localdate() + timedelta(days=120)).isoformat()
    page.fill("#id_review_on", review)
    page.fill("#id_budget", "1500")
    submit(page, "main form.stacked button[type=submit]")
    assert path_of(page) == "/strategie/entwurf/"

    submit(page, "#sign-form button[name=sign]")
    assert path_of(page) == "/strategie/"
    assert page.locator("#signature").get_by_text(leader.display_name).is_visible()
    version = StrategyVersion.objects.get()
    assert version.state == VersionState.SIGNED and version.signed_by == leader
    boss.assert_clean(
        expected=[r"^HTTP 400: .*/teil/ziele/$", r"status of 400 \(Bad Request\).*/teil/ziele/'"]
    )
    boss.context.close()

    # A counsellor, on a phone, sees the signed strategy and who signed it.
    colleague = logged_in(
        browser, base, counsellor.username, viewport={"width": 375, "height": 740}
    )
    page = colleague.page
    page.goto(f"{base}/start/")
    panel = page.locator("#panel-strategy").locator("..")
    assert panel.get_by_text(leader.display_name).is_visible()
    panel.locator("a[href='/strategie/']").click()
    page.wait_for_load_state("networkidle")
    assert path_of(page) == "/strategie/"
    assert page.locator("#signature").get_by_text(leader.display_name).is_visible()
    assert page.get_by_text("Schnell antworten").first.is_visible()
    # Nothing wider than the phone's screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    screenshot(page, "strategy-signed-phone.png", full_page=True)
    colleague.assert_clean()
    colleague.context.close()
