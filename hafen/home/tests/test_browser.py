"""A real browser (Debian's chromium through Playwright) logs in as every demo role.

It also catches what only a browser notices: Content-Security-Policy violations
(the site sends a strict CSP without inline scripts or styles), console errors,
failed requests and error responses, and any request to a host other than Hafen's own.

Screenshots land in ``test-artifacts/`` (ignored by git).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.utils import translation

from hafen.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from hafen.browser_fixtures import (
    ARTIFACTS,
    Watched,
    require_chromium,
    watch,
)
from hafen.browser_fixtures import path_of as _path
from hafen.browser_fixtures import submit as _submit
from hafen.home.roles import ROLE_PAGES

ORGANISATION = "Beispiel-Träger e.V."
LOGIN_PATH = "/konto/anmelden/"
PHONE = {"width": 375, "height": 667}

require_chromium()

from playwright.sync_api import Browser  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watched(browser: Browser, live_server, **options) -> Watched:
    return watch(browser, live_server.url, **options)


@pytest.fixture
def watched(browser: Browser, live_server) -> Iterator[Watched]:
    watched = _watched(browser, live_server)
    yield watched
    watched.context.close()


def _log_in(watched: Watched, base: str, username: str, password: str) -> None:
    page = watched.page
    response = page.goto(f"{base}{LOGIN_PATH}")
    assert response is not None and response.ok
    # The same strict policy the browser enforces below: nothing inline, nothing foreign.
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "style-src 'self'" in policy, policy
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    _submit(page, "main form button[type=submit]")


def _title(role: str) -> str:
    with translation.override("de"):
        return str(ROLE_PAGES[role].title)


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=[a.username for a in DEMO_ACCOUNTS])
def test_every_demo_role_logs_in_sees_its_start_page_and_logs_out(
    org, live_server, watched: Watched, account
) -> None:
    page = watched.page
    role = account.role.value

    _log_in(watched, live_server.url, account.username, DEMO_PASSWORD)

    # One role (the counsellor in two teams too): straight to that role's start page.
    assert _path(page) == f"/start/{role}/"
    heading = page.locator("main h1").inner_text()
    assert _title(role) in heading
    assert ORGANISATION in heading
    current = page.locator("header nav a[aria-current=page]")
    assert current.count() == 1
    assert current.get_attribute("href") == f"/start/{role}/"
    assert current.inner_text() == _title(role)
    if account.username == "fachkraft":
        teams = page.locator("main .card h3").all_inner_texts()
        assert sorted(teams) == ["Jugendberatung", "Streetwork"]

    _submit(page, "header form.logout button[type=submit]")

    assert _path(page) == LOGIN_PATH
    assert page.locator("input[name=username]").is_visible()
    assert "Sie sind abgemeldet." in page.locator("main .messages").inner_text()
    assert page.locator("header form.logout").count() == 0
    # The session is really over: the start page sends the browser back to the login.
    page.goto(f"{live_server.url}/start/{role}/")
    assert _path(page) == LOGIN_PATH
    watched.assert_clean()


def test_a_wrong_password_is_explained_on_the_login_page(
    org, live_server, watched: Watched
) -> None:
    page = watched.page

    _log_in(watched, live_server.url, "fachkraft", "nicht-das-passwort")

    assert _path(page) == LOGIN_PATH
    error = page.locator("main form .form-errors[role=alert]")
    assert error.is_visible()
    assert error.inner_text() == "Benutzername oder Passwort ist falsch."
    assert page.input_value("input[name=username]") == "fachkraft"
    assert page.locator("header form.logout").count() == 0
    watched.assert_clean()


def test_the_watcher_notices_a_csp_violation(org, live_server, watched: Watched) -> None:
    """The clean runs above mean something only if a violation would have been seen."""
    page = watched.page
    page.goto(f"{live_server.url}{LOGIN_PATH}")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "document.title = 'inline ran'";
          document.head.append(script);
        }"""
    )
    page.wait_for_timeout(200)

    assert page.title() != "inline ran"
    assert any("CSP violation: script-src" in problem for problem in watched.problems), (
        watched.problems
    )


def test_a_start_page_fits_a_phone(org, live_server, browser: Browser) -> None:
    watched = _watched(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True)
    page = watched.page

    _log_in(watched, live_server.url, "fachkraft", DEMO_PASSWORD)

    assert _path(page) == "/start/counsellor/"
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator("main h1").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "start-counsellor-phone.png"))
    page.screenshot(path=str(ARTIFACTS / "start-counsellor-phone-full.png"), full_page=True)
    watched.assert_clean()
    watched.context.close()


def test_language_switch_on_a_phone(org, live_server, browser: Browser) -> None:
    watched = _watched(browser, live_server, viewport=PHONE)
    _log_in(watched, live_server.url, "admin", DEMO_PASSWORD)
    page = watched.page

    page.select_option("#language", "en")
    _submit(page, "footer form.language button[type=submit]")

    assert page.locator("main h1").inner_text().startswith("Administration")
    assert "Manage staff and invitations" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "start-admin-phone.png"), full_page=True)
    watched.assert_clean()
    watched.context.close()


def test_an_invited_colleague_joins_and_turns_on_two_factor_login(
    org, live_server, browser: Browser
) -> None:
    from base64 import b32decode

    from django_otp.oath import totp

    admin = _watched(browser, live_server)
    _log_in(admin, live_server.url, "admin", DEMO_PASSWORD)
    admin.page.click("text=Mitarbeitende und Einladungen verwalten")
    admin.page.fill("input[name=display_name]", "Lena Vogel")
    admin.page.select_option("select[name=role]", "counsellor")
    admin.page.select_option("select[name=team]", label="Jugendhaus Nord · Jugendberatung")
    admin.page.click("text=Einladungslink erstellen")
    link = admin.page.locator("input.secret").input_value()
    assert "/konto/einladung/" in link

    newcomer = _watched(browser, live_server)
    page = newcomer.page
    page.goto(f"{live_server.url}{urlsplit(link).path}")
    page.fill("input[name=username]", "lvogel")
    page.fill("input[name=password1]", "Leuchtturm-am-Hafen-7")
    page.fill("input[name=password2]", "Leuchtturm-am-Hafen-7")
    _submit(page, "text=Mein Konto anlegen")
    assert _path(page) == "/start/counsellor/"

    page.click("nav >> text=Anmeldesicherheit")
    page.click("text=Zwei-Faktor-Anmeldung einrichten")
    assert page.locator(".qr svg").count() == 1
    secret = page.locator(".secret").inner_text().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("input[name=code]", f"{totp(key):06d}")
    _submit(page, "text=Einschalten")

    assert page.locator("ul.codes li").count() == 10
    admin.assert_clean()
    newcomer.assert_clean()
    admin.context.close()
    newcomer.context.close()
