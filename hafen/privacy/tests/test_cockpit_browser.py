"""The data-protection officer's day in a real browser (Debian's chromium, Playwright):
from the start page into the cockpit, verify the audit log, find who read a case file,
put a legal hold on it and lift it again; and a counsellor who meets a restricted file
states the purpose before reading it. German interface, desktop and phone; the watcher
fails the test on CSP violations, console errors, failed requests and other hosts."""

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
from hafen.cases.tests.conftest import entry, open_case
from hafen.privacy.models import AuditEntry
from hafen.privacy.retention import actions
from hafen.privacy.retention.models import LegalHold, RestrictedRead

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 667}
SECRET = "Leon erzählt vom Streit mit dem Vater"


@pytest.fixture
def case(counsellor):
    made = open_case(counsellor, Team.objects.get(slug="jugendberatung"), name="Leon Krause")
    entry(counsellor, made, SECRET)
    return made


@pytest.mark.parametrize("screen", [None, PHONE], ids=["desktop", "phone"])
def test_the_dpo_checks_the_log_finds_the_readers_and_holds_a_file(
    browser, live_server, case, counsellor, dpo, screen
) -> None:
    # The counsellor read the file once: that is what the DPO will find.
    reader = logged_in(browser, live_server.url, counsellor.username)
    reader.page.goto(f"{live_server.url}/faelle/{case.pk}/")
    assert reader.page.get_by_text(SECRET).is_visible()
    reader.assert_clean()
    reader.context.close()

    watched = logged_in(browser, live_server.url, dpo.username, viewport=screen)
    page = watched.page
    page.get_by_role("link", name="Datenschutz-Cockpit").click()
    assert path_of(page) == "/datenschutz/"
    page.get_by_role("button", name="Protokoll jetzt prüfen").click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/datenschutz/")
    assert page.get_by_text("Bei der letzten Prüfung").first.is_visible()
    assert page.get_by_text("unversehrt").first.is_visible()

    page.get_by_role("link", name="Protokoll durchsuchen").first.click()
    page.select_option("select[name=record_kind]", "case")
    page.fill("input[name=record]", case.reference)
    submit(page, "main form button[type=submit]")
    assert page.get_by_text("case.read").first.is_visible()
    assert page.get_by_role("cell", name=counsellor.username).first.is_visible()
    assert SECRET not in page.content()

    page.goto(f"{live_server.url}/datenschutz/aufbewahrung/")
    page.fill("input[name=reference]", case.reference)
    submit(page, "form[action='/datenschutz/fall/'] button[type=submit]")
    assert path_of(page) == f"/datenschutz/fall/{case.pk}/"
    page.fill("textarea[name=hold-reason]", "Verfahren vor dem Sozialgericht anhängig")
    submit(page, f"form[action='/datenschutz/fall/{case.pk}/sperre/'] button[type=submit]")
    assert page.get_by_text("Die Löschsperre ist gesetzt.").is_visible()
    assert page.get_by_text("Es besteht eine Löschsperre.").is_visible()
    assert LegalHold.objects.filter(case=case, lifted_at__isnull=True).exists()
    screenshot(page, f"privacy-case-{'phone' if screen else 'desktop'}.png", full_page=True)
    page.get_by_role("button", name="Sperre aufheben").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Die Löschsperre ist aufgehoben.").is_visible()
    assert not LegalHold.objects.filter(case=case, lifted_at__isnull=True).exists()

    page.get_by_role("link", name="Wer diese Akte gelesen oder geändert hat").click()
    assert page.get_by_role("cell", name=counsellor.username).first.is_visible()
    assert SECRET not in page.content()
    watched.assert_clean()
    watched.context.close()


def test_a_counsellor_states_the_purpose_before_reading_a_restricted_file(
    browser, live_server, case, counsellor, dpo
) -> None:
    actions.restrict_processing(dpo, case, "Der Klient bestreitet die Richtigkeit.")
    watched = logged_in(browser, live_server.url, counsellor.username, viewport=PHONE)
    page = watched.page
    page.goto(f"{live_server.url}/faelle/")
    assert page.get_by_text("Verarbeitung eingeschränkt").first.is_visible()
    page.click(f"a[href='/faelle/{case.pk}/']")
    assert path_of(page) == f"/datenschutz/eingeschraenkt/{case.pk}/"
    assert SECRET not in page.content()
    page.fill("textarea[name=reason]", "kurz")
    submit(page, "main form button[type=submit]")
    assert page.get_by_text("mindestens 10 Zeichen").first.is_visible()
    page.fill("textarea[name=reason]", "Anfrage des Familiengerichts vom 2. Dezember")
    submit(page, "main form button[type=submit]")
    assert path_of(page) == f"/faelle/{case.pk}/"
    assert page.get_by_text(SECRET).is_visible()
    assert RestrictedRead.objects.filter(case=case, user=counsellor).exists()
    assert AuditEntry.objects.filter(action="retention.restricted_read").exists()
    # The first, refused form answered 400: the watcher expects exactly that.
    watched.assert_clean(
        expected=[
            r"HTTP 400: .*/datenschutz/eingeschraenkt/",
            r"console error: .*status of 400 .*/datenschutz/eingeschraenkt/",
        ]
    )
    watched.context.close()
