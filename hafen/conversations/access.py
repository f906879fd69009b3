"""The one door to a conversation, for views, sockets and exports alike.

Staff: ``access_conversation`` answers need-to-know through ``accounts.access.may_see``
and raises 404 (not 403) so that outsiders cannot learn which ids exist.
Clients: the session holds the id of the one conversation the client opened with
its code (or started); nothing else identifies a client.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from hafen.accounts import access
from hafen.conversations.models import Conversation

SESSION_KEY = "door_conversation"


def access_conversation(user: object, conversation_id: int) -> Conversation:
    conversation = (
        Conversation.objects.select_related("team__facility", "data_key", "assigned_to")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None or not access.may_see(user, conversation):
        raise Http404
    return conversation


def may_access(user: object, conversation_id: int) -> bool:
    try:
        access_conversation(user, conversation_id)
    except Http404:
        return False
    return True


def client_conversation_id(session: Any) -> int | None:
    value = session.get(SESSION_KEY)
    return value if isinstance(value, int) else None


def client_conversation(session: Any) -> Conversation | None:
    """The conversation this browser session was opened for, if it still exists."""
    conversation_id = client_conversation_id(session)
    if conversation_id is None:
        return None
    return (
        Conversation.objects.select_related("team__facility", "data_key")
        .filter(pk=conversation_id)
        .first()
    )


def open_for_client(session: Any, conversation: Conversation) -> None:
    # A new session key: a session id seen before the code was entered is worthless after.
    session.cycle_key()
    session[SESSION_KEY] = conversation.pk


def close_for_client(session: Any) -> None:
    session.flush()
