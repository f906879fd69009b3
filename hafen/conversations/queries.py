"""Read-side helpers: messages as each side sees them, and the inbox list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone

from hafen.conversations import events
from hafen.conversations.models import MESSAGE_BODY_CONTEXT, Conversation, Message, Sender
from hafen.privacy.crypto import decrypt_text

PAGE = 200


def receipt(conversation: Conversation, seq: int, *, viewer: str) -> str:
    """sent | delivered | read — for messages of the viewer's own side."""
    if viewer == "client":
        delivered, read = conversation.team_delivered_seq, conversation.team_read_seq
    else:
        delivered, read = conversation.client_delivered_seq, conversation.client_read_seq
    if seq <= read:
        return "read"
    if seq <= delivered:
        return "delivered"
    return "sent"


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
    payload = _payload(
        conversation,
        viewer=viewer,
        seq=message.seq,
        sender=message.sender,
        body=message.body,
        at=message.created_at,
        client_id=message.client_msg_id,
        author=str(message.author) if message.author is not None else "",
    )
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


def sealed_payload(
    conversation: Conversation, sealed: dict[str, Any], *, viewer: str
) -> dict[str, Any]:
    """A message from an event (``events.sealed_message``), decrypted with the key the
    socket holds: the same frame as ``message_payload`` gives, without a query."""
    return _payload(
        conversation,
        viewer=viewer,
        seq=sealed["seq"],
        sender=sealed["sender"],
        body=decrypt_text(
            conversation.data_key, sealed["body_sealed"], context=MESSAGE_BODY_CONTEXT
        ),
        at=events.parse_at(sealed["at"]),
        client_id=sealed["client_id"],
        author=sealed["author"],
    )


def _payload(
    conversation: Conversation,
    *,
    viewer: str,
    seq: int,
    sender: str,
    body: str,
    at: datetime,
    client_id: str,
    author: str,
) -> dict[str, Any]:
    own = sender == (Sender.CLIENT if viewer == "client" else Sender.STAFF)
    payload: dict[str, Any] = {
        "seq": seq,
        "sender": sender,
        "own": own,
        "body": body,
        "at": timezone.localtime(at).isoformat(),
        "client_id": client_id if own else "",
    }
    if viewer == "staff" and author:
        payload["author"] = author
    if own:
        payload["receipt"] = receipt(conversation, seq, viewer=viewer)
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
