"""The network's main flow in a real browser (Debian's chromium, Playwright): a counsellor
adds a partner organisation from the navigation, refers a client from the case file
with the consent recorded in the same form, and sees the referral in the case history.
The watcher fails the test on CSP violations, console errors, failed requests and
requests to other hosts."""

from __future__ import annotations

import pytest

from hafen.accounts.models import Team
from hafen.browser_fixtures import (
    logged_in,
    path_of,
    require_chromium,
    screenshot,
    submit,
)
from hafen.cases.tests.conftest import open_case
from hafen.network.models import Partner, Referral
from hafen.privacy.consent.models import ConsentRecord

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_counsellor_adds_a_partner_and_refers_a_client_with_consent(
    browser, live_server, counsellor
) -> None:
    base = live_server.url
    case = open_case(counsellor, Team.objects.get(slug="jugendberatung"), name="Leon Krause")
    watched = logged_in(browser, base, counsellor.username)
    page = watched.page

    # The network is in the main navigation (German UI).
    with page.expect_navigation():
        page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
            "link", name="Netzwerk"
        ).click()
    assert path_of(page) == "/netzwerk/"
    with page.expect_navigation():
        page.locator("main a.button").click()
    # An empty name is refused with a message beside the field.
    submit(page, "main form.stacked button[type=submit]")
    assert page.locator(".field-error .error").first.is_visible()
    page.fill("input[name=name]", "Schuldnerberatung Nord")
    page.fill("input[name=services]", "Schuldnerberatung, P-Konto")
    page.fill("input[name=languages]", "Deutsch, Türkisch")
    submit(page, "main form.stacked button[type=submit]")
    partner = Partner.objects.get()
    assert path_of(page) == f"/netzwerk/partner/{partner.pk}/"

    # From the case file to the referral form; no consent stands yet.
    page.goto(f"{base}/faelle/{case.pk}/")
    with page.expect_navigation():
        page.locator("section[aria-labelledby=vermittlungen] a").last.click()
    assert path_of(page) == f"/netzwerk/vermittlung/fall/{case.pk}/"
    page.select_option("select[name=partner]", str(partner.pk))
    page.fill("textarea[name=passed_on]", "Schulden bei zwei Mobilfunkanbietern.")
    # The consent, chosen by keyboard: focus the first option, arrow to "verbally".
    page.locator("input[name=consent_method]").first.focus()
    page.keyboard.press("ArrowDown")
    assert page.locator("input[name=consent_method][value=verbal]").is_checked()
    submit(page, "main form.stacked button[type=submit]")

    assert path_of(page) == f"/faelle/{case.pk}/"
    history = page.locator("section[aria-labelledby=vermittlungen]")
    assert "Schuldnerberatung Nord" in history.inner_text()
    assert "Schulden bei zwei Mobilfunkanbietern." in history.inner_text()
    assert ConsentRecord.objects.get().method == "verbal"
    assert Referral.objects.get().partner == partner
    screenshot(page, "network-referral.png", full_page=True)
    watched.assert_clean(expected=[r"400.*/netzwerk/partner/neu/"])
    watched.context.close()
