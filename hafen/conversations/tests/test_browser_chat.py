"""The client door and the inbox in a real browser: what a client and a counsellor see.

Every test drives Debian's chromium through Playwright against a real ``hafen run``
server process (uvicorn, HTTP and websockets; ``servers.py``), which reads and writes
the test database: the HTTP-only live server of pytest-django cannot carry a
websocket, and one test restarts the server. The client uses a phone (360 by 640,
touch); screenshots of its views land in ``test-artifacts/`` (ignored by git).

Each context is watched (``hafen.browser_fixtures.Watched``): a CSP violation, a
console error, a failed request, an error response or a request to another host
fails the test, unless the test provoked exactly that (a wrong code answers 400,
a server that is down refuses the websocket).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.sessions.models import Session
from django.utils import translation

from hafen.accounts.demo import DEMO_PASSWORD
from hafen.accounts.models import Team, User
from hafen.bridge.models import Handover
from hafen.browser_fixtures import (
    Watched,
    in_a_thread,
    logged_in,
    path_of,
    require_chromium,
    screenshot,
    submit,
    watch,
)
from hafen.conversations import actions
from hafen.conversations.models import Conversation, DoorSettings, Message, Sender
from hafen.conversations.tests.servers import Server, database_for_servers, free_port, server_env

require_chromium()

from playwright.sync_api import Browser, Page, WebSocket, expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEAM = "jugendberatung"
DOOR = f"/k/{TEAM}/"
PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 640},
    "is_mobile": True,
    "has_touch": True,
}
# door.js waits at most 30 s (plus jitter) between two reconnect attempts.
RECONNECT_SECONDS = 40
# What chromium logs while the server is down or the phone is offline: expected there.
SOCKET_REFUSED = r"console error: WebSocket connection to 'ws://[^']+/ws/k/' failed"
# What the page says while it has no connection (door.js, from the page's JSON texts).
_OFFLINE = "No connection. Your message is kept and sent as soon as the connection is back."


# ---------------------------------------------------------------- browser and server


def _always_open(team: Team) -> None:
    """Office hours around the clock: no automatic away answer mixes into the threads."""
    all_day = {str(day): [["00:00", "23:59:59.999999"]] for day in range(1, 8)}
    DoorSettings.objects.update_or_create(team=team, defaults={"office_hours": all_day})


@pytest.fixture(scope="module")
def argon2_demo_password() -> str:
    """The demo password hashed as the server process checks it (slow: made once)."""
    hasher = Argon2PasswordHasher()
    return hasher.encode(DEMO_PASSWORD, hasher.salt())


def _exit_url(server: Server) -> str:
    """The neutral page of the quick exit: a file of the server, so nothing leaves it."""
    return f"{server.origin}/static/hafen/favicon.svg"


@pytest.fixture
def server(org, tmp_path, argon2_demo_password) -> Iterator[Server]:
    """``hafen run`` on the test's database: the same server a real installation runs."""
    _always_open(Team.objects.get(slug=TEAM))
    # The tests' fast hasher is unknown to the server process; the counsellor logs in there.
    User.objects.filter(username="fachkraft").update(password=argon2_demo_password)
    with database_for_servers(tmp_path) as database:
        port = free_port()
        server = Server(port, server_env(tmp_path, database), tmp_path / "server.log")
        server.env["HAFEN_QUICK_EXIT_URL"] = _exit_url(server)
        server.start()
        try:
            yield server
        finally:
            server.stop()
            # Shown by pytest only when the test failed.
            print(f"hafen run said:\n{server.tail()}")


# ---------------------------------------------------------------- what the browser did


class Sockets:
    """The conversation websockets of a page and the frames they carried, in order.

    Other sockets of the page (the staff pages' own /ws/staff/) are left out.
    """

    def __init__(self, page: Page) -> None:
        self.opened: list[WebSocket] = []
        self.received: list[list[dict[str, Any]]] = []
        self.sent: list[dict[str, Any]] = []
        page.on("websocket", self._track)

    def _track(self, socket: WebSocket) -> None:
        if not re.search(r"/ws/(k|posteingang/\d+)/$", socket.url):
            return
        frames: list[dict[str, Any]] = []
        self.opened.append(socket)
        self.received.append(frames)
        socket.on("framereceived", lambda payload: frames.append(json.loads(payload)))
        socket.on("framesent", lambda payload: self.sent.append(json.loads(payload)))

    def live(self) -> bool:
        """The newest socket is open and has answered the page's hello."""
        return bool(
            self.opened
            and not self.opened[-1].is_closed()
            and any(frame["type"] == "receipts" for frame in self.received[-1])
        )

    def sends(self) -> list[dict[str, Any]]:
        return [frame for frame in self.sent if frame["type"] == "send"]

    def __str__(self) -> str:
        """For a failure message: each socket, whether it is closed, what it received."""
        return (
            "; ".join(
                f"{socket.url} closed={socket.is_closed()} received={frames}"
                for socket, frames in zip(self.opened, self.received, strict=True)
            )
            or "no websocket opened"
        )


