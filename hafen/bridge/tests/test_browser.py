"""The bridge in a real browser: a counsellor makes a link, a client opens it elsewhere.

Debian's chromium through Playwright against a real ``hafen run`` process (HTTP and
websockets: the inbox keeps its live socket open), on the test's own database. The
client is a phone without JavaScript in a fresh context (the link arrives in a
messenger and opens in whatever browser the phone has); the counsellor works with
JavaScript, so that the copy buttons and the inline QR code meet the strict CSP.
Screenshots land in ``test-artifacts/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hafen.accounts.models import Team
from hafen.bridge.models import Handover
from hafen.browser_fixtures import (
    Watched,
    logged_in,
    path_of,
    require_chromium,
    screenshot,
    submit,
    watch,
)
from hafen.conversations.models import Conversation, Message, Sender
from hafen.conversations.tests.servers import Server, database_for_servers, free_port, server_env

require_chromium()

from playwright.sync_api import Browser, expect  # noqa: E402

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # The server process knows only the real password hashers, not the tests' fast one.
    pytest.mark.real_hashing,
]

PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 640},
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture
def server(org, tmp_path) -> Iterator[Server]:
    data_dir = tmp_path / "server"
    data_dir.mkdir()
    port = free_port()
    with database_for_servers(data_dir) as database:
        env = server_env(data_dir, database)
        # The links the server makes must lead back to it.
        env["HAFEN_BASE_URL"] = f"http://127.0.0.1:{port}"
        server = Server(port, env, tmp_path / "server.log").start()
        try:
            yield server
        finally:
            server.stop()
            print(f"hafen run said:\n{server.tail()}")  # shown only when the test failed


def _counsellor(browser: Browser, base: str) -> Watched:
    staff = logged_in(browser, base, "fachkraft")
    assert path_of(staff.page).startswith("/start/")
    return staff


def test_a_handover_link_made_in_the_inbox_starts_a_conversation_on_a_fresh_phone(
    server: Server, browser: Browser
) -> None:
    base = server.origin
    staff = _counsellor(browser, base)
    page = staff.page
    page.goto(f"{base}/posteingang/")
    submit(page, "a[href='/posteingang/uebergabe/']")
    team = Team.objects.get(slug="jugendberatung")
    page.select_option("select[name=team]", str(team.pk))
    page.select_option("select[name=channel]", "whatsapp")
    page.fill("input[name=topic]", "Wohnen")
    page.select_option("select[name=validity]", "24h")
    submit(page, "main form button[type=submit]")

    link = page.get_by_test_id("handover-link").input_value()
    assert link.startswith(f"{base}/b/")
    assert link in page.get_by_test_id("reply-standard").input_value()
    assert link in page.get_by_test_id("reply-simple").input_value()
    expect(page.locator(".qr svg")).to_be_visible()
    # copy.js ran under the CSP: it shows the copy buttons it can serve.
    expect(page.locator("button[data-copy='handover-link']")).to_be_visible()
    screenshot(page, "bridge-handover-made.png", full_page=True)

    client = watch(browser, base, java_script_enabled=False, **PHONE)
    phone = client.page
    phone.goto(link)
    expect(phone.locator("input[name=agree]")).to_be_visible()
    assert Handover.objects.get().opened_at is not None
    screenshot(phone, "bridge-landing-phone.png", full_page=True)
    phone.check("input[name=agree]")
    submit(phone, "main form button[type=submit]")
    assert path_of(phone) == "/gespraech/"
    expect(phone.get_by_test_id("return-code")).to_be_visible()
    phone.fill("textarea[name=body]", "Hallo, ich komme von WhatsApp.")
    submit(phone, "#composer button[type=submit]")

    conversation = Conversation.objects.get()
    assert conversation.team == team and conversation.origin == "whatsapp"
    assert Message.objects.filter(conversation=conversation, sender=Sender.CLIENT).count() == 1
    page.goto(f"{base}/posteingang/")
    expect(page.locator(f"a[href='/posteingang/{conversation.pk}/']").first).to_be_visible()

    # The same link on another phone: used, with the team's door one tap away.
    other = watch(browser, base, java_script_enabled=False, **PHONE)
    other.page.goto(link)
    expect(other.page.locator(f"a[href='/k/{team.slug}/']")).to_be_visible()
    screenshot(other.page, "bridge-link-used-phone.png", full_page=True)

    staff.assert_clean()
    client.assert_clean()
    # The used link answers 410 Gone: Chromium logs it as a console error too.
    other.assert_clean(expected=[r"HTTP 410: ", r"status of 410"])
    for watched in (staff, client, other):
        watched.context.close()
