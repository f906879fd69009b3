"""Erasure replay: after a restore, everything erased since the backup is erased again.

Two sources, both outside the data backup:

- the deletion log: each logged conversation or case that is back (same id and, when
  logged, the same data key) is erased again through ``retention.erase``; the logged
  data key is shredded if it somehow is not;
- the key store: a conversation or case whose data key is shredded (a client deleted
  the own conversation, which leaves no deletion log) is unreadable already, and its
  rows and files go as well.

Each replayed erasure leaves a content-free audit entry. Callers hold the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from hafen.privacy import audit, crypto
from hafen.privacy.models import DataKey
from hafen.privacy.retention import erase
from hafen.privacy.retention.models import DeletionLog, RetentionKind


@dataclass
class ReplayReport:
    conversations: int = 0
    cases: int = 0
    keys_shredded: int = 0

    @property
    def total(self) -> int:
        return self.conversations + self.cases


def _record_id(log: DeletionLog) -> int | None:
    return int(log.record_id) if log.record_id.isdigit() else None


def _erase(record: models.Model, kind: str, source: str, report: ReplayReport) -> None:
    audit.record(
        "backup.erasure_replayed",
        target=record,
        organisation_id=record.organisation_id,  # type: ignore[attr-defined]
        kind=kind,
        source=source,
    )
    if kind == RetentionKind.CONVERSATION:
        erase.erase_conversation(record)  # type: ignore[arg-type]
        report.conversations += 1
    else:
        erase.erase_case(record)  # type: ignore[arg-type]
        report.cases += 1


def _logged(log: DeletionLog) -> models.Model | None:
    from hafen.cases.models import Case
    from hafen.conversations.models import Conversation

    pk = _record_id(log)
    if pk is None:
        return None
    model: type[models.Model]
    if log.kind == RetentionKind.CONVERSATION:
        model = Conversation
    elif log.kind == RetentionKind.CASE:
        model = Case
    else:
        return None
    rows = model._base_manager.filter(pk=pk)
    if log.data_key_id is not None:
        # Ids of erased records are never handed out again (see ``sequences``), but a
        # record only counts as the same one with the same key.
        rows = rows.filter(data_key_id=log.data_key_id)
    return rows.first()


def replay() -> ReplayReport:
    from hafen.cases.models import Case
    from hafen.conversations.models import Conversation

    report = ReplayReport()
    for log in DeletionLog.objects.order_by("deleted_at", "pk").iterator(chunk_size=500):
        if log.data_key_id is not None:
            for data_key in DataKey.objects.filter(pk=log.data_key_id, shredded_at__isnull=True):
                crypto.shred(data_key)
                report.keys_shredded += 1
        record = _logged(log)
        if record is not None:
            _erase(record, log.kind, "deletion_log", report)
    shredded = {"data_key__shredded_at__isnull": False}
    for conversation in Conversation.objects.filter(**shredded).order_by("pk"):
        _erase(conversation, RetentionKind.CONVERSATION, "shredded_key", report)
    for case in Case.objects.filter(**shredded).order_by("pk"):
        _erase(case, RetentionKind.CASE, "shredded_key", report)
    return report