def _wait_until(
    page: Page, condition: Callable[[], bool], what: Callable[[], str], seconds: float = 10
) -> None:
    """Let the browser work until ``condition`` holds (events reach Python meanwhile)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s in vain for {what()}"
        page.wait_for_timeout(50)


def _live(page: Page, sockets: Sockets, whose: str, seconds: float = 10) -> None:
    _wait_until(page, sockets.live, lambda: f"{whose} socket: {sockets}", seconds)


def _german(text: str) -> str:
    """What the German interface says for an English msgid (the catalogue may lag)."""
    with translation.override("de"):
        return translation.gettext(text)


def _mark_page(page: Page) -> None:
    """A flag that only survives as long as the page is not loaded again."""
    page.evaluate("window.hafenSamePage = true")


def _same_page(page: Page) -> bool:
    return bool(page.evaluate("window.hafenSamePage === true"))


def _bodies(page: Page, selector: str = "#thread .msg") -> list[str]:
    return page.locator(f"{selector} .msg-body").all_inner_texts()


def _fits_the_phone(page: Page) -> None:
    width = PHONE["viewport"]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


# ---------------------------------------------------------------- the people


class People:
    """The browsers of one test, each a context of its own, all closed when it ends."""

    def __init__(self, browser: Browser, server: Server) -> None:
        self.browser = browser
        self.server = server
        self.watched: list[Watched] = []

    def client(self, *, javascript: bool = True) -> Watched:
        """A client's phone: small, touch, German."""
        client = watch(self.browser, self.server.origin, java_script_enabled=javascript, **PHONE)
        self.watched.append(client)
        return client

    def counsellor(self, conversation: Conversation) -> Watched:
        """Jonas Weber logs in and opens the conversation; returns once its socket is live."""
        staff = logged_in(self.browser, self.server.origin, "fachkraft")
        self.watched.append(staff)
        page = staff.page
        assert path_of(page).startswith("/start/")
        sockets = Sockets(page)
        page.goto(f"{self.server.origin}/posteingang/{conversation.pk}/")
        expect(page.locator("main h1")).to_have_text(conversation.pseudonym)
        _live(page, sockets, "the counsellor's")
        return staff

    def close(self) -> None:
        for watched in self.watched:
            watched.context.close()


@pytest.fixture
def people(browser: Browser, server: Server) -> Iterator[People]:
    people = People(browser, server)
    yield people
    people.close()


def _start(client: Watched, server: Server, *, screenshots: str = "") -> str:
    """Open the door, agree, start; returns the code shown, after confirming it is noted."""
    page = client.page
    page.goto(f"{server.origin}{DOOR}")
    if screenshots:
        screenshot(page, f"{screenshots}-door-phone.png", full_page=True)
    page.check("input[name=agree]")
    submit(page, "form[action$='/start/'] button[type=submit]")
    assert path_of(page) == "/gespraech/"
    shown = page.get_by_test_id("return-code")
    expect(shown).to_be_visible()
    code = shown.inner_text().strip()
    assert re.fullmatch(r"[a-z]+(-[a-z]+){3}", code), code
    if screenshots:
        _fits_the_phone(page)
        screenshot(page, f"{screenshots}-code-phone.png")
    submit(page, "form[action$='/code-notiert/'] button[type=submit]")
    assert path_of(page) == "/gespraech/"
    expect(page.get_by_test_id("return-code")).to_have_count(0)
    assert code not in page.content()
    return code


def _write(page: Page, text: str, *, javascript: bool = True) -> None:
    page.fill("#composer textarea[name=body]", text)
    if javascript:
        page.click("#composer button[type=submit]")
    else:
        submit(page, "#composer button[type=submit]")


def _delivered(page: Page, text: str) -> None:
    """The page shows ``text`` as the writer's own message, stored (it has its seq)."""
    mine = page.locator("#thread .msg-own[data-seq]").filter(has_text=text)
    expect(mine).to_have_count(1)


