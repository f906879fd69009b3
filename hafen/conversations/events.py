"""Realtime events of conversations, sent only after the change has committed.

Events carry no content: only "something changed up to sequence number n". Every
socket then reads what it may see from the database, so the channel layer (Redis)
never holds a message text, and a socket that missed an event catches up with the
next one or on reconnect, in order.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def conversation_group(conversation_id: int) -> str:
    return f"conv.{conversation_id}"


def team_group(team_id: int) -> str:
    return f"team.{team_id}"


def _send(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, event)


def conversation_changed(conversation_id: int, team_id: int, *, kind: str) -> None:
    """Tell the conversation's sockets and the team's inboxes, after commit.

    ``kind``: message | receipt | state | deleted.
    """

    def send() -> None:
        _send(conversation_group(conversation_id), {"type": "conversation.changed", "kind": kind})
        _send(
            team_group(team_id),
            {
                "type": "staff.event",
                "payload": {"kind": f"conversation.{kind}", "conversation": conversation_id},
            },
        )

    transaction.on_commit(send)
