"""Removing one record for good: shred its data key, delete its rows, remove its files.

These belong in the apps that own the records (``conversations.actions`` and
``cases.actions``) and should move there; they sit here for now because this work
may not change other apps. They only use those apps' models and public functions.
Callers hold the transaction; files are removed after it commits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.files.storage import default_storage
from django.db import transaction

from hafen.privacy import crypto

if TYPE_CHECKING:
    from hafen.cases.models import Case
    from hafen.conversations.models import Conversation


def _remove_files_after_commit(names: list[str]) -> None:
    def remove() -> None:
        for name in names:
            if name:
                default_storage.delete(name)

    transaction.on_commit(remove)


def erase_conversation(conversation: Conversation) -> None:
    """Shred the conversation's key, delete it with messages, notes and attachments."""
    from hafen.conversations import events
    from hafen.conversations.models import Message

    conversation_id, team_id = conversation.pk, conversation.team_id
    names = list(
        Message.objects.filter(conversation=conversation, attachment__isnull=False).values_list(
            "attachment__storage_name", flat=True
        )
    )
    crypto.shred(conversation.data_key)
    conversation.delete()
    _remove_files_after_commit(names)
    # An inbox that shows it drops it (sent after commit).
    events.conversation_changed(conversation_id, team_id, kind="deleted")


def erase_case(case: Case) -> None:
    """Shred the case's key, delete the case with every row that hangs on it.

    Entries, versions, attachments, plans, disclosures, links to conversations and
    notices go by ON DELETE CASCADE; linked conversations themselves stay under their
    own rule, and meeting minutes under their own key.
    """
    from hafen.cases.models import CaseAttachment, CaseEntry

    names = list(
        CaseAttachment.objects.filter(entry__case=case).values_list("storage_name", flat=True)
    )
    crypto.shred(case.data_key)
    # An entry points at its current version with PROTECT, which the cascade from the
    # case would trip over; the versions go with their entries a moment later.
    CaseEntry.objects.filter(case=case).update(current_version=None)
    case.delete()
    _remove_files_after_commit(names)
