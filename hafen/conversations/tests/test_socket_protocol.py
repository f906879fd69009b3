"""The conversation websocket through the real ASGI application, on both channel layers.

A client and a counsellor talk in realtime; acks come only after commit; a resend with
the same id stores nothing new; a reconnect resumes after the last seen number; frames
out of protocol get an error and change nothing; nobody reaches another conversation.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from hafen.asgi import application
from hafen.conftest import login_client
from hafen.conversations import actions, events
from hafen.conversations.models import Conversation, Message, Sender
from hafen.conversations.tests.conftest import start_conversation
from hafen.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)


def _headers(session_id: str | None) -> list[tuple[bytes, bytes]]:
    headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
    if session_id:
        headers.append((b"cookie", f"sessionid={session_id}".encode()))
    return headers


async def _open(path: str, session_id: str | None) -> tuple[WebsocketCommunicator, bool, Any]:
    communicator = WebsocketCommunicator(application, path, headers=_headers(session_id))
    connected, code = await communicator.connect()
    return communicator, connected, code


async def _frames_until(communicator: WebsocketCommunicator, kind: str, timeout: float = 3):
    """Every frame up to and including the first of ``kind``."""
    frames = []
    while True:
        frame = json.loads(await communicator.receive_from(timeout=timeout))
        frames.append(frame)
        if frame["type"] == kind:
            return frames


async def _send(communicator: WebsocketCommunicator, frame: dict[str, Any]) -> None:
    await communicator.send_to(text_data=json.dumps(frame))


@pytest.fixture
def client_and_counsellor(org, counsellor):
    door = start_conversation()
    staff = login_client(counsellor)
    return door, door.browser.cookies["sessionid"].value, staff.cookies["sessionid"].value


async def test_client_and_counsellor_talk_in_realtime(channel_layer, client_and_counsellor):
    door, client_session, staff_session = client_and_counsellor
    conversation_id = door.conversation.pk
    client, ok, _ = await _open("/ws/k/", client_session)
    staff, staff_ok, _ = await _open(f"/ws/posteingang/{conversation_id}/", staff_session)
    assert ok and staff_ok
    await _send(client, {"type": "hello", "after": 0})
    await _send(staff, {"type": "hello", "after": 0})
    await _frames_until(client, "receipts")
    await _frames_until(staff, "receipts")

    await _send(client, {"type": "send", "id": "client-msg-0001", "body": "Hallo <i>Team</i>"})

    ack = (await _frames_until(client, "ack"))[-1]
    assert ack == {"type": "ack", "id": "client-msg-0001", "seq": 1, "duplicate": False}
    # The message was committed before the ack: it is in the database, sealed.
    stored = await database_sync_to_async(Message.objects.get)(conversation_id=conversation_id)
    assert b"Team" not in bytes(stored.body_sealed)
    seen_by_staff = (await _frames_until(staff, "message"))[-1]
    assert seen_by_staff["body"] == "Hallo <i>Team</i>"
    assert seen_by_staff["sender"] == "client" and seen_by_staff["own"] is False
    assert seen_by_staff["client_id"] == ""  # the client's ids are not shown to staff

    await _send(staff, {"type": "seen", "delivered": 1, "read": 1})
    await _send(staff, {"type": "send", "id": "staff-msg-0001", "body": "Hallo, wie geht's?"})

    answer = {"own": True}
    while answer["own"]:  # the client's own message comes back first, as its echo
        answer = (await _frames_until(client, "message"))[-1]
    assert answer["body"] == "Hallo, wie geht's?" and answer["own"] is False
    assert "author" not in answer  # the client sees the team, not the counsellor's name
    conversation = await database_sync_to_async(Conversation.objects.get)(pk=conversation_id)
    assert conversation.state == "waiting"
    assert conversation.team_read_seq == 2
    assert conversation.assigned_to_id is not None
    receipts = (await _frames_until(client, "receipts"))[-1]
    assert receipts["read"] >= 1
    await client.disconnect()
    await staff.disconnect()


async def test_a_resent_message_is_acknowledged_again_but_stored_once(
    channel_layer,
    client_and_counsellor,
):
    _door, client_session, _ = client_and_counsellor
    client, _, _ = await _open("/ws/k/", client_session)
    await _send(client, {"type": "hello", "after": 0})
    await _frames_until(client, "receipts")

    frame = {"type": "send", "id": "retry-id-000001", "body": "Nur einmal bitte"}
    await _send(client, frame)
    first = (await _frames_until(client, "ack"))[-1]
    await _send(client, frame)
    second = (await _frames_until(client, "ack"))[-1]

    assert first["seq"] == second["seq"] == 1
    assert (first["duplicate"], second["duplicate"]) == (False, True)
    count = await database_sync_to_async(Message.objects.filter(sender=Sender.CLIENT).count)()
    assert count == 1
    await client.disconnect()


async def test_a_reconnecting_client_gets_exactly_what_it_missed_in_order(
    channel_layer,
    client_and_counsellor,
    counsellor,
):
    door, client_session, _ = client_and_counsellor
    conversation_id = door.conversation.pk
    await database_sync_to_async(actions.post_client_message)(conversation_id, "eins", "c-id-0001")
    for number in ("zwei", "drei", "vier"):
        await database_sync_to_async(actions.post_staff_message)(
            counsellor, conversation_id, number
        )

    client, _, _ = await _open("/ws/k/", client_session)
    await _send(client, {"type": "hello", "after": 2})
    frames = await _frames_until(client, "receipts")

    bodies = [(f["seq"], f["body"]) for f in frames if f["type"] == "message"]
    assert bodies == [(3, "drei"), (4, "vier")]
    await client.disconnect()


async def test_frames_out_of_protocol_get_an_error_and_change_nothing(
    channel_layer,
    client_and_counsellor,
):
    _door, client_session, _ = client_and_counsellor
    client, _, _ = await _open("/ws/k/", client_session)
    await _send(client, {"type": "hello", "after": 0})
    await _frames_until(client, "receipts")
    bad_frames = [
        "not json",
        json.dumps([1, 2, 3]),
        json.dumps({"type": "explode"}),
        json.dumps({"type": "send", "id": "short", "body": "x"}),
        json.dumps({"type": "send", "id": "valid-id-0001", "body": ""}),
        json.dumps({"type": "send", "id": "valid-id-0002", "body": "x" * 4001}),
        json.dumps({"type": "send", "id": "valid-id-0003", "body": {"html": "<b>"}}),
        json.dumps({"type": "send", "id": "valid-id-0004", "body": "\ud800 lone surrogate"}),
        json.dumps({"type": "hello", "after": -5}),
        json.dumps({"type": "hello", "after": True}),
        json.dumps({"type": "seen", "delivered": "all", "read": 1}),
        "x" * (40 * 1024),
    ]
    codes = []
    for raw in bad_frames:
        await client.send_to(text_data=raw)
        reply = json.loads(await client.receive_from(timeout=3))
        assert reply["type"] == "error", raw[:40]
        assert reply["message"]
        codes.append(reply["code"])

    assert "too_long" in codes and "empty" in codes and "encoding" in codes
    assert await database_sync_to_async(Message.objects.count)() == 0
    # The socket still works after all of it.
    await _send(client, {"type": "send", "id": "valid-id-0005", "body": "Jetzt richtig"})
    assert (await _frames_until(client, "ack"))[-1]["seq"] == 1
    await client.disconnect()


async def test_a_client_sending_too_fast_is_slowed_down(channel_layer, client_and_counsellor):
    _door, client_session, _ = client_and_counsellor
    client, _, _ = await _open("/ws/k/", client_session)
    codes = []
    for number in range(35):
        await _send(client, {"type": "send", "id": f"flood-id-{number:04d}", "body": "spam"})
        codes.append(json.loads(await client.receive_from(timeout=3)).get("code", "ack"))

    assert codes.count("ack") == 30 and codes.count("too_fast") == 5
    await client.disconnect()


async def test_sockets_without_a_conversation_or_need_to_know_are_refused(
    channel_layer,
    org,
    volunteer,
    leader,
    outsider,
):
    door = await database_sync_to_async(start_conversation)()
    conversation_id = door.conversation.pk
    path = f"/ws/posteingang/{conversation_id}/"

    _, anonymous_ok, code = await _open("/ws/k/", None)
    assert not anonymous_ok and code == 4401
    # A client session cannot open the staff socket of its own conversation.
    _, client_as_staff, _ = await _open(path, door.browser.cookies["sessionid"].value)
    assert not client_as_staff
    for person in (volunteer, leader, outsider):  # Streetwork, leadership, other Träger
        session = (await database_sync_to_async(login_client)(person)).cookies["sessionid"].value
        _, ok, code = await _open(path, session)
        assert not ok and code == 4401, person.username
        _, ok, _ = await _open("/ws/posteingang/999999/", session)
        assert not ok


async def test_deleting_the_conversation_closes_the_sockets(
    channel_layer,
    client_and_counsellor,
):
    door, _client_session, staff_session = client_and_counsellor
    conversation_id = door.conversation.pk
    staff, _, _ = await _open(f"/ws/posteingang/{conversation_id}/", staff_session)
    await _send(staff, {"type": "hello", "after": 0})
    await _frames_until(staff, "receipts")

    await database_sync_to_async(actions.delete_by_client)(conversation_id)

    assert (await _frames_until(staff, "deleted"))[-1] == {"type": "deleted"}
    closed = await staff.receive_output(timeout=3)
    assert closed["type"] == "websocket.close" and closed["code"] == 4404


async def test_the_inbox_hears_of_new_messages_without_content(
    channel_layer,
    client_and_counsellor,
):
    door, _client_session, staff_session = client_and_counsellor
    inbox, ok, _ = await _open("/ws/staff/", staff_session)
    assert ok

    await database_sync_to_async(actions.post_client_message)(
        door.conversation.pk, "Geheimer Inhalt", "inbox-id-0001"
    )

    event = json.loads(await inbox.receive_from(timeout=3))
    assert event == {
        "type": "event",
        "payload": {"kind": "conversation.message", "conversation": door.conversation.pk},
    }
    await inbox.disconnect()


async def test_staff_reads_and_answers_are_audited_client_messages_are_not_copied(
    channel_layer,
    client_and_counsellor,
    counsellor,
):
    door, _, _ = client_and_counsellor
    await database_sync_to_async(actions.post_client_message)(
        door.conversation.pk, "Sehr private Sache", "audit-id-0001"
    )
    await database_sync_to_async(actions.post_staff_message)(
        counsellor, door.conversation.pk, "Antwort"
    )

    actions_logged = await database_sync_to_async(
        lambda: list(AuditEntry.objects.values_list("action", "details"))
    )()
    assert ("conversation.answered", {"seq": 2}) in actions_logged
    assert "Sehr private Sache" not in json.dumps(actions_logged)
    assert "Antwort" not in json.dumps(actions_logged)


async def test_two_sockets_of_one_client_stay_in_step(channel_layer, client_and_counsellor):
    _door, client_session, _ = client_and_counsellor
    phone, _, _ = await _open("/ws/k/", client_session)
    laptop, _, _ = await _open("/ws/k/", client_session)
    for socket in (phone, laptop):
        await _send(socket, {"type": "hello", "after": 0})
        await _frames_until(socket, "receipts")

    await asyncio.gather(
        _send(phone, {"type": "send", "id": "tab-one-00001", "body": "vom Handy"}),
        _send(laptop, {"type": "send", "id": "tab-two-00001", "body": "vom Laptop"}),
    )

    phone_frames = await _frames_until(phone, "ack")
    messages = [f for f in phone_frames if f["type"] == "message"]
    while len(messages) < 2:
        frame = json.loads(await phone.receive_from(timeout=3))
        if frame["type"] == "message":
            messages.append(frame)
    assert sorted(m["seq"] for m in messages) == [1, 2]
    assert {m["body"] for m in messages} == {"vom Handy", "vom Laptop"}
    await phone.disconnect()
    await laptop.disconnect()


async def test_a_staff_socket_hears_nothing_more_once_access_ends(
    channel_layer,
    client_and_counsellor,
    counsellor,
):
    from hafen.accounts.models import Team
    from hafen.conversations import triage

    door, _, staff_session = client_and_counsellor
    conversation_id = door.conversation.pk
    staff, _, _ = await _open(f"/ws/posteingang/{conversation_id}/", staff_session)
    await _send(staff, {"type": "hello", "after": 0})
    await _frames_until(staff, "receipts")

    def move_to_debt_counselling() -> None:
        conversation = Conversation.objects.get(pk=conversation_id)
        target = Team.objects.get(slug="schuldnerberatung")
        triage.transfer(
            counsellor,
            conversation,
            target,
            "Es geht eigentlich um Schulden.",
            expected_team=conversation.team_id,
        )

    await database_sync_to_async(move_to_debt_counselling)()
    await database_sync_to_async(actions.post_client_message)(
        conversation_id, "Nur für das neue Team", "after-move-001"
    )

    frames = await _frames_until(staff, "deleted")
    assert all(f.get("body") != "Nur für das neue Team" for f in frames)
    closed = await staff.receive_output(timeout=3)
    assert closed["type"] == "websocket.close" and closed["code"] == 4404


async def test_inbox_events_of_a_busy_team_are_folded_into_one(
    channel_layer,
    client_and_counsellor,
):
    """The first change reaches the inbox at once; the changes right after it arrive
    together as one batch, not as one frame per message for every counsellor."""
    door, _client_session, staff_session = client_and_counsellor
    others = [await database_sync_to_async(start_conversation)() for _ in range(2)]
    inbox, ok, _ = await _open("/ws/staff/", staff_session)
    assert ok
    await asyncio.sleep(events.TEAM_EVENT_WINDOW)  # the team has been quiet for a while

    for number, conversation_id in enumerate(
        [door.conversation.pk] + [other.conversation.pk for other in others]
    ):
        await database_sync_to_async(actions.post_client_message)(
            conversation_id, "Hallo", f"fold-id-{number:04d}"
        )

    first = json.loads(await inbox.receive_from(timeout=3))
    assert first["payload"] == {
        "kind": "conversation.message",
        "conversation": door.conversation.pk,
    }
    batch = json.loads(await inbox.receive_from(timeout=3))
    assert batch["payload"] == {
        "kind": "conversation.batch",
        "conversations": sorted(other.conversation.pk for other in others),
        "receipts_only": False,
    }
    assert await inbox.receive_nothing(timeout=0.5)
    await inbox.disconnect()


async def test_a_message_event_carries_the_body_sealed_never_readable(
    channel_layer,
    client_and_counsellor,
):
    door, client_session, _ = client_and_counsellor
    layer = get_channel_layer()
    listener = await layer.new_channel()
    await layer.group_add(f"conv.{door.conversation.pk}", listener)
    client, ok, _ = await _open("/ws/k/", client_session)
    assert ok
    await _send(client, {"type": "hello", "after": 0})
    await _frames_until(client, "receipts")

    await _send(client, {"type": "send", "id": "sealed-id-0001", "body": "Mein Geheimnis"})
    echo = (await _frames_until(client, "message"))[-1]

    event = await layer.receive(listener)
    assert event["kind"] == "message" and len(event["messages"]) == 1
    assert b"Geheimnis" not in repr(event).encode() and "Geheimnis" not in repr(event)
    # The socket opened it with the conversation's key: the frame a database read gives.
    assert echo["body"] == "Mein Geheimnis" and echo["own"] is True
    assert echo["client_id"] == "sealed-id-0001" and echo["receipt"] == "sent"
    await client.disconnect()


async def test_a_ping_brings_a_message_whose_event_was_lost(
    channel_layer,
    client_and_counsellor,
    monkeypatch,
):
    door, _, staff_session = client_and_counsellor
    staff, ok, _ = await _open(f"/ws/posteingang/{door.conversation.pk}/", staff_session)
    assert ok
    await _send(staff, {"type": "hello", "after": 0})
    await _frames_until(staff, "receipts")
    # A channel layer over capacity drops events without a word.
    monkeypatch.setattr(actions.events, "conversation_changed", lambda *a, **k: None)
    await database_sync_to_async(actions.post_client_message)(
        door.conversation.pk, "Bist du da?", "lost-event-0001"
    )
    assert await staff.receive_nothing(timeout=0.3)

    await _send(staff, {"type": "ping"})

    frames = await _frames_until(staff, "pong")
    assert [f["body"] for f in frames if f["type"] == "message"] == ["Bist du da?"]
    await staff.disconnect()
