"""A full disk and a read-only database while messages are sent: told, kept, never half-written.

What the person writing sees: the message is not acknowledged, they are told in their
language that it could not be saved, the typed text stays (the page's outbox, or the
form again with the same client id), and a later try stores it exactly once. What the
database holds: no message without its content, no half conversation (the sequence
number, the state, the audit entry of an answer move with the message or not at all),
no piece of an attachment's file that no message refers to.

The faults are the database's own errors, raised where a real one strikes:

- SQLite, "full": ``PRAGMA max_page_count`` caps the file at its size after the free
  pages are used up, so the next page the message needs fails with SQLITE_FULL
  ("database or disk is full"), exactly what a full disk gives. "read-only":
  ``PRAGMA query_only`` ("attempt to write a readonly database"). Both are set on every
  connection opened while the fault lasts (the tests close connections after each use).
- PostgreSQL: a trigger on the message table raises the server's own SQLSTATE, 53100
  (disk_full) or 25006 (read_only_sql_transaction), on every connection of every
  process, at the insert a full disk or ``default_transaction_read_only`` would fail.
- The file store: the write of an attachment's file fails with ENOSPC after its first
  part is on disk, as a full file system stops it.
"""

from __future__ import annotations

import contextlib
import errno
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.files.base import ContentFile
from django.db import connection
from django.db.backends.signals import connection_created
from django.utils import translation

from hafen.asgi import application
from hafen.conftest import login_client
from hafen.conversations.models import Attachment, Conversation, Message, State
from hafen.conversations.tests.conftest import DoorClient, start_conversation
from hafen.conversations.tests.test_attachments import pdf, send_file
from hafen.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)

FAULTS = ["full", "read-only"]
NOT_SAVED_SOCKET = (
    "Your message could not be saved just now. It is kept and sent again in a moment."
)
NOT_SAVED_FORM = "Your message could not be saved just now. Please try again in a moment."
# Long enough to need pages of its own (no free room in an existing page will do).
LONG_BODY = ("Ich weiß nicht weiter, können Sie mir helfen? " * 85).strip()
SQLSTATE = {"full": "53100", "read-only": "25006"}


def _de(text: str) -> str:
    """What a German client or team member reads (the pages here speak German)."""
    with translation.override("de"):
        return translation.gettext(text)


def _sqlite_fill_up(raw: Any) -> None:
    """Use up the free pages of the file, so that the next page it needs fails."""
    raw.execute("CREATE TABLE IF NOT EXISTS hafen_test_filler (b BLOB)")
    pages = raw.execute("PRAGMA page_count").fetchone()[0]
    raw.execute(f"PRAGMA max_page_count = {pages}")
    size = 64
    while size:
        try:
            raw.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
                "INSERT INTO hafen_test_filler SELECT zeroblob(3000) FROM n",
                (size,),
            )
        except sqlite3.OperationalError as error:
            assert "full" in str(error), error
            size //= 2


def _sqlite_apply(kind: str, raw: Any) -> None:
    if kind == "full":
        pages = raw.execute("PRAGMA page_count").fetchone()[0]
        raw.execute(f"PRAGMA max_page_count = {pages}")
    else:
        raw.execute("PRAGMA query_only = ON")


def _sqlite_lift(raw: Any) -> None:
    raw.execute("PRAGMA query_only = OFF")
    raw.execute("PRAGMA max_page_count = 1073741823")


