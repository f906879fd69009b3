"""A real browser (Debian's chromium through Playwright) logs in as every demo role.

It also catches what only a browser notices: Content-Security-Policy violations,
failed requests, and any request to a host other than Hafen's own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from hafen.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

if not CHROMIUM.exists() and os.environ.get("HAFEN_REQUIRE_BROWSER") != "1":
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Playwright's sync API keeps an event loop in this thread; the ORM calls of the
    # fixtures are still plain synchronous calls, made between browser steps.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Watched:
    """A page plus everything that went wrong or left the site while it was open."""

    def __init__(self, page: Page, origin: str) -> None:
        self.page = page
        self.problems: list[str] = []
        host = urlsplit(origin).netloc
        page.on(
            "console",
            lambda message: message.type == "error" and self.problems.append(message.text),
        )
        page.on("pageerror", lambda error: self.problems.append(str(error)))
        page.on("requestfailed", lambda request: self.problems.append(f"failed {request.url}"))
        page.on(
            "request",
            lambda request: (
                urlsplit(request.url).netloc not in (host, "")
                and not request.url.startswith("data:")
                and self.problems.append(f"external request {request.url}")
            ),
        )


@pytest.fixture
def watched(browser: Browser, live_server) -> Iterator[Watched]:
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Watched(page, live_server.url)
    context.close()


def _log_in(watched: Watched, base: str, username: str, password: str) -> None:
    page = watched.page
    page.goto(f"{base}/konto/anmelden/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=[a.username for a in DEMO_ACCOUNTS])
def test_every_demo_role_logs_in_sees_its_start_page_and_logs_out(
    org, live_server, watched: Watched, account
) -> None:
    page = watched.page

    _log_in(watched, live_server.url, account.username, DEMO_PASSWORD)

    assert urlsplit(page.url).path == f"/start/{account.role.value}/"
    heading = page.locator("h1").inner_text()
    assert "Beispiel-Träger e.V." in heading
    current = page.locator("nav a[aria-current=page]")
    assert current.count() == 1 and current.get_attribute("href") == f"/start/{account.role.value}/"

    page.click("header form.logout button")
    page.wait_for_load_state("networkidle")
    assert urlsplit(page.url).path == "/konto/anmelden/"
    assert "Sie sind abgemeldet." in page.content()
    assert watched.problems == []


def test_a_wrong_password_is_explained_on_the_login_page(
    org, live_server, watched: Watched
) -> None:
    _log_in(watched, live_server.url, "fachkraft", "nicht-das-passwort")

    assert urlsplit(watched.page.url).path == "/konto/anmelden/"
    assert "Benutzername oder Passwort ist falsch." in watched.page.content()
    assert watched.problems == []


def test_language_switch_and_phone_screenshot(org, live_server, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 667}, locale="de-DE")
    watched = Watched(context.new_page(), live_server.url)
    _log_in(watched, live_server.url, "admin", DEMO_PASSWORD)
    page = watched.page

    page.select_option("#language", "en")
    page.click("footer form.language button")
    page.wait_for_load_state("networkidle")

    assert page.locator("h1").inner_text().startswith("Administration")
    assert "Manage staff and invitations" in page.content()
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "start-admin-phone.png"), full_page=True)
    assert watched.problems == []
    context.close()


def test_an_invited_colleague_joins_and_turns_on_two_factor_login(
    org, live_server, browser: Browser
) -> None:
    from base64 import b32decode

    from django_otp.oath import totp

    admin_context = browser.new_context(locale="de-DE")
    admin = Watched(admin_context.new_page(), live_server.url)
    _log_in(admin, live_server.url, "admin", DEMO_PASSWORD)
    admin.page.click("text=Mitarbeitende und Einladungen verwalten")
    admin.page.fill("input[name=display_name]", "Lena Vogel")
    admin.page.select_option("select[name=role]", "counsellor")
    admin.page.select_option("select[name=team]", label="Jugendhaus Nord · Jugendberatung")
    admin.page.click("text=Einladungslink erstellen")
    link = admin.page.locator("input.secret").input_value()
    assert "/konto/einladung/" in link

    newcomer_context = browser.new_context(locale="de-DE")
    newcomer = Watched(newcomer_context.new_page(), live_server.url)
    page = newcomer.page
    page.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    page.fill("input[name=username]", "lvogel")
    page.fill("input[name=password1]", "Leuchtturm-am-Hafen-7")
    page.fill("input[name=password2]", "Leuchtturm-am-Hafen-7")
    page.click("text=Mein Konto anlegen")
    page.wait_for_load_state("networkidle")
    assert urlsplit(page.url).path == "/start/counsellor/"

    page.click("nav >> text=Anmeldesicherheit")
    page.click("text=Zwei-Faktor-Anmeldung einrichten")
    assert page.locator(".qr svg").count() == 1
    secret = page.locator(".secret").inner_text().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("input[name=code]", f"{totp(key):06d}")
    page.click("text=Einschalten")
    page.wait_for_load_state("networkidle")

    assert page.locator("ul.codes li").count() == 10
    assert admin.problems == [] and newcomer.problems == []
    admin_context.close()
    newcomer_context.close()
