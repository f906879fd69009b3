"""The client door and the inbox with the keyboard alone: Tab, Shift+Tab, Enter, Space, typing.

Nothing is clicked. Each step tabs to the next control and asserts on the way that the
focused element shows a focus ring (an outline or a box shadow, drawn and on screen),
and that the stops come in a sensible order: what a person needs first comes first.
The server is a real ``hafen run`` (websockets included), as in test_browser_chat.py.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from hafen.accounts.demo import DEMO_PASSWORD
from hafen.browser_fixtures import Watched, axe_barriers, in_a_thread, path_of, require_chromium
from hafen.conversations.models import Conversation, State
from hafen.conversations.tests.conftest import start_conversation
from hafen.conversations.tests.servers import Server
from hafen.conversations.tests.test_browser_chat import (  # noqa: F401 (fixtures)
    TEAM,
    _exit_url,
    argon2_demo_password,
    server,
)

require_chromium()

from playwright.sync_api import Browser, Page, expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the focused element is, and whether its focus can be seen.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  const shadow = style.boxShadow !== "none";
  const name = (el.getAttribute("aria-label") || el.innerText || el.value ||
                (el.labels && el.labels[0] && el.labels[0].innerText) || el.name || "").trim();
  return {
    tag: el.tagName.toLowerCase(),
    name: name.replace(/\\s+/g, " ").slice(0, 60),
    ring: outline || shadow,
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0 &&
              box.top < innerHeight && box.left < innerWidth,
  };
}"""