@contextlib.contextmanager
def database_refuses(kind: str) -> Iterator[None]:
    """While inside: every new message fails as on a full disk or a read-only database.

    Call from the thread that holds the database connection (the consumers' thread in
    an async test: through ``database_sync_to_async``).
    """
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE FUNCTION hafen_test_fault() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN RAISE EXCEPTION 'fault: {kind}' USING ERRCODE = '{SQLSTATE[kind]}'; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER hafen_test_fault BEFORE INSERT ON conversations_message "
                "FOR EACH ROW EXECUTE FUNCTION hafen_test_fault()"
            )
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("DROP TRIGGER hafen_test_fault ON conversations_message")
                cursor.execute("DROP FUNCTION hafen_test_fault()")
        return

    opened: list[Any] = []

    def on_connect(sender: object, connection: Any, **kwargs: object) -> None:
        _sqlite_apply(kind, connection.connection)
        opened.append(connection.connection)

    if kind == "full":
        _sqlite_fill_up(connection.connection)
    _sqlite_apply(kind, connection.connection)
    connection_created.connect(on_connect)
    try:
        yield
    finally:
        connection_created.disconnect(on_connect)
        for raw in [connection.connection, *opened]:
            with contextlib.suppress(sqlite3.Error, AttributeError):  # closed since
                _sqlite_lift(raw)
        connection.ensure_connection()
        _sqlite_lift(connection.connection)
        if kind == "full":
            connection.connection.execute("DROP TABLE IF EXISTS hafen_test_filler")


def _unchanged(conversation: Conversation, before: dict[str, Any]) -> None:
    """Nothing of the failed message is left: no row, no sequence number, no state."""
    fresh = Conversation.objects.get(pk=conversation.pk)
    assert (fresh.last_seq, fresh.state, fresh.last_activity_at) == (
        before["last_seq"],
        before["state"],
        before["last_activity_at"],
    )
    assert Message.objects.filter(conversation=conversation).count() == before["messages"]


def _state(conversation: Conversation) -> dict[str, Any]:
    fresh = Conversation.objects.get(pk=conversation.pk)
    return {
        "last_seq": fresh.last_seq,
        "state": fresh.state,
        "last_activity_at": fresh.last_activity_at,
        "messages": Message.objects.filter(conversation=conversation).count(),
    }


# Over the websocket --------------------------------------------------------------------


async def _frames_until(socket: WebsocketCommunicator, kind: str) -> list[dict[str, Any]]:
    frames = []
    while True:
        frames.append(json.loads(await socket.receive_from(timeout=5)))
        if frames[-1]["type"] == kind:
            return frames


@pytest.mark.parametrize("kind", FAULTS)
async def test_a_socket_message_that_cannot_be_stored_is_not_acknowledged_and_stored_once_later(
    org, kind
) -> None:
    door: DoorClient = await database_sync_to_async(start_conversation)()
    conversation = door.conversation
    # The client reads the door in English: the refusal comes in English.
    await database_sync_to_async(Conversation.objects.filter(pk=conversation.pk).update)(
        language="en"
    )
    socket = WebsocketCommunicator(
        application,
        "/ws/k/",
        headers=[
            (b"origin", b"http://127.0.0.1"),
            (b"host", b"127.0.0.1"),
            (b"cookie", f"sessionid={door.browser.cookies['sessionid'].value}".encode()),
        ],
    )
    assert (await socket.connect())[0]
    await socket.send_to(text_data=json.dumps({"type": "hello", "after": 0}))
    await _frames_until(socket, "receipts")
    before = await database_sync_to_async(_state)(conversation)
    send = {"type": "send", "id": "full-disk-0001", "body": LONG_BODY}

    fault = database_refuses(kind)
    await database_sync_to_async(fault.__enter__)()
    try:
        await socket.send_to(text_data=json.dumps(send))
        refused = await _frames_until(socket, "error")
    finally:
        await database_sync_to_async(fault.__exit__)(None, None, None)

    assert refused == [
        {
            "type": "error",
            "code": "unavailable",
            "message": NOT_SAVED_SOCKET,
            "id": "full-disk-0001",
        }
    ]
    await database_sync_to_async(_unchanged)(conversation, before)

    # The page sends its outbox again under the same id: stored now, and once.
    await socket.send_to(text_data=json.dumps(send))
    ack = (await _frames_until(socket, "ack"))[-1]
    await socket.send_to(text_data=json.dumps(send))
    again = (await _frames_until(socket, "ack"))[-1]
    assert (ack["seq"], ack["duplicate"]) == (before["last_seq"] + 1, False)
    assert (again["seq"], again["duplicate"]) == (ack["seq"], True)
    stored = await database_sync_to_async(
        lambda: [m.body for m in Message.objects.filter(conversation=conversation)]
    )()
    assert stored == [LONG_BODY]
    await socket.disconnect()


