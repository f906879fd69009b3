"""Consent in a real browser (Debian's chromium, Playwright): the DPO publishes a new
version of the documentation consent, and a counsellor records a client's written
consent on a case page against it, without any script. The watcher fails the test on
CSP violations, console errors, failed requests and requests to other hosts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import timezone

from hafen.accounts.demo import DEMO_PASSWORD
from hafen.accounts.models import Team, User
from hafen.browser_fixtures import (
    Watched,
    launched_browser,
    path_of,
    require_chromium,
    submit,
    watch,
)
from hafen.cases.tests.conftest import open_case
from hafen.privacy.consent.models import ConsentRecord, ConsentText

require_chromium()

from playwright.sync_api import Browser  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_browser() as browser:
        yield browser


def _log_in(browser: Browser, live_server, username: str) -> Watched:
    watched = watch(browser, live_server.url)
    page = watched.page
    page.goto(f"{live_server.url}/konto/anmelden/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    submit(page, "main form button[type=submit]")
    return watched


def test_the_dpo_publishes_a_version_and_a_counsellor_records_consent_against_it(
    browser, live_server, org, dpo, counsellor
) -> None:
    base = live_server.url
    youth = Team.objects.select_related("facility").get(slug="jugendberatung")
    case = open_case(counsellor, youth, pseudonym="Leon K.")

    # The DPO: start page → overview → the form, prefilled with Hafen's default.
    officer = _log_in(browser, live_server, dpo.username)
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
    staff = _log_in(browser, live_server, counsellor.username)
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
