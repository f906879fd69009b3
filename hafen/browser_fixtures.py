"""Shared pieces of the real-browser tests (Debian's chromium driven by Playwright).

A browser test catches what only a browser notices: Content-Security-Policy
violations (the site sends a strict CSP without inline scripts or styles), console
errors, failed requests and error responses, and any request to a host other than
Hafen's own. ``Watched`` records all of them for one browser context.

Test modules call ``require_chromium()`` before importing Playwright; the module-scoped
``browser`` fixture around ``launched_browser()`` lives in hafen/conftest.py, and
``logged_in()`` opens a watched context logged in through the login form.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import pytest
from django.db import connections

from hafen.accounts.demo import DEMO_PASSWORD
from hafen.lib.chromium import CHROMIUM, CHROMIUM_ARGS

if TYPE_CHECKING:
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        ConsoleMessage,
        Page,
        Request,
        Response,
    )

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
DEFAULT_TIMEOUT_MS = 10_000

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

T = TypeVar("T")


def require_chromium() -> None:
    """Skip the calling test module without Debian's chromium, except where it must run.

    The CI sets HAFEN_REQUIRE_BROWSER=1: there a missing chromium fails instead of skipping.
    """
    if not CHROMIUM.exists() and os.environ.get("HAFEN_REQUIRE_BROWSER") != "1":
        pytest.skip("Debian's chromium is not installed", allow_module_level=True)


@contextmanager
def launched_browser() -> Iterator[Browser]:
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls of the
    # fixtures are still plain synchronous calls, made between browser steps. Only
    # while the browser runs: subprocesses started by other tests never inherit it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
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
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.on("request", lambda request: self.requests.append(request.url))
        context.on(
            "requestfailed",
            self._request_failed,
        )
        context.on("response", self._response)
        context.on("page", self._watch)
        self.page = context.new_page()

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text} ({message.location})")

    def _request_failed(self, request: Request) -> None:
        # A background fetch (inbox.js refreshing a panel) or the browser's own favicon
        # request cut off because the page moves on is how browsers work, not a fault
        # (a missing favicon still shows as an error response); a page's own resources
        # must never fail.
        background = request.resource_type in ("fetch", "xhr") or urlsplit(
            request.url
        ).path.endswith("/favicon.svg")
        if background and request.failure == "net::ERR_ABORTED":
            return
        self.problems.append(f"request failed: {request.method} {request.url} ({request.failure})")

    def _watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def external_requests(self) -> list[str]:
        """Requests to any host but the server's (data: URLs stay in the page)."""
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme != "data" and urlsplit(url).netloc != self.host
        ]

    def unexpected_problems(self, expected: Iterable[str] = ()) -> list[str]:
        """Problems that match none of the ``expected`` patterns (regular expressions)."""
        patterns = [re.compile(pattern) for pattern in expected]
        return [p for p in self.problems if not any(pattern.search(p) for pattern in patterns)]

    def assert_clean(self, expected: Iterable[str] = ()) -> None:
        """Nothing went wrong but what a test provoked on purpose (``expected`` patterns)."""
        # Late console messages of the last page arrive while the network settles.
        self.page.wait_for_load_state("networkidle")
        assert self.requests, "the browser made no request at all"
        # Messages spelled out: this module is not rewritten by pytest's assert magic.
        unexpected = self.unexpected_problems(expected)
        assert unexpected == [], f"problems in the browser: {unexpected}"
        external = self.external_requests()
        assert external == [], f"requests to other hosts: {external}"


def watch(browser: Browser, origin: str, **options: Any) -> Watched:
    """A new German-speaking browser context on ``origin``, watched from its first page."""
    return Watched(browser.new_context(locale="de-DE", **options), origin)


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def submit(page: Page, button: str) -> None:
    """Click a submit button and wait for the page the form leads to."""
    with page.expect_navigation():
        page.click(button)
    page.wait_for_load_state("networkidle")


def logged_in(
    browser: Browser,
    base_url: str,
    username: str,
    *,
    password: str = DEMO_PASSWORD,
    **options: Any,
) -> Watched:
    """A new watched context (``options`` as for ``watch``), logged in through the form.

    Returns once the page the login leads to has loaded; it asserts nothing about it.
    """
    watched = watch(browser, base_url, **options)
    page = watched.page
    page.goto(f"{base_url}/konto/anmelden/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    submit(page, "main form button[type=submit]")
    return watched


# axe-core's serious and critical violations on the open page. Every rule of axe-core
# runs; none is switched off. axe-core must be on the page: the PyPI package
# axe-playwright-python ships it (AXE_SCRIPT), given to the context as an init script
# or evaluated in the page (the page's Content-Security-Policy applies to neither).
_RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => v.id + " (" + v.impact + ": " + v.help + ") " + JSON.stringify(
      v.nodes.slice(0, 4).map((n) => n.target.join(" ") + " " + n.html.slice(0, 160))));
}"""


# An id given twice that a label or an ARIA attribute points to: the browser takes the
# first element, so the second field has no name (axe-core retired its duplicate-id
# rules, as the ARIA 1.2 mapping made most of them harmless; these are not).
_DOUBLE_REFERENCED_IDS = """() => {
  const count = {};
  document.querySelectorAll("[id]").forEach((e) => { count[e.id] = (count[e.id] || 0) + 1; });
  const referenced = new Set();
  document.querySelectorAll("label[for]").forEach((label) => referenced.add(label.htmlFor));
  const aria = ["aria-labelledby", "aria-describedby", "aria-controls"];
  document.querySelectorAll(aria.map((a) => "[" + a + "]").join(",")).forEach((e) => {
    aria.forEach((a) => {
      (e.getAttribute(a) || "").split(/\\s+/).forEach((id) => id && referenced.add(id));
    });
  });
  return [...referenced].filter((id) => count[id] > 1);
}"""


def axe_barriers(page: Page) -> list[str]:
    """The serious and critical accessibility violations axe-core finds on ``page``, and
    ids that a label or ARIA reference points to but that the page holds twice."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        from axe_playwright_python.base import AXE_SCRIPT

        page.evaluate(AXE_SCRIPT)
    found: list[str] = page.evaluate(_RUN_AXE)
    for twice in page.evaluate(_DOUBLE_REFERENCED_IDS):
        found.append(f"an id that names a field is on the page twice (serious): {twice}")
    return found


def screenshot(page: Page, name: str, *, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)


def in_a_thread(work: Callable[[], T]) -> T:
    """Run ORM work that sends realtime events outside Playwright's event loop thread.

    The events go out through ``async_to_sync``, which refuses to run in a thread
    with a running event loop, as the Playwright thread has.
    """
    result: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(work())
        except BaseException as error:
            failure.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), "the database work did not end within 30 s"
    if failure:
        raise failure[0]
    return result[0]
