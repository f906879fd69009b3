"""The client's language: the conversation remembers what the client chose at the door.

Automatic answers (the away message outside office hours) and the websocket's error
messages are written in ``Conversation.language``. It is set when the conversation
starts and follows the client's later choice in the door's language switcher.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from hafen.conversations.models import Conversation
from hafen.privacy import audit


@transaction.atomic
def remember_choice(conversation_id: int, language: str) -> bool:
    """Set the conversation's language to one the door offers; True if it changed."""
    if language not in settings.HAFEN_DOOR_LANGUAGES:
        return False
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("team__facility")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None or conversation.language == language:
        return False
    conversation.language = language
    conversation.save(update_fields=["language"])
    audit.record(
        "conversation.language_changed",
        target=conversation,
        organisation_id=conversation.organisation_id,
        language=language,
    )
    return True
