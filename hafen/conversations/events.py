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


MARK_FIELDS = ("client_delivered_seq", "client_read_seq", "team_delivered_seq", "team_read_seq")


def conversation_changed(
    conversation_id: int,
    team_id: int,
    *,
    kind: str,
    marks: dict[str, int] | None = None,
    tell_team: bool = True,
) -> None:
    """Tell the conversation's sockets and (``tell_team``) the team's inboxes, after commit.

    ``kind``: message | receipt | state | deleted. ``marks`` (the four delivered/read
    numbers, no content) ride along with a receipt, so no socket has to read them back.
    """
    event: dict[str, Any] = {"type": "conversation.changed", "kind": kind}
    if marks is not None:
        event["marks"] = marks

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return

        # One hop into the event loop for both groups: every hop holds up the one
        # database thread that all sockets of this process share.
        async def both() -> None:
            await layer.group_send(conversation_group(conversation_id), event)
            if tell_team:
                await layer.group_send(
                    team_group(team_id),
                    {
                        "type": "staff.event",
                        "payload": {
                            "kind": f"conversation.{kind}",
                            "conversation": conversation_id,
                        },
                    },
                )

        async_to_sync(both)()

    transaction.on_commit(send)
