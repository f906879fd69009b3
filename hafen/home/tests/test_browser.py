"""A real browser (Debian's chromium through Playwright) logs in as every demo role.

It also catches what only a browser notices: Content-Security-Policy violations
(the site sends a strict CSP without inline scripts or styles), console errors,
failed requests and error responses, and any request to a host other than Hafen's own.

Screenshots land in ``test-artifacts/`` (ignored by git).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import translation

from hafen.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from hafen.home.roles import ROLE_PAGES

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
ORGANISATION = "Beispiel-Träger e.V."
LOGIN_PATH = "/konto/anmelden/"
PHONE = {"width": 375, "height": 667}

# The CI sets HAFEN_REQUIRE_BROWSER=1: there a missing chromium fails instead of skipping.
if not CHROMIUM.exists() and os.environ.get("HAFEN_REQUIRE_BROWSER") != "1":
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright must not fetch a browser of its own; the background-networking flags keep
# chromium from calling home (outbound connections are refused in closed networks).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Report every CSP violation as a console error too, with the directive that was broken.
# Init scripts are injected by the browser itself, so the CSP does not block this one.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    "CSP violation: " + event.violatedDirective + " blocked " +
    (event.blockedURI || "inline") + " in " + event.sourceFile + ":" + event.lineNumber
  );
});
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Playwright's sync API keeps an event loop in this thread; the ORM calls of the
    # fixtures are still plain synchronous calls, made between browser steps.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Watched:
    """A browser context plus everything that went wrong or left the site in it."""

    def __init__(self, context: BrowserContext, origin: str) -> None:
        self.context = context
        self.host = urlsplit(origin).netloc
        self.problems: list[str] = []
        self.requests: list[str] = []
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.on("request", lambda request: self.requests.append(request.url))
        context.on(
            "requestfailed",
            lambda request: self.problems.append(
                f"request failed: {request.method} {request.url} ({request.failure})"
            ),
        )
        context.on(
            "response",
            lambda response: (
                response.status >= 400
                and self.problems.append(f"HTTP {response.status}: {response.url}")
            ),
        )
        context.on("page", self._watch)
        self.page = context.new_page()
        self.page.set_default_timeout(10_000)

    def _watch(self, page: Page) -> None:
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and self.problems.append(f"console error: {message.text} ({message.location})")
            ),
        )
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def external_requests(self) -> list[str]:
        """Requests to any host but the live server's (data: URLs stay in the page)."""
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme != "data" and urlsplit(url).netloc != self.host
        ]

    def assert_clean(self) -> None:
        # Late console messages of the last page arrive while the network settles.
        self.page.wait_for_load_state("networkidle")
        assert self.requests, "the browser made no request at all"
        assert self.problems == []
        assert self.external_requests() == []


def _watched(browser: Browser, live_server, **options) -> Watched:
    return Watched(browser.new_context(locale="de-DE", **options), live_server.url)


@pytest.fixture
def watched(browser: Browser, live_server) -> Iterator[Watched]:
    watched = _watched(browser, live_server)
    yield watched
    watched.context.close()


def _path(page: Page) -> str:
    return urlsplit(page.url).path


def _submit(page: Page, button: str) -> None:
    """Click a submit button and wait for the page the form leads to."""
    with page.expect_navigation():
        page.click(button)
    page.wait_for_load_state("networkidle")


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
