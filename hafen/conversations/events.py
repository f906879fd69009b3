"""Realtime events of conversations, sent only after the change has committed.

Events carry no readable content: "something changed up to sequence number n", and
for a new message without attachment its sealed body (ciphertext under the
conversation's own key, which the channel layer never has). A socket whose cursor
stands right before the event's messages decrypts them with the key it holds and
sends them at once; any other socket (a gap, a missed event, an access check due)
reads what it may see from the database. So Redis never holds a message text, and a
socket that missed an event catches up with the next one or on reconnect, in order.

Two costs are kept off the hot path under load:

- The database thread does not wait for the channel layer: once a socket has told
  us which event loop serves this process (``serving_loop``), events are handed to
  that loop and sent there, while the database thread goes on with the next write.
- The team's inboxes hear at most one event per team every ``TEAM_EVENT_WINDOW``
  seconds from each process: the first change goes out at once, changes within the
  window are folded into one "conversation.batch" event. An inbox only refreshes
  its list on events, so with 20 counsellors online a message no longer costs 20
  frames.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import datetime
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from channels.layers import BaseChannelLayer, get_channel_layer
from django.db import transaction

if TYPE_CHECKING:
    from hafen.conversations.models import Conversation, Message

logger = logging.getLogger(__name__)

MARK_FIELDS = ("client_delivered_seq", "client_read_seq", "team_delivered_seq", "team_read_seq")
TEAM_EVENT_WINDOW = 0.25
# When several changes of one conversation fold into one event, the strongest wins.
KIND_WEIGHT = {"receipt": 0, "message": 1, "state": 2, "deleted": 3}


def conversation_group(conversation_id: int) -> str:
    return f"conv.{conversation_id}"


def team_group(team_id: int) -> str:
    return f"team.{team_id}"


def sealed_message(message: Message) -> dict[str, Any]:
    """A new message as it rides in an event: metadata and ciphertext, no text."""
    return {
        "seq": message.seq,
        "sender": message.sender,
        "body_sealed": bytes(message.body_sealed),
        "at": message.created_at.isoformat(),
        "client_id": message.client_msg_id,
        "author": str(message.author) if message.author is not None else "",
    }


def marks_of(conversation: Conversation) -> dict[str, int]:
    """The four delivered/read numbers of a conversation, for an event."""
    return {field: getattr(conversation, field) for field in MARK_FIELDS}


def parse_at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def conversation_changed(
    conversation_id: int,
    team_id: int,
    *,
    kind: str,
    marks: dict[str, int] | None = None,
    messages: list[dict[str, Any]] | None = None,
    tell_team: bool = True,
) -> None:
    """Tell the conversation's sockets and (``tell_team``) the team's inboxes, after commit.

    ``kind``: message | receipt | state | deleted. ``marks`` (the four delivered/read
    numbers, no content) ride along with a receipt, ``messages`` (``sealed_message``)
    with a message, so that sockets need not read them back.
    """
    event: dict[str, Any] = {"type": "conversation.changed", "kind": kind}
    if marks is not None:
        event["marks"] = marks
    if messages:
        event["messages"] = messages

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        loop = _loop_serving_now()
        if loop is not None:
            loop.call_soon_threadsafe(
                _dispatch, layer, conversation_id, team_id, kind, event, tell_team
            )
            return

        async def now() -> None:
            await layer.group_send(conversation_group(conversation_id), event)
            if tell_team:
                await layer.group_send(
                    team_group(team_id), _staff_event(_single(conversation_id, kind))
                )

        async_to_sync(now)()

    transaction.on_commit(send)


# -- the process's event loop -----------------------------------------------------------

_serving: asyncio.AbstractEventLoop | None = None
_team_events: TeamEvents | None = None
_tasks: set[asyncio.Task[Any]] = set()


def serving_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Called by every socket as it connects: the loop that serves this process."""
    global _serving, _team_events
    if _serving is not loop:
        _serving = loop
        _team_events = TeamEvents(loop)


def _loop_serving_now() -> asyncio.AbstractEventLoop | None:
    # A test's loop may be gone: then fall back to sending and waiting right here.
    loop = _serving
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    return loop


def _spawn(coroutine: Coroutine[Any, Any, None]) -> None:
    task = asyncio.get_running_loop().create_task(coroutine)
    _tasks.add(task)  # a task nobody refers to may be collected before it ends
    task.add_done_callback(_finished)


def _finished(task: asyncio.Task[Any]) -> None:
    _tasks.discard(task)
    if not task.cancelled() and task.exception() is not None:
        # Nothing is lost: the next event or a reconnect reads from the database.
        logger.warning("A realtime event could not be sent: %r", task.exception())


def _dispatch(
    layer: BaseChannelLayer,
    conversation_id: int,
    team_id: int,
    kind: str,
    event: dict[str, Any],
    tell_team: bool,
) -> None:
    _spawn(layer.group_send(conversation_group(conversation_id), event))
    if tell_team and _team_events is not None:
        _team_events.add(layer, team_id, conversation_id, kind)


def _staff_event(payload: dict[str, Any]) -> dict[str, Any]:
    return {"type": "staff.event", "payload": payload}


def _single(conversation_id: int, kind: str) -> dict[str, Any]:
    return {"kind": f"conversation.{kind}", "conversation": conversation_id}


def folded(changes: dict[int, str]) -> dict[str, Any]:
    """One inbox event for the changes of a window: conversation id → strongest kind."""
    if len(changes) == 1:
        ((conversation_id, kind),) = changes.items()
        return _single(conversation_id, kind)
    return {
        "kind": "conversation.batch",
        "conversations": sorted(changes),
        "receipts_only": all(kind == "receipt" for kind in changes.values()),
    }


class TeamEvents:
    """Per process and team: the first change at once, later ones folded per window."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.last_sent: dict[int, float] = {}
        self.pending: dict[int, dict[int, str]] = {}

    def add(self, layer: BaseChannelLayer, team_id: int, conversation_id: int, kind: str) -> None:
        now = self.loop.time()
        pending = self.pending.get(team_id)
        if pending is None:
            last = self.last_sent.get(team_id)
            if last is None or now - last >= TEAM_EVENT_WINDOW:
                self.last_sent[team_id] = now
                _spawn(
                    layer.group_send(
                        team_group(team_id), _staff_event(_single(conversation_id, kind))
                    )
                )
                return
            pending = self.pending[team_id] = {}
            self.loop.call_at(last + TEAM_EVENT_WINDOW, self.flush, layer, team_id)
        earlier = pending.get(conversation_id)
        if earlier is None or KIND_WEIGHT[kind] > KIND_WEIGHT[earlier]:
            pending[conversation_id] = kind

    def flush(self, layer: BaseChannelLayer, team_id: int) -> None:
        changes = self.pending.pop(team_id, None)
        if not changes:
            return
        self.last_sent[team_id] = self.loop.time()
        _spawn(layer.group_send(team_group(team_id), _staff_event(folded(changes))))
