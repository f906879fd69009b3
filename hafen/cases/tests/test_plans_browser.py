"""A help plan in a real browser (Debian's chromium through Playwright): from the case
page to a plan started from a template, a goal with a measure, a review with a rating
drawn as the progress chart, the PDF downloaded, and the review in the to-do list.

The watcher fails the test on any CSP violation (the chart is inline SVG without a
single style attribute), console error, failed request or foreign request.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from hafen.browser_fixtures import (
    Watched,
    logged_in,
    require_chromium,
    screenshot,
    submit,
)
from hafen.cases import actions
from hafen.cases.models import Disclosure, Plan, ProgressRating, TemplateKind
from hafen.cases.validation import today

require_chromium()

from playwright.sync_api import Browser, expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def watched(browser: Browser, live_server, counsellor) -> Iterator[Watched]:
    watched = logged_in(browser, live_server.url, counsellor.username, accept_downloads=True)
    yield watched
    watched.context.close()


def test_a_counsellor_makes_a_plan_records_a_review_and_downloads_the_pdf(
    live_server, watched: Watched, case, counsellor, admin_user
) -> None:
    actions.create_template(
        admin_user,
        kind=TemplateKind.PLAN,
        title="Hilfeplan nach §36",
        body="Ausgangslage:\n\nSicht des Klienten:",
    )
    base, page = live_server.url, watched.page

    page.goto(f"{base}/faelle/{case.pk}/")
    submit(page, f'a[href="/faelle/plaene/neu/{case.pk}/"]')
    submit(page, "text=Hilfeplan nach §36")
    expect(page.locator("#id_situation")).to_have_value("Ausgangslage:\n\nSicht des Klienten:")
    page.fill("#id_title", "Hilfeplan Leon")
    page.fill("#id_participants", "Leon, Mutter")
    submit(page, "main form.stacked button[type=submit]")
    plan = Plan.objects.get()
    assert page.url == f"{base}/faelle/plaene/{plan.pk}/"

    page.fill("#id_wording", "Leon geht regelmäßig zur Schule.")
    page.fill("#id_target_on", (today() + timedelta(days=90)).isoformat())
    submit(page, 'form[action$="/ziele/"] button[type=submit]')
    goal = plan.goals.get()
    page.click(f"#ziel-{goal.pk} summary")
    page.fill(f"#id_massnahme-{goal.pk}-text", "Wecker stellen")
    page.check(f'input[name="massnahme-{goal.pk}-responsible"][value="client"]')
    submit(page, f"#ziel-{goal.pk} form button[type=submit]")
    expect(page.locator(f"#ziel-{goal.pk}")).to_contain_text("Wecker stellen")

    page.fill("#id_due_on", today().isoformat())
    submit(page, 'form[action$="/ueberpruefungen/"] button[type=submit]')
    submit(page, "#ueberpruefungen a")  # "Diese Überprüfung erfassen"
    page.select_option(f"#id_rating_{goal.pk}", "7")
    page.fill(f"#id_comment_{goal.pk}", "Nur ein Fehltag")
    screenshot(page, "cases-plan-review.png", full_page=True)
    submit(page, "main form button[type=submit]")
    assert ProgressRating.objects.get().rating == 7

    chart = page.locator("svg.progress-chart")
    expect(chart).to_be_visible()
    expect(page.locator("table.chart-table tbody td")).to_have_text("7")
    screenshot(page, "cases-plan.png", full_page=True)

    with page.expect_download() as download:
        page.click('form[action$="/pdf/"] button[type=submit]')
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert Disclosure.objects.filter(case=case, by=counsellor).count() == 1

    # A review due within two weeks shows in the start page's to-do list.
    actions.schedule_review(counsellor, plan, today() + timedelta(days=3))
    page.goto(f"{base}/start/counsellor/")
    expect(page.locator("#todo-panel-heading")).to_be_visible()
    expect(page.locator(f'a[href^="/faelle/plaene/{plan.pk}/#termin-"]')).to_be_visible()
    # A form post answered with an attachment becomes a download: chromium reports the
    # navigation it replaced as aborted. That is the download, not a fault.
    watched.assert_clean(expected=[r"request failed: POST \S+/pdf/ \(net::ERR_ABORTED\)"])