class Keyboard:
    """One page driven by keys; ``stops`` is every focus stop met, in order."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.stops: list[str] = []

    def _focused(self) -> dict[str, Any] | None:
        """The focused element (None past the page's last stop: the browser's own bar)."""
        focused = self.page.evaluate(FOCUSED)
        if focused is None:
            return None
        where = f"{focused['tag']} {focused['name']!r} on {path_of(self.page)}"
        assert focused["ring"], f"no visible focus ring on {where}"
        assert focused["onScreen"], f"the focused {where} is not on screen"
        return focused

    def tab_to(self, selector: str, *, backwards: bool = False, most: int = 40) -> list[str]:
        """Tab (or Shift+Tab) until ``selector`` has the focus; the stops on the way."""
        passed: list[str] = []
        for _ in range(most):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            focused = self._focused()
            stop = f"{focused['tag']}:{focused['name']}" if focused else "<end of the page>"
            passed.append(stop)
            self.stops.append(stop)
            if self.page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return passed
        raise AssertionError(f"{selector} not reached in {most} presses: {passed}")

    def press(self, key: str, *, navigates: bool = False) -> None:
        if navigates:
            with self.page.expect_navigation():
                self.page.keyboard.press(key)
            self.page.wait_for_load_state("networkidle")
        else:
            self.page.keyboard.press(key)


def _index(stops: list[str], pattern: str) -> int:
    for number, stop in enumerate(stops):
        if re.search(pattern, stop):
            return number
    raise AssertionError(f"no stop matches {pattern!r}: {stops}")


def test_a_client_uses_the_door_by_keyboard_alone(
    browser: Browser,
    server: Server,  # noqa: F811 (the fixture)
) -> None:
    conversations_before = Conversation.objects.count()
    client = Watched(browser.new_context(locale="en-GB"), server.origin)
    page = client.page
    page.goto(f"{server.origin}/k/{TEAM}/")
    keys = Keyboard(page)

    # The door: the quick exit first, then the start form, the way back with a code
    # after it, the language switch last.
    door = keys.tab_to("button[type=submit]:not(.exit-button)")
    assert door[0] == "button:Quick exit", door
    assert _index(door, "^input:") < len(door) - 1, door  # the consent before the button
    assert "summary:" in " ".join(door), "the full privacy notice is reachable"
    # Without the consent the form is refused with the error next to the box; the
    # states only reached by doing (errors, the thread with messages) are checked by
    # axe-core here, the pages as they first load in test_accessibility.py.
    keys.press("Enter", navigates=True)
    assert axe_barriers(page) == []
    keys.tab_to("input[name=agree]")
    keys.press("Space")
    assert page.is_checked("input[name=agree]")
    keys.tab_to("button[type=submit]:not(.exit-button)")
    keys.press("Enter", navigates=True)
    assert path_of(page) == "/gespraech/"

    # The new code is shown once; the client notes it and says so.
    code = page.get_by_test_id("return-code").inner_text().strip()
    assert re.fullmatch(r"[a-z]+(-[a-z]+)+", code), code
    keys.tab_to("form[action$='/code-notiert/'] button")
    keys.press("Enter", navigates=True)

    # Write and send a message: the field, then its button.
    keys.tab_to("#composer textarea")
    page.keyboard.type("Hallo, ich brauche Hilfe mit der Schule.")
    keys.tab_to("#composer button[type=submit]")
    keys.press("Enter")
    expect(page.locator("#thread .msg-body").last).to_have_text(
        "Hallo, ich brauche Hilfe mit der Schule."
    )
    assert axe_barriers(page) == []
    # A message the server has not confirmed yet (no data-seq: the moment after sending,
    # or for long while offline) is still readable: its look must keep the contrast.
    page.evaluate("document.querySelector('#thread .msg-own').removeAttribute('data-seq')")
    assert axe_barriers(page) == []
    # The data links come after the composer.
    data = keys.tab_to("a[href$='/gespraech/loeschen/']")
    assert _index(data, "Download") < _index(data, "Delete"), data

    # Leave at once: back up to the quick exit, which lands on the neutral page.
    keys.tab_to(".exit-button", backwards=True, most=60)
    keys.press("Enter", navigates=True)
    assert page.url == _exit_url(server)

    # Come back with the noted code, by keyboard too.
    page.goto(f"{server.origin}/zurueck/")
    keys.tab_to("input[name=code]")
    page.keyboard.type("falsch-falsch-falsch-falsch")
    keys.tab_to("main button[type=submit]")
    keys.press("Enter", navigates=True)
    assert axe_barriers(page) == []  # the refusal, with its error message
    keys.tab_to("input[name=code]")
    page.keyboard.press("Control+A")
    page.keyboard.type(code)
    keys.tab_to("main button[type=submit]")
    keys.press("Enter", navigates=True)
    assert path_of(page) == "/gespraech/"
    expect(page.locator("#thread .msg-body").last).to_have_text(
        "Hallo, ich brauche Hilfe mit der Schule."
    )

    # Delete the conversation: the link, the confirmation box, the button.
    keys.tab_to("a[href$='/gespraech/loeschen/']")
    keys.press("Enter", navigates=True)
    keys.tab_to("input[name=confirm]")
    keys.press("Space")
    keys.tab_to("button.danger")
    keys.press("Enter", navigates=True)
    assert Conversation.objects.count() == conversations_before
    assert axe_barriers(page) == []  # the page that says it is gone

    client.assert_clean(
        expected=[
            # The start without consent, refused on purpose.
            r"HTTP 400: .*/k/jugendberatung/start/",
            r"Failed to load resource: .* 400 .*/k/jugendberatung/start/",
            # The wrong code, refused on purpose.
            r"HTTP 400: .*/zurueck/",
            r"Failed to load resource: .* 400 .*/zurueck/",
            # The quick exit's beacon outlives its page, and the neutral page, an SVG of
            # this server, makes chromium ask for /favicon.ico (as in test_browser_chat).
            r"^request failed: POST .*/verlassen/ \(net::ERR_ABORTED\)$",
            r"Failed to load resource: .* (404|400) .*'url': 'http://127\.0\.0\.1:\d+/favicon\.ico'",
            r"HTTP (404|400): http://127\.0\.0\.1:\d+/favicon\.ico",
        ]
    )
    client.context.close()


def test_a_counsellor_answers_in_the_inbox_by_keyboard_alone(
    browser: Browser,
    server: Server,  # noqa: F811 (the fixture)
) -> None:
    door = in_a_thread(lambda: start_conversation(TEAM))
    conversation = door.conversation
    staff = Watched(browser.new_context(locale="en-GB"), server.origin)
    page = staff.page
    keys = Keyboard(page)

    # Log in: the name field has the focus at once, the password comes next.
    page.goto(f"{server.origin}/konto/anmelden/")
    assert page.evaluate("document.activeElement.name") == "username"
    page.keyboard.type("fachkraft")
    keys.tab_to("input[name=password]")
    page.keyboard.type(DEMO_PASSWORD)
    keys.press("Enter", navigates=True)
    assert path_of(page).startswith("/start/")

    page.goto(f"{server.origin}/posteingang/")
    keys.stops.clear()
    # The skip link jumps over the navigation straight to the content.
    keys.tab_to("a.skip-link")
    keys.press("Enter")
    opened = keys.tab_to(f"a[href='/posteingang/{conversation.pk}/']")
    assert not any("Log out" in stop for stop in opened), opened
    keys.press("Enter", navigates=True)
    assert path_of(page) == f"/posteingang/{conversation.pk}/"

    # Reply: the answer field, then its button.
    keys.tab_to("#composer textarea")
    page.keyboard.type("Hallo, wir sind für dich da.")
    keys.tab_to("#composer button[type=submit]")
    keys.press("Enter")
    expect(page.locator("#thread .msg-body").last).to_have_text("Hallo, wir sind für dich da.")
    assert axe_barriers(page) == []

    # An answer puts the conversation to "waiting for the client"; the panel shows it.
    expect(page.locator(".triage-state .badge")).to_have_class(re.compile("state-waiting"))
    # Change the state by hand: close it (the triage buttons stand above the answer
    # form: back up with Shift+Tab).
    keys.tab_to("button[name=state][value=closed]", backwards=True, most=80)
    keys.press("Enter")
    expect(page.locator(".triage-state .badge")).to_have_class(re.compile("state-closed"))
    assert Conversation.objects.get(pk=conversation.pk).state == State.CLOSED
    assert axe_barriers(page) == []
    staff.assert_clean()
    staff.context.close()