def _only_conversation() -> Conversation:
    return Conversation.objects.select_related("data_key").get()


# ---------------------------------------------------------------- the flows


def test_client_and_counsellor_write_to_each_other_in_realtime(people, server) -> None:
    client = people.client()
    client_sockets = Sockets(client.page)
    _start(client, server, screenshots="chat")
    conversation = _only_conversation()
    staff = people.counsellor(conversation)
    _live(client.page, client_sockets, "the client's")
    _mark_page(client.page)
    _mark_page(staff.page)
    question = "Hallo, ich habe Stress mit dem Jobcenter. Können Sie mir helfen?"

    _write(client.page, question)

    # The counsellor's open page shows it without a reload ...
    expect(staff.page.locator("#thread .msg-client .msg-body")).to_have_text([question])
    # ... and having it open marks it read for the client.
    receipt = client.page.locator("#thread .msg-own .receipt")
    expect(receipt).to_have_attribute("data-receipt", "read")
    expect(receipt).to_have_text(_german("read"))

    answer = "Ja, gern. Was steht in dem Brief?"
    _write(staff.page, answer)

    expect(client.page.locator("#thread .msg-staff .msg-body")).to_have_text([answer])
    assert _bodies(client.page) == [question, answer]
    assert _bodies(staff.page) == [question, answer]
    assert _same_page(client.page) and _same_page(staff.page)
    assert client.page.locator("#connection").is_hidden()
    # Realtime needs no button to look for answers.
    assert client.page.locator("#reload").is_hidden()
    assert [m.sender for m in Message.objects.order_by("seq")] == [Sender.CLIENT, Sender.STAFF]
    _fits_the_phone(client.page)
    screenshot(client.page, "chat-answered-phone.png")
    client.assert_clean()
    staff.assert_clean()


def test_without_javascript_the_client_writes_and_reads_answers_by_reloading(
    people, server
) -> None:
    client = people.client(javascript=False)
    client_sockets = Sockets(client.page)
    _start(client, server, screenshots="nojs")
    question = "Ich schreibe von einem alten Handy."

    _write(client.page, question, javascript=False)

    assert path_of(client.page) == "/gespraech/"
    assert _bodies(client.page) == [question]
    expect(client.page.locator("#thread .msg-own .receipt")).to_have_attribute(
        "data-receipt", "sent"
    )
    staff = people.counsellor(_only_conversation())
    expect(staff.page.locator("#thread .msg-client .msg-body")).to_have_text([question])
    answer = "Kein Problem, wir lesen hier mit."
    _write(staff.page, answer)
    _delivered(staff.page, answer)

    # Nothing moves by itself on a page without JavaScript ...
    assert _bodies(client.page) == [question]
    expect(client.page.locator("#reload")).to_be_visible()
    client.page.reload()

    # ... a reload brings the answer, and the own message shows as read.
    assert _bodies(client.page) == [question, answer]
    expect(client.page.locator("#thread .msg-own .receipt")).to_have_attribute(
        "data-receipt", "read"
    )
    assert client_sockets.opened == []
    _fits_the_phone(client.page)
    screenshot(client.page, "nojs-answered-phone.png", full_page=True)
    client.assert_clean()
    staff.assert_clean()


def test_without_javascript_check_for_new_answers_loads_the_answer(
    people, server, counsellor
) -> None:
    client = people.client(javascript=False)
    _start(client, server)
    page = client.page
    _write(page, "Ist jemand da?", javascript=False)
    conversation = _only_conversation()
    in_a_thread(lambda: actions.post_staff_message(counsellor, conversation.pk, "Ja, hier."))

    # Where the client is after every message sent without JavaScript.
    assert page.url.endswith("/gespraech/#latest")
    with page.expect_response(re.compile(r"/gespraech/(\?[^/]*)?$"), timeout=5_000):
        page.click("#reload")

    expect(page.locator("#thread .msg-staff .msg-body")).to_have_text(["Ja, hier."])
    client.assert_clean()


