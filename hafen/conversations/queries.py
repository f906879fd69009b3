"""Read-side helpers: messages as each side sees them, and the inbox list."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone

from hafen.conversations.models import Conversation, Message, Sender

PAGE = 200


def receipt(conversation: Conversation, message: Message, *, viewer: str) -> str:
    """sent | delivered | read — for messages of the viewer's own side."""
    if viewer == "client":
        delivered, read = conversation.team_delivered_seq, conversation.team_read_seq
    else:
        delivered, read = conversation.client_delivered_seq, conversation.client_read_seq
    if message.seq <= read:
        return "read"
    if message.seq <= delivered:
        return "delivered"
    return "sent"


def _own(message: Message, viewer: str) -> bool:
    return message.sender == (Sender.CLIENT if viewer == "client" else Sender.STAFF)


def messages_after(
    conversation: Conversation, after: int, *, viewer: str, limit: int = PAGE
) -> list[Message]:
    return list(
        Message.objects.filter(conversation=conversation, seq__gt=after)
        .select_related("author", "attachment")
        .order_by("seq")[:limit]
    )


def messages_with_conversation(conversation_id: int, after: int) -> list[Message]:
    """The next page of messages after ``after``, each with its conversation and data key."""
    return list(
        Message.objects.filter(conversation_id=conversation_id, seq__gt=after)
        .select_related("conversation__data_key", "author", "attachment")
        .order_by("seq")[:PAGE]
    )


def message_payload(conversation: Conversation, message: Message, *, viewer: str) -> dict[str, Any]:
    """One message for a socket or a page. The body is decrypted here, for this viewer only."""
    message.conversation = conversation  # the key is already loaded: no query per message
    payload: dict[str, Any] = {
        "seq": message.seq,
        "sender": message.sender,
        "own": _own(message, viewer),
        "body": message.body,
        "at": timezone.localtime(message.created_at).isoformat(),
        "client_id": message.client_msg_id if _own(message, viewer) else "",
    }
    if viewer == "staff" and message.author is not None:
        payload["author"] = str(message.author)
    if payload["own"]:
        payload["receipt"] = receipt(conversation, message, viewer=viewer)
    attachment = getattr(message, "attachment", None)
    if attachment is not None:
        attachment.message = message
        payload["attachment"] = {
            "name": attachment.name,
            "type": attachment.content_type,
            "size": attachment.size,
            "url": reverse(
                "conversations:client_attachment"
                if viewer == "client"
                else "conversations:staff_attachment",
                args=[message.seq] if viewer == "client" else [conversation.pk, message.seq],
            ),
        }
    return payload


def receipts(conversation: Conversation, *, viewer: str) -> dict[str, int]:
    """The other side's marks, for updating the viewer's own messages."""
    if viewer == "client":
        return {"delivered": conversation.team_delivered_seq, "read": conversation.team_read_seq}
    return {"delivered": conversation.client_delivered_seq, "read": conversation.client_read_seq}


def inbox(team_ids: set[int], user_id: int) -> QuerySet[Conversation]:
    """The conversations a person's inbox lists, with the unread count of the team."""
    return (
        Conversation.objects.visible_to_ids(team_ids, user_id)
        .select_related("team__facility", "assigned_to")
        .prefetch_related("labels")
        .annotate(unread=F("last_seq") - F("team_read_seq"))
    )
