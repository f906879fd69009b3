"""The staff websocket through the real ASGI application: origin check, session auth,
events only after commit — on the in-process layer and on Redis."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction

from hafen.asgi import application
from hafen.conftest import login_client
from hafen.lib.realtime import publish_to_user

pytestmark = pytest.mark.django_db(transaction=True)


# The origin check reads ALLOWED_HOSTS when hafen.asgi is imported, before the test
# runner adds "testserver": use an address the default settings allow.
def _headers(session_id: str | None, origin: str = "http://127.0.0.1") -> list[tuple[bytes, bytes]]:
    headers = [(b"origin", origin.encode()), (b"host", b"127.0.0.1")]
    if session_id:
        headers.append((b"cookie", f"sessionid={session_id}".encode()))
    return headers


@pytest.fixture
def counsellor_session(counsellor) -> tuple[int, str]:
    client = login_client(counsellor)
    return counsellor.pk, client.cookies["sessionid"].value


async def _connect(session_id: str | None, origin: str = "http://127.0.0.1"):
    communicator = WebsocketCommunicator(
        application, "/ws/staff/", headers=_headers(session_id, origin)
    )
    connected, code = await communicator.connect()
    return communicator, connected, code


async def test_anonymous_sockets_are_refused(channel_layer, org) -> None:
    _communicator, connected, code = await _connect(None)

    assert not connected and code == 4401


async def test_a_foreign_origin_is_refused(channel_layer, counsellor_session) -> None:
    _, session_id = counsellor_session

    _communicator, connected, _ = await _connect(session_id, origin="https://evil.example")

    assert not connected


async def test_staff_hear_events_after_commit_only(channel_layer, counsellor_session) -> None:
    user_id, session_id = counsellor_session
    communicator, connected, _ = await _connect(session_id)
    assert connected

    def rolled_back() -> None:
        try:
            with transaction.atomic():
                publish_to_user(user_id, {"kind": "never"})
                raise RuntimeError("rollback")
        except RuntimeError:
            pass

    def committed() -> None:
        with transaction.atomic():
            publish_to_user(user_id, {"kind": "conversation.new", "id": 7})

    await database_sync_to_async(rolled_back)()
    assert await communicator.receive_nothing(timeout=0.3)
    await database_sync_to_async(committed)()

    frame = json.loads(await communicator.receive_from(timeout=3))
    assert frame == {"type": "event", "payload": {"kind": "conversation.new", "id": 7}}
    await communicator.disconnect()


async def test_events_reach_only_their_addressee(
    channel_layer, counsellor_session, volunteer
) -> None:
    _, session_id = counsellor_session
    communicator, connected, _ = await _connect(session_id)
    assert connected

    await database_sync_to_async(publish_to_user)(volunteer.pk, {"kind": "for-someone-else"})

    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        json.dumps([1, 2]),
        json.dumps({"type": "subscribe", "team": 1}),
        "x" * 10_000,
        "\ud800",
    ],
)
async def test_hostile_frames_get_an_error_and_the_socket_stays_usable(
    channel_layer, counsellor_session, frame
) -> None:
    _, session_id = counsellor_session
    communicator, connected, _ = await _connect(session_id)
    assert connected

    await communicator.send_to(text_data=frame)
    reply = json.loads(await communicator.receive_from(timeout=3))
    assert reply["type"] == "error"

    await communicator.send_to(text_data=json.dumps({"type": "ping"}))
    assert json.loads(await communicator.receive_from(timeout=3)) == {"type": "pong"}
    await communicator.disconnect()