def test_a_client_comes_back_with_the_code_in_a_fresh_browser(people, server, counsellor) -> None:
    first = people.client()
    code = _start(first, server)
    _write(first.page, "Erste Nachricht")
    _delivered(first.page, "Erste Nachricht")
    _write(first.page, "Zweite Nachricht")
    _delivered(first.page, "Zweite Nachricht")
    conversation = _only_conversation()
    in_a_thread(lambda: actions.post_staff_message(counsellor, conversation.pk, "Antwort"))
    first.assert_clean()

    later = people.client()
    page = later.page
    page.goto(f"{server.origin}{DOOR}")
    page.click("a[href='/zurueck/']")
    # Typed from paper: capitals and spaces instead of dashes are fine.
    page.fill("input[name=code]", code.replace("-", " ").upper())
    submit(page, "main form button[type=submit]")

    assert path_of(page) == "/gespraech/"
    assert _bodies(page) == ["Erste Nachricht", "Zweite Nachricht", "Antwort"]
    assert conversation.pseudonym in page.locator(".pseudonym").inner_text()
    expect(page.get_by_test_id("return-code")).to_have_count(0)
    screenshot(page, "return-phone.png", full_page=True)
    later.assert_clean()


def test_a_wrong_code_gets_the_same_answer_as_any_other_wrong_code(people, server) -> None:
    first = people.client()
    code = _start(first, server)
    almost = "-".join([*code.split("-")[:3], "zzzz"])
    generic = _german("We could not open a conversation with this code.")

    stranger = people.client()
    page = stranger.page
    answers = []
    for attempt in (almost, "1234", "<script>alert(1)</script>"):
        page.goto(f"{server.origin}/zurueck/")
        page.fill("input[name=code]", attempt)
        submit(page, "main form button[type=submit]")
        assert path_of(page) == "/zurueck/"
        answers.append(page.locator("main form .form-errors[role=alert]").inner_text())

    assert answers == [generic] * 3
    screenshot(page, "return-wrong-code-phone.png")
    page.goto(f"{server.origin}/gespraech/")
    assert path_of(page) == "/zurueck/"
    assert page.locator("#thread").count() == 0
    # A wrong code is a bad request; the browser says so in its log, nothing else happened.
    stranger.assert_clean(
        expected=[r"^HTTP 400: .*/zurueck/$", r"Failed to load resource: .* 400 \(Bad Request\)"]
    )


def test_html_from_the_client_is_shown_as_text_on_both_sides(people, server) -> None:
    client = people.client()
    _start(client, server)
    staff = people.counsellor(_only_conversation())
    dialogs: list[str] = []
    for page in (client.page, staff.page):
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    hostile = "<img src=x onerror=alert(1)> <script>alert(2)</script> <b>fett</b>"

    _write(client.page, hostile)

    _delivered(client.page, hostile)
    expect(staff.page.locator("#thread .msg-client .msg-body")).to_have_text([hostile])
    for page in (client.page, staff.page):
        assert page.locator("#thread .msg-body img, #thread .msg-body script").count() == 0
        assert page.locator("#thread .msg-body b").count() == 0
        # Rendered by the server this time, not by door.js.
        page.reload()
        assert _bodies(page) == [hostile]
        assert page.locator("#thread .msg-body *:not(br)").count() == 0
    assert dialogs == []
    client.assert_clean()
    staff.assert_clean()


def test_a_double_click_on_send_stores_the_message_once(people, server) -> None:
    client = people.client()
    sockets = Sockets(client.page)
    _start(client, server)
    _live(client.page, sockets, "the client's")

    client.page.fill("#composer textarea[name=body]", "Doppelt geklickt")
    client.page.dblclick("#composer button[type=submit]")

    _delivered(client.page, "Doppelt geklickt")
    assert len(sockets.sends()) == 1
    client.page.reload()
    assert _bodies(client.page) == ["Doppelt geklickt"]
    assert Message.objects.count() == 1
    client.assert_clean()


def test_a_double_click_on_send_asks_for_no_other_message(people, server) -> None:
    client = people.client()
    _start(client, server)

    client.page.fill("#composer textarea[name=body]", "Doppelt geklickt")
    client.page.dblclick("#composer button[type=submit]")

    _delivered(client.page, "Doppelt geklickt")
    expect(client.page.locator("#connection")).to_be_hidden(timeout=2_000)


def test_a_double_click_without_javascript_stores_the_message_once(people, server) -> None:
    client = people.client(javascript=False)
    _start(client, server)
    page = client.page

    page.fill("#composer textarea[name=body]", "Zweimal abgeschickt")
    page.dblclick("#composer button[type=submit]")

    # Sending leads back to the conversation, scrolled to the newest message.
    page.wait_for_url(re.compile(r"/gespraech/#latest$"))
    page.wait_for_load_state("networkidle")
    assert _bodies(page) == ["Zweimal abgeschickt"]
    assert Message.objects.count() == 1
    # The second click may cancel the first request in the browser (the server had it).
    client.assert_clean(expected=[r"^request failed: POST .*/gespraech/senden/ .*ERR_ABORTED"])


