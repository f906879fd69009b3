"""Property-based tests of the websockets with hostile frames and forged sessions.

Through the real ASGI application (origin check, session, router, consumer) with
Channels' communicator. Properties: a frame never raises in the consumer (which would
close the socket with 1011 for the client); a frame answered with an error changes no
row of the database; after any frames the socket still answers a ping; a forged,
absent or foreign session never opens a socket. ``test_socket_protocol.py`` has the
hand-picked cases; these add the generated ones.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.core.cache import cache
from hypothesis import example, given
from hypothesis import strategies as st

from hafen.asgi import application
from hafen.conftest import login_client
from hafen.conversations.tests.conftest import start_conversation
from hafen.fuzzing import (
    FUZZ,
    changed_tables,
    edge_integers,
    fingerprint,
    hostile_text,
    json_values,
)

pytestmark = pytest.mark.django_db(transaction=True)

CLOSE_UNAUTHORISED = 4401


@pytest.fixture(autouse=True)
def _memory_layer(settings) -> None:
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "hafen.lib.local_layer.LocalChannelLayer"}}
    cache.clear()


def _headers(session_id: str | None, origin: bytes = b"http://127.0.0.1") -> list:
    headers = [(b"origin", origin), (b"host", b"127.0.0.1")]
    if session_id is not None:
        headers.append((b"cookie", b"sessionid=" + session_id.encode("latin-1")))
    return headers


# --- frames ------------------------------------------------------------------------------

numbers = st.one_of(edge_integers, json_values)
ids = st.one_of(st.just("fuzz-frame-0001"), hostile_text(70), json_values)
json_frames = st.fixed_dictionaries(
    {"type": st.one_of(st.sampled_from(["hello", "send", "seen", "ping"]), json_values)},
    optional={
        "after": numbers,
        "id": ids,
        "body": st.one_of(hostile_text(), json_values),
        "delivered": numbers,
        "read": numbers,
        "extra": json_values,
    },
).map(json.dumps)
raw_frames = st.one_of(
    hostile_text(),  # mostly not JSON at all
    st.sampled_from(
        [
            "[" * 20_000 + "]" * 20_000,  # nesting deeper than the parser's recursion
            '{"type": "hello", "after": ' + "9" * 5_000 + "}",  # a 5,000-digit number
            '{"type": "send", "type": "hello"}',  # a repeated key
            '{"type": "hello", "after": 1e400}',
            '{"type": "hello", "after": NaN}',
            '{"type": "seen", "delivered": -Infinity}',
            "\ufeff{}",
            "null",
            '"hello"',
            "x" * (64 * 1024),
        ]
    ),
)
frames = st.one_of(
    json_frames.map(lambda text: ("text", text)),
    json_frames.map(lambda text: ("text", text)),
    raw_frames.map(lambda text: ("text", text)),
    st.binary(max_size=100).map(lambda data: ("bytes", data)),
)


async def _exchange(communicator: WebsocketCommunicator, kind: str, payload: Any) -> list[dict]:
    """Send one frame, then a ping; every frame that came back before the pong."""
    # send_input, not send_to: an empty frame is a frame too (send_to refuses it).
    key = "bytes" if kind == "bytes" else "text"
    await communicator.send_input({"type": "websocket.receive", key: payload})
    await communicator.send_to(text_data='{"type": "ping"}')
    replies = []
    while True:
        output = await communicator.receive_output(timeout=5)
        assert output["type"] == "websocket.send", f"the socket closed: {output}"
        frame = json.loads(output["text"])
        if frame["type"] == "pong":
            return replies
        replies.append(frame)


@pytest.fixture
def door_session(org) -> str:
    door = start_conversation()
    return door.browser.cookies["sessionid"].value


@FUZZ
@given(sequence=st.lists(frames, min_size=1, max_size=6))
@example(sequence=[("text", '{"type": "hello", "after": 1180591620717411303424}')])
@example(sequence=[("text", '{"type": "seen", "delivered": 1180591620717411303424, "read": 1}')])
@example(sequence=[("text", "[" * 20_000 + "]" * 20_000)])
@example(sequence=[("text", '{"type": ["send"]}'), ("text", '{"type": {"a": 1}}')])
def test_hostile_frames_at_the_client_socket_crash_nothing_and_errors_change_nothing(
    door_session, sequence
) -> None:
    async def scenario() -> None:
        communicator = WebsocketCommunicator(application, "/ws/k/", _headers(door_session))
        connected, _ = await communicator.connect()
        assert connected
        for kind, payload in sequence:
            before = await _in_thread(fingerprint)()
            replies = await _exchange(communicator, kind, payload)
            if any(reply["type"] == "error" for reply in replies):
                assert not [r for r in replies if r["type"] == "ack"]
                changed = changed_tables(before, await _in_thread(fingerprint)())
                assert not changed, (payload[:80], changed)
                assert all(r["message"] for r in replies if r["type"] == "error")
        await communicator.disconnect()

    async_to_sync(scenario)()


def _in_thread(function):
    from channels.db import database_sync_to_async

    return database_sync_to_async(function)


@FUZZ
@given(
    sequence=st.lists(
        st.one_of(
            raw_frames.map(lambda t: ("text", t)),
            json_frames.map(lambda t: ("text", t)),
            st.binary(max_size=50).map(lambda b: ("bytes", b)),
        ),
        min_size=1,
        max_size=4,
    )
)
@example(sequence=[("text", "[" * 1_500 + "]" * 1_500)])
def test_hostile_frames_at_the_staff_event_socket_get_an_error_and_crash_nothing(
    counsellor, sequence
) -> None:
    session = login_client(counsellor).cookies["sessionid"].value

    async def scenario() -> None:
        communicator = WebsocketCommunicator(application, "/ws/staff/", _headers(session))
        connected, _ = await communicator.connect()
        assert connected
        for kind, payload in sequence:
            replies = await _exchange(communicator, kind, payload)
            assert all(reply["type"] in ("error", "event") for reply in replies), replies
        await communicator.disconnect()

    async_to_sync(scenario)()


# What a cookie header can carry: bytes, read as Latin-1.
forged_sessions = st.one_of(
    st.none(),
    st.text(st.characters(max_codepoint=0xFF, exclude_characters=";, "), max_size=60),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=32, max_size=32),
)


@FUZZ
@given(
    session_id=forged_sessions,
    path=st.sampled_from(["/ws/k/", "/ws/staff/", "/ws/posteingang/{id}/"]),
)
@example(session_id="0000000\x00", path="/ws/k/")
def test_a_forged_or_absent_session_opens_no_socket(door_session, session_id, path) -> None:
    from hafen.conversations.models import Conversation

    conversation_id = Conversation.objects.get().pk
    before = fingerprint()

    async def scenario() -> tuple[bool, Any]:
        communicator = WebsocketCommunicator(
            application, path.format(id=conversation_id), _headers(session_id)
        )
        connected, code = await communicator.connect()
        await communicator.disconnect()
        return connected, code

    connected, code = async_to_sync(scenario)()

    assert not connected and code == CLOSE_UNAUTHORISED, (connected, code)
    assert not changed_tables(before, fingerprint())


@FUZZ
@given(
    origin=st.one_of(
        st.sampled_from([b"", b"null", b"http://evil.example", b"http://127.0.0.1.evil.example"]),
        st.binary(max_size=40),
    ),
    path=st.sampled_from(["/ws/k/", "/ws/staff/"]),
)
def test_a_foreign_or_garbled_origin_is_refused_even_with_a_good_session(
    door_session, origin, path
) -> None:
    async def scenario() -> bool:
        communicator = WebsocketCommunicator(application, path, _headers(door_session, origin))
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    assert not async_to_sync(scenario)()


@pytest.mark.parametrize(
    "path",
    ["/ws/posteingang/99999999999999999999999/", "/ws/posteingang/-1/", "/ws/nirgends/"],
)
def test_a_socket_to_an_address_that_does_not_exist_is_refused_quietly(counsellor, path) -> None:
    session = login_client(counsellor).cookies["sessionid"].value

    async def scenario() -> bool:
        communicator = WebsocketCommunicator(application, path, _headers(session))
        try:
            connected, _ = await communicator.connect()
        except ValueError:  # the router refuses an unknown path before any consumer
            return False
        await communicator.disconnect()
        return connected

    assert not async_to_sync(scenario)()
