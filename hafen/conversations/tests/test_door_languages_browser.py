"""Clicked in a real browser: a client switches the door's language on a phone, and
leadership sets up a team's door.

Debian's chromium through Playwright against pytest-django's live server (plain HTTP:
these flows need no websocket). Each browser context is watched: a CSP violation, a
console error, an error response or a request to another host fails the test.
Screenshots land in ``test-artifacts/`` (ignored by git).
"""

from __future__ import annotations

from typing import Any

import pytest

from hafen.browser_fixtures import logged_in, path_of, require_chromium, screenshot, watch
from hafen.browser_fixtures import submit as _submit
from hafen.conversations.models import Conversation, DoorSettings

require_chromium()

from playwright.sync_api import Browser, Page, expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOOR = "/k/jugendberatung/"
PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 640},
    "is_mobile": True,
    "has_touch": True,
}
# The live server speaks HTTP only: door.js's websocket on the chat page cannot connect.
NO_SOCKET = r"WebSocket connection to 'ws://[^']+/ws/k/' failed|/ws/k/"


def _fits_the_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]


@pytest.mark.parametrize("javascript", [False, True], ids=["without-js", "with-js"])
def test_a_client_on_a_phone_switches_the_door_language(
    org, live_server, browser: Browser, javascript: bool
) -> None:
    client = watch(browser, live_server.url, java_script_enabled=javascript, **PHONE)
    page = client.page
    page.goto(f"{live_server.url}{DOOR}")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("footer button[aria-current=true]")).to_have_text("Deutsch")

    _submit(page, "footer button[value=de-ls]")

    assert path_of(page) == DOOR
    expect(page.locator("html")).to_have_attribute("lang", "de-ls")
    expect(page.locator("main")).to_contain_text("Ein Code ist wie ein Schlüssel.")
    expect(page.locator("footer button[aria-current=true]")).to_have_text("Einfache Sprache")
    _fits_the_phone(page)
    screenshot(page, f"door-einfache-sprache-{'js' if javascript else 'nojs'}.png", full_page=True)

    page.check("input[name=agree]")
    _submit(page, "main form.stacked button[type=submit]")
    assert path_of(page) == "/gespraech/"
    expect(page.locator("main")).to_contain_text("Schreib dir diesen Code auf.")
    _submit(page, "footer button[value=en]")

    assert path_of(page) == "/gespraech/"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main")).to_contain_text("Write this code down or take a photo of it.")
    assert Conversation.objects.get().language == "en"
    _fits_the_phone(page)
    client.assert_clean(expected=[NO_SOCKET] if javascript else [])
    client.context.close()


def test_leadership_sets_up_a_door_and_prints_its_poster(org, live_server, browser) -> None:
    staff = logged_in(browser, live_server.url, "leitung")
    page = staff.page
    page.click("text=Anlaufstellen: Sprechzeiten, Notfallnummern, QR-Code")
    page.click("main table >> text=Jugendberatung")
    expect(page.locator("h1")).to_have_text("Anlaufstelle von Jugendberatung")
    expect(page.locator(".door-address svg")).to_be_visible()

    # A mistake first: the end before the start, letters in a phone number.
    page.fill("#id_day1_to1", "08:00")
    page.fill("#id_number5_name", "Krisendienst")
    page.fill("#id_number5_number", "ruf an")
    page.fill("#id_number5_hours", "24/7")
    _submit(page, "form.door-settings > button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Es wurde nichts gespeichert.")
    expect(page.locator("td.field-error .error")).to_have_count(2)
    assert DoorSettings.objects.get(team__slug="jugendberatung").office_hours["1"] == [
        ["09:00", "17:00"]
    ]

    page.fill("#id_day1_to1", "12:00")
    page.fill("#id_day1_from2", "13:00")
    page.fill("#id_day1_to2", "18:30")
    page.fill("#id_number5_number", "0800 655 3000")
    page.fill("#id_welcome", "Wir beraten junge Menschen von 14 bis 27.")
    _submit(page, "form.door-settings > button[type=submit]")

    expect(page.locator(".messages")).to_contain_text("gespeichert")
    door = DoorSettings.objects.get(team__slug="jugendberatung")
    assert door.office_hours["1"] == [["09:00", "12:00"], ["13:00", "18:30"]]
    assert door.emergency_numbers[-1] == {
        "name": "Krisendienst",
        "number": "0800 655 3000",
        "hours": "24/7",
    }
    screenshot(page, "door-settings.png", full_page=True)

    page.click("text=Einfache Sprache")
    expect(page.locator("html")).to_have_attribute("lang", "de-ls")
    expect(page.locator("main.poster")).to_contain_text("13:00\u201318:30")
    expect(page.locator(".poster-qr svg")).to_be_visible()
    screenshot(page, "door-poster.png", full_page=True)
    # The mistake was answered 400 on purpose.
    staff.assert_clean(expected=[r"(HTTP 400|status of 400).*/anlaufstellen/jugendberatung/"])
    staff.context.close()