# Lets the test drop the page's websocket the way a dead mobile connection does.
TRACK_SOCKETS = """
(() => {
  const Native = window.WebSocket;
  const sockets = [];
  function Tracked(url, protocols) {
    const socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
    sockets.push(socket);
    return socket;
  }
  Tracked.prototype = Native.prototype;
  for (const name of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) Tracked[name] = Native[name];
  window.WebSocket = Tracked;
  window.hafenDropSockets = () => sockets.forEach((socket) => socket.close());
})();
"""


def test_a_message_written_offline_waits_and_is_delivered_once_back_online(people, server) -> None:
    client = people.client()
    client.context.add_init_script(TRACK_SOCKETS)
    sockets = Sockets(client.page)
    _start(client, server)
    staff = people.counsellor(_only_conversation())
    _live(client.page, sockets, "the client's")
    _mark_page(client.page)
    page = client.page

    client.context.set_offline(True)
    page.evaluate("window.hafenDropSockets()")
    status = page.locator("#connection")
    expect(status).to_have_text(_german(_OFFLINE))
    _write(page, "Im Funkloch geschrieben")

    pending = page.locator("#thread .msg-own").filter(has_text="Im Funkloch geschrieben")
    expect(pending).to_have_count(1)
    expect(pending.locator(".receipt")).to_have_attribute("data-receipt", "sending")
    expect(status).to_be_visible()
    assert Message.objects.count() == 0
    screenshot(page, "offline-pending-phone.png")

    client.context.set_offline(False)

    _live(page, sockets, "the reconnected", seconds=RECONNECT_SECONDS)
    _delivered(page, "Im Funkloch geschrieben")
    expect(status).to_be_hidden()
    expect(staff.page.locator("#thread .msg-client .msg-body")).to_have_text(
        ["Im Funkloch geschrieben"]
    )
    assert _bodies(page) == ["Im Funkloch geschrieben"]
    assert Message.objects.count() == 1
    assert _same_page(page)
    client.assert_clean(expected=[SOCKET_REFUSED])
    staff.assert_clean()


# What the socket says when the database could not store a message (consumers.py).
_NOT_SAVED = "Your message could not be saved just now. It is kept and sent again in a moment."


def test_a_message_the_database_cannot_store_stays_on_the_page_and_goes_once_it_can(
    people, server
) -> None:
    from django.db import connection

    from hafen.conversations.tests.test_faults import database_refuses

    if connection.vendor != "postgresql":
        # The server process's SQLite connections are out of this test's reach; the
        # socket's answer on SQLite is tested in test_faults.py.
        pytest.skip("PostgreSQL only: the full disk is a trigger every process meets")
    client = people.client()
    sockets = Sockets(client.page)
    _start(client, server)
    staff = people.counsellor(_only_conversation())
    page = client.page
    _live(page, sockets, "the client's")
    _mark_page(page)

    full_disk = database_refuses("full")
    in_a_thread(full_disk.__enter__)
    try:
        _write(page, "Geschrieben, als die Platte voll war")
        status = page.locator("#connection")
        expect(status).to_have_text(_german(_NOT_SAVED))
        pending = page.locator("#thread .msg-own").filter(
            has_text="Geschrieben, als die Platte voll war"
        )
        expect(pending.locator(".receipt")).to_have_attribute("data-receipt", "sending")
        assert in_a_thread(Message.objects.count) == 0
    finally:
        in_a_thread(lambda: full_disk.__exit__(None, None, None))

    # The page sends it again by itself (after 5 s), under the same id: stored once.
    _delivered(page, "Geschrieben, als die Platte voll war")
    expect(status).to_be_hidden()
    expect(staff.page.locator("#thread .msg-client .msg-body")).to_have_text(
        ["Geschrieben, als die Platte voll war"]
    )
    assert _bodies(page) == ["Geschrieben, als die Platte voll war"]
    assert in_a_thread(Message.objects.count) == 1
    assert len({frame["id"] for frame in sockets.sends()}) == 1
    assert _same_page(page)
    client.assert_clean()
    staff.assert_clean()


