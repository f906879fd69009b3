"""Realtime events to staff, sent only after the transaction that caused them commits.

Nobody hears of a change that was rolled back. Later apps (the inbox) publish here:

    realtime.publish_to_user(user.pk, {"kind": "conversation.new", "id": 42})
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def user_group(user_id: int) -> str:
    return f"staff.{user_id}"


def publish_to_user(user_id: int, payload: dict[str, Any]) -> None:
    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(
                user_group(user_id), {"type": "staff.event", "payload": payload}
            )

    transaction.on_commit(send)