# Without JavaScript, and the team's answer ----------------------------------------------


def test_a_form_message_that_cannot_be_stored_comes_back_with_its_text_and_goes_once(
    door_client: DoorClient,
) -> None:
    conversation = door_client.conversation
    before = _state(conversation)
    with database_refuses("full"):
        page = door_client.send(LONG_BODY, client_id="form-full-0001")
        script = door_client.send(
            LONG_BODY, client_id="form-full-0001", HTTP_ACCEPT="application/json"
        )

    assert page.status_code == 503
    html = page.content.decode()
    assert _de(NOT_SAVED_FORM) in html
    # The typed text and the same client id are in the form: "Send" again stores once.
    assert "Ich weiß nicht weiter, können Sie mir helfen?" in html
    assert 'value="form-full-0001"' in html
    assert (script.status_code, script.json()) == (
        503,
        {"error": "unavailable", "message": _de(NOT_SAVED_FORM)},
    )
    _unchanged(conversation, before)

    assert door_client.send(LONG_BODY, client_id="form-full-0001").status_code == 302
    assert door_client.send(LONG_BODY, client_id="form-full-0001").status_code == 302
    assert [m.body for m in Message.objects.filter(conversation=conversation)] == [LONG_BODY]


def test_an_answer_that_cannot_be_stored_keeps_its_text_and_leaves_no_audit_entry(
    door_client: DoorClient, counsellor
) -> None:
    conversation = door_client.conversation
    door_client.send("Hallo?", client_id="client-0001")
    staff = login_client(counsellor)
    url = f"/posteingang/{conversation.pk}/antworten/"
    answer = {"body": LONG_BODY, "client_id": "answer-0001"}
    before = _state(conversation)
    answered = AuditEntry.objects.filter(action="conversation.answered")

    with database_refuses("read-only"):
        page = staff.post(url, answer)

    assert page.status_code == 503
    html = page.content.decode()
    assert _de(NOT_SAVED_FORM) in html and 'value="answer-0001"' in html
    assert "können Sie mir helfen?" in html
    _unchanged(conversation, before)
    # Neither the answer's audit entry nor its assignment: they go with the message.
    assert not answered.exists()
    assert Conversation.objects.get(pk=conversation.pk).assigned_to_id is None

    assert staff.post(url, answer).status_code == 302
    assert staff.post(url, answer).status_code == 302
    assert Message.objects.filter(conversation=conversation).count() == before["messages"] + 1
    assert answered.count() == 1
    fresh = Conversation.objects.get(pk=conversation.pk)
    assert (fresh.state, fresh.assigned_to_id) == (State.WAITING, counsellor.pk)


def test_a_file_on_a_full_disk_leaves_no_piece_behind_and_goes_once_later(
    door_client: DoorClient, settings, monkeypatch
) -> None:
    conversation = door_client.conversation
    data = pdf(b"x" * 200_000)
    real_chunks = ContentFile.chunks

    def disk_fills_up(self: ContentFile, chunk_size: int | None = None) -> Iterator[bytes]:
        # The first part reaches the disk, then the file system is full.
        yield next(iter(real_chunks(self, 64 * 1024)))
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(ContentFile, "chunks", disk_fills_up)
        answer = send_file(
            door_client.browser,
            "bescheid.pdf",
            data,
            "application/pdf",
            body="Der Brief vom Amt",
            HTTP_ACCEPT="application/json",
        )

    assert (answer.status_code, answer.json()["error"]) == (503, "unavailable")
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    assert [p for p in root.rglob("*") if p.is_file()] == []
    assert not Message.objects.filter(conversation=conversation).exists()
    assert not Attachment.objects.exists()

    again = send_file(
        door_client.browser, "bescheid.pdf", data, "application/pdf", body="Der Brief vom Amt"
    )
    assert again.status_code == 302
    assert Attachment.objects.get().message.conversation_id == conversation.pk
    assert len([p for p in root.rglob("*") if p.is_file()]) == 1