def test_after_a_server_restart_the_page_reconnects_and_misses_nothing(
    people, server, counsellor
) -> None:
    client = people.client()
    sockets = Sockets(client.page)
    _start(client, server)
    page = client.page
    _live(page, sockets, "the client's")
    _write(page, "Vor dem Neustart")
    _delivered(page, "Vor dem Neustart")
    _mark_page(page)
    conversation = _only_conversation()

    server.stop()
    expect(page.locator("#connection")).to_have_text(_german(_OFFLINE))
    missed = ["Während der Pause geschrieben", "Und noch etwas"]
    for text in missed:
        in_a_thread(lambda text=text: actions.post_staff_message(counsellor, conversation.pk, text))
    server.start()

    expect(page.locator("#thread .msg-staff .msg-body")).to_have_text(
        missed, timeout=RECONNECT_SECONDS * 1000
    )
    assert _bodies(page) == ["Vor dem Neustart", *missed]
    assert _same_page(page)
    expect(page.locator("#connection")).to_be_hidden()
    assert len(sockets.opened) >= 2
    client.assert_clean(expected=[SOCKET_REFUSED])


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without"])
def test_quick_exit_leaves_for_a_neutral_page_and_ends_the_session(
    people, server, javascript
) -> None:
    client = people.client(javascript=javascript)
    _start(client, server)
    page = client.page
    _write(page, "Niemand soll das sehen", javascript=javascript)
    _delivered(page, "Niemand soll das sehen")
    pseudonym = _only_conversation().pseudonym

    page.click("form.quick-exit button[type=submit]")

    page.wait_for_url(_exit_url(server))
    # With JavaScript the session ends through a beacon sent while the page goes away.
    _wait_until(page, lambda: not Session.objects.exists(), lambda: "the session to end")
    page.go_back()
    page.wait_for_load_state("networkidle")
    shown = page.content()
    assert "Niemand soll das sehen" not in shown
    assert pseudonym not in shown
    assert page.locator("#thread").count() == 0
    page.goto(f"{server.origin}/gespraech/")
    assert path_of(page) == "/zurueck/"
    client.assert_clean(
        expected=[
            # The beacon outlives its page; chromium still calls it aborted.
            r"^request failed: POST .*/verlassen/ \(net::ERR_ABORTED\)$",
            # The stand-in for a neutral site is an SVG file of this server, so chromium
            # asks this server for /favicon.ico (a real neutral site is asked instead):
            # 404, or 400 when it races the beacon that deletes the session it carries.
            r"Failed to load resource: .* (404|400) .*'url': 'http://127\.0\.0\.1:\d+/favicon\.ico'",
        ]
    )


def test_a_handover_link_opens_a_new_conversation_in_a_fresh_browser(
    people, server, counsellor
) -> None:
    from hafen.bridge import actions as bridge

    team = Team.objects.get(slug=TEAM)
    made = bridge.create_handover(counsellor, team=team, channel="instagram", topic="Wohnung")
    # This process runs on the travelled clock of the office-hours fixture, the server
    # process on the real one: the link must be valid by the server's clock.
    real_now = time_machine.escape_hatch.datetime.datetime.now(tz=UTC)
    Handover.objects.filter(pk=made.handover.pk).update(expires_at=real_now + timedelta(days=1))
    link = f"{server.origin}/b/{made.token}/"

    client = people.client()
    page = client.page
    page.goto(link)
    screenshot(page, "handover-landing-phone.png", full_page=True)
    page.check("input[name=agree]")
    submit(page, "main form button[type=submit]")
    assert path_of(page) == "/gespraech/"
    expect(page.get_by_test_id("return-code")).to_be_visible()
    submit(page, "form[action$='/code-notiert/'] button[type=submit]")
    _write(page, "Hallo, ich komme von Instagram.")
    _delivered(page, "Hallo, ich komme von Instagram.")
    conversation = _only_conversation()
    assert conversation.origin == "instagram" and conversation.team == team
    staff = people.counsellor(conversation)
    expect(staff.page.locator("#thread .msg-client .msg-body")).to_have_text(
        ["Hallo, ich komme von Instagram."]
    )

    # The link works once: a second browser gets the friendly page and the door.
    other = people.client()
    other.page.goto(link)
    door_link = other.page.locator(f"main a[href='{DOOR}']")
    expect(door_link).to_be_visible()
    assert Conversation.objects.count() == 1
    client.assert_clean()
    staff.assert_clean()
    other.assert_clean(expected=[r"^HTTP 410: .*/b/", r"Failed to load resource: .* 410"])
