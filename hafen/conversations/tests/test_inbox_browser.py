"""The team inbox in a real browser against a real ``hafen run`` server process.

The counsellor's page must follow what others do, without a reload: a client writes,
a colleague takes the conversation or closes it. Those others act over plain HTTP
through the same server (events of the in-process channel layer stay inside the
process that sent them). A canned reply goes into the answer box with one click.
Every context is watched for CSP violations, console errors and foreign requests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hafen.accounts.demo import DEMO_PASSWORD
from hafen.accounts.models import Membership, Role, Team, User
from hafen.browser_fixtures import (
    Watched,
    logged_in,
    path_of,
    require_chromium,
    screenshot,
)
from hafen.conversations.models import CannedReply, Conversation
from hafen.conversations.tests import servers

require_chromium()

from playwright.sync_api import Browser, Page, expect  # noqa: E402

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # The server process knows only the real password hashers, not the tests' fast one.
    pytest.mark.real_hashing,
]


@pytest.fixture
def colleague(org) -> User:
    team = Team.objects.get(slug="jugendberatung")
    user = User(username="kollegin", display_name="Lea Kraus", organisation=org)
    user.set_password(DEMO_PASSWORD)
    user.save()
    Membership.objects.create(user=user, organisation=org, team=team, role=Role.COUNSELLOR)
    return user


@pytest.fixture
def server(org, colleague, tmp_path) -> Iterator[servers.Server]:
    data_dir = tmp_path / "server"
    data_dir.mkdir()
    with servers.database_for_servers(data_dir) as database:
        server = servers.Server(
            servers.free_port(), servers.server_env(data_dir, database), data_dir / "server.log"
        )
        server.start()
        try:
            yield server
        finally:
            server.stop()


def _log_in(browser: Browser, server: servers.Server, username: str) -> Watched:
    staff = logged_in(browser, server.origin, username)
    assert path_of(staff.page).startswith("/start/")
    return staff


def _client_writes(server: servers.Server, text: str) -> servers.Browser:
    client = servers.Browser(server)
    client.start_conversation("jugendberatung")
    status, _, _ = client.request("/gespraech/senden/", {"body": text, "client_id": "client-0001"})
    assert status == 302, server.tail()
    return client


def _colleague(server: servers.Server) -> servers.Browser:
    colleague = servers.Browser(server)
    colleague.log_in("kollegin", DEMO_PASSWORD)
    return colleague


def _mark(page: Page) -> None:
    page.evaluate("window.hafenSamePage = true")


def _same_page(page: Page) -> bool:
    return bool(page.evaluate("window.hafenSamePage === true"))


def _live(page: Page) -> None:
    """Wait until inbox.js has opened the staff socket and made its first fetch."""
    page.wait_for_function("() => document.getElementById('inbox-status') !== null")
    page.wait_for_load_state("networkidle")


def test_the_inbox_list_follows_a_new_message_and_a_colleague_taking_it(browser, server) -> None:
    staff = _log_in(browser, server, "fachkraft")
    page = staff.page
    page.goto(f"{server.origin}/posteingang/")
    _live(page)
    _mark(page)
    rows = page.locator("#inbox-list tbody tr[data-conversation]")
    expect(rows).to_have_count(0)

    _client_writes(server, "Hallo, ich brauche Hilfe")

    expect(rows).to_have_count(1)
    conversation = Conversation.objects.get()
    row = page.locator(f"#inbox-list tr[data-conversation='{conversation.pk}']")
    expect(row.locator("td").first).to_have_text(conversation.pseudonym)
    expect(row.locator("td[data-unread]")).to_have_attribute("data-unread", "1")
    expect(row.get_by_role("button")).to_be_visible()  # nobody has taken it yet

    colleague = _colleague(server)
    status, _, _ = colleague.request(f"/posteingang/{conversation.pk}/uebernehmen/", {})
    assert status == 302

    expect(row).to_contain_text("Lea Kraus")
    expect(row.get_by_role("button")).to_have_count(0)
    assert _same_page(page)
    screenshot(page, "inbox-list.png", full_page=True)
    staff.assert_clean()


def test_the_triage_panel_follows_a_colleagues_changes(browser, server) -> None:
    _client_writes(server, "Guten Tag")
    conversation = Conversation.objects.get()
    staff = _log_in(browser, server, "fachkraft")
    page = staff.page
    page.goto(f"{server.origin}/posteingang/{conversation.pk}/")
    _live(page)
    _mark(page)
    panel = page.locator("#triage")
    expect(
        panel.locator(f"form[action='/posteingang/{conversation.pk}/uebernehmen/']")
    ).to_be_visible()

    colleague = _colleague(server)
    colleague.request(f"/posteingang/{conversation.pk}/uebernehmen/", {})
    expect(panel).to_contain_text("Lea Kraus")
    expect(
        panel.locator(f"form[action='/posteingang/{conversation.pk}/uebernehmen/']")
    ).to_have_count(0)

    colleague.request(f"/posteingang/{conversation.pk}/status/", {"state": "closed"})
    expect(panel.locator(".badge.state-closed")).to_be_visible()
    assert _same_page(page)
    screenshot(page, "inbox-conversation.png", full_page=True)
    staff.assert_clean()


def test_a_canned_reply_goes_into_the_answer_box_with_one_click(
    browser, server, counsellor
) -> None:
    _client_writes(server, "Wie läuft das hier?")
    conversation = Conversation.objects.get()
    reply = CannedReply.objects.create(
        organisation=counsellor.organisation,
        owner=counsellor,
        title="Begrüßung",
        body="Hallo, schön dass du schreibst.\nWie kann ich helfen?",
    )
    staff = _log_in(browser, server, "fachkraft")
    page = staff.page
    page.goto(f"{server.origin}/posteingang/{conversation.pk}/")
    _live(page)
    _mark(page)
    box = page.locator("#composer textarea[name=body]")

    page.locator(".canned-replies summary").click()
    page.locator(f"a[data-canned='{reply.pk}']").click()

    expect(box).to_have_value(reply.body)
    expect(box).to_be_focused()
    assert path_of(page) == f"/posteingang/{conversation.pk}/" and "vorlage" not in page.url
    # A second one goes after what is written, not over it.
    box.fill("Erster Satz.")
    page.locator("main h1").click()
    box.evaluate("node => { node.selectionStart = node.selectionEnd = node.value.length; }")
    page.locator(f"a[data-canned='{reply.pk}']").click()
    expect(box).to_have_value("Erster Satz." + reply.body)
    assert _same_page(page)
    staff.assert_clean()
