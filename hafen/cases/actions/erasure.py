"""Erasing a case file for good (retention, a data-subject request): crypto-shredding.

The caller decides that the case may go (``privacy.retention.blockers``), holds the
transaction and writes the proof in it (audit entry, ``DeletionLog`` row); this
module only removes the case.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import transaction

from hafen.cases.models import Case, CaseAttachment, CaseEntry
from hafen.privacy import crypto


def _remove_files_after_commit(names: list[str]) -> None:
    # After commit: a rolled-back erasure must still find its files.
    def remove() -> None:
        for name in names:
            if name:
                default_storage.delete(name)

    transaction.on_commit(remove)


def erase_case(case: Case) -> None:
    """Shred the case's key, delete the case with every row that hangs on it.

    Entries, versions, attachments, plans, disclosures, links to conversations and
    notices go by ON DELETE CASCADE; linked conversations themselves stay under their
    own rule, and meeting minutes under their own key.
    """
    names = list(
        CaseAttachment.objects.filter(entry__case=case).values_list("storage_name", flat=True)
    )
    crypto.shred(case.data_key)
    # An entry points at its current version with PROTECT, which the cascade from the
    # case would trip over; the versions go with their entries a moment later.
    CaseEntry.objects.filter(case=case).update(current_version=None)
    case.delete()
    _remove_files_after_commit(names)
