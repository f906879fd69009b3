"""Consent in a real browser (Debian's chromium, Playwright): the DPO publishes a new
version of the documentation consent, and a counsellor records a client's written
consent on a case page against it, without any script. The watcher fails the test on
CSP violations, console errors, failed requests and requests to other hosts."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hafen.accounts.models import Team, User
from hafen.browser_fixtures import (
    logged_in,
    path_of,
    require_chromium,
    submit,
)
from hafen.cases.tests.conftest import open_case
from hafen.privacy.consent.models import ConsentRecord, ConsentText

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dpo_publishes_a_version_and_a_counsellor_records_consent_against_it(
    browser, live_server, org, dpo, counsellor
) -> None:
    base = live_server.url
    youth = Team.objects.select_related("facility").get(slug="jugendberatung")
    case = open_case(counsellor, youth, pseudonym="Leon K.")

    # The DPO: start page → overview → the form, prefilled with Hafen's default.
    officer = logged_in(browser, base, dpo.username)
    page = officer.page
    page.goto(f"{base}/start/dpo/")
    page.get_by_role("link", name="Einwilligungen und Datenschutzhinweise").click()
    page.wait_for_load_state("networkidle")
    assert path_of(page) == "/datenschutz/einwilligungen/"
    page.click("a[href='/datenschutz/einwilligungen/dokumentation/neu/']")
    page.wait_for_load_state("networkidle")
    german = page.locator("textarea[name=body_de]")
    assert "Beispiel-Träger e.V." in german.input_value()
    german.fill("Ich bin einverstanden, dass eine Fallakte über meine Beratung geführt wird.")
    submit(page, "main form button[type=submit]")
    assert path_of(page) == "/datenschutz/einwilligungen/dokumentation/1/"
    assert page.get_by_text("Fassung 1 ist veröffentlicht und gilt ab jetzt.").is_visible()
    officer.assert_clean()
    officer.context.close()
    version = ConsentText.objects.get(kind="documentation")
    assert version.published_by == User.objects.get(pk=dpo.pk)

    # The counsellor: the case page, the consent form behind its summary, no script.
    staff = logged_in(browser, base, counsellor.username)
    page = staff.page
    page.goto(f"{base}/faelle/{case.pk}/")
    state = page.locator("[data-testid=consent-dokumentation]")
    assert state.inner_text() == "Einwilligung zur Dokumentation: keine erfasst"
    page.get_by_text("Einwilligung zur Dokumentation: Einwilligung erfassen").click()
    form = page.locator(
        f"form[action='/datenschutz/einwilligungen/fall/{case.pk}/dokumentation/erfassen/']"
    )
    assert form.locator("select[name=number]").input_value() == "1"
    form.get_by_label("schriftlich").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert path_of(page) == f"/faelle/{case.pk}/"
    today = timezone.localdate().strftime("%d.%m.%Y")
    assert state.inner_text() == (
        f"Einwilligung zur Dokumentation: erteilt am {today}, Fassung 1, schriftlich"
    )
    staff.assert_clean()
    staff.context.close()
    record = ConsentRecord.objects.get(case=case)
    assert (record.version_id, record.method) == (version.pk, "written")
