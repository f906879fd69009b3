"""The append-only, hash-chained audit log: who did what to which record, when.

Every action function calls ``record()`` inside its own transaction, so an entry
exists exactly when the change does. Entries never hold content: ``details`` takes
only short scalar values (ids, states, counts, a field name), checked here.

Each entry's hash covers its fields and the previous entry's hash; ``verify()``
walks the chain and names the first entry that does not match, and compares the
end of the chain with the head row to notice entries cut off at the end.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from hafen.privacy.models import AuditCheckpoint, AuditEntry, AuditHead

GENESIS_HASH = "0" * 64
MAX_DETAIL_LENGTH = 200

Scalar = str | int | bool | None


class AuditDetailError(ValueError):
    """``details`` would carry something that is not a short scalar (content belongs elsewhere)."""


def _timestamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def compute_hash(
    *,
    seq: int,
    at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    organisation_id: int | None,
    details: dict[str, Any],
    previous_hash: str,
) -> str:
    payload = json.dumps(
        [
            seq,
            _timestamp(at),
            actor_id,
            actor_label,
            action,
            object_type,
            object_id,
            organisation_id,
            details,
            previous_hash,
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def entry_hash(entry: AuditEntry) -> str:
    return compute_hash(
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        organisation_id=entry.organisation_id,
        details=entry.details,
        previous_hash=entry.previous_hash,
    )


def _check_details(details: dict[str, Scalar]) -> dict[str, Scalar]:
    for key, value in details.items():
        if not isinstance(key, str) or len(key) > 40:
            raise AuditDetailError(f"Audit detail key {key!r} is not a short name.")
        if value is not None and not isinstance(value, str | int | bool):
            raise AuditDetailError(f"Audit detail {key!r} must be a scalar, not {type(value)}.")
        if isinstance(value, str) and len(value) > MAX_DETAIL_LENGTH:
            raise AuditDetailError(f"Audit detail {key!r} is too long to be a reference.")
    return details


def record(
    action: str,
    *,
    actor: Any = None,
    target: models.Model | None = None,
    organisation_id: int | None = None,
    **details: Scalar,
) -> AuditEntry:
    """Append one entry; call it inside the transaction of the change it records.

    ``actor`` is a staff user or None for the system (a scheduled task, a client who
    is anonymous by design). ``target`` names the record by type and id only.
    """
    _check_details(details)
    with transaction.atomic():
        # The head row is the chain's lock: on PostgreSQL the row lock serialises
        # writers; on SQLite the IMMEDIATE transaction mode already does.
        head, _ = AuditHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"seq": 0, "entry_hash": GENESIS_HASH}
        )
        entry = AuditEntry(
            seq=head.seq + 1,
            at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_label=getattr(actor, "username", "") if actor is not None else "",
            action=action,
            object_type=target._meta.label_lower if target is not None else "",
            object_id=str(target.pk) if target is not None else "",
            organisation_id=organisation_id,
            details=details,
            previous_hash=head.entry_hash,
        )
        entry.entry_hash = entry_hash(entry)
        entry.save(force_insert=True)
        head.seq = entry.seq
        head.entry_hash = entry.entry_hash
        head.save(update_fields=["seq", "entry_hash"])
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""
    # missing | out_of_order | altered | truncated: for messages in the user's language.
    kind: str = ""


def _anchored(checkpoint: AuditCheckpoint) -> bool:
    """The checkpoint is named by the ``audit.pruned`` entry that retention appended."""
    return AuditEntry.objects.filter(
        action="audit.pruned",
        seq__gt=checkpoint.seq,
        details__up_to=checkpoint.seq,
        details__hash=checkpoint.entry_hash,
    ).exists()


def verify(batch_size: int = 2000) -> VerifyResult:
    """Walk the whole chain (from the latest retention checkpoint on); report the first
    entry that breaks it."""
    previous_hash = GENESIS_HASH
    expected_seq = 1
    checkpoint = AuditCheckpoint.objects.order_by("-seq").first()
    if checkpoint is not None:
        if not _anchored(checkpoint):
            return VerifyResult(
                False,
                0,
                checkpoint.seq,
                f"the checkpoint at entry {checkpoint.seq} is not confirmed by the chain",
                "missing",
            )
        previous_hash, expected_seq = checkpoint.entry_hash, checkpoint.seq + 1
    checked = 0
    last_seq = expected_seq - 1
    while True:
        batch = list(AuditEntry.objects.filter(seq__gte=expected_seq).order_by("seq")[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.seq != expected_seq:
                return VerifyResult(
                    False, checked, expected_seq, f"entry {expected_seq} is missing", "missing"
                )
            if entry.previous_hash != previous_hash:
                return VerifyResult(
                    False, checked, entry.seq, "does not follow the entry before it", "out_of_order"
                )
            if entry_hash(entry) != entry.entry_hash:
                return VerifyResult(False, checked, entry.seq, "its content was altered", "altered")
            previous_hash = entry.entry_hash
            expected_seq += 1
            last_seq = entry.seq
            checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    head_seq = head.seq if head else 0
    head_hash = head.entry_hash if head else GENESIS_HASH
    if head_seq != last_seq or head_hash != previous_hash:
        return VerifyResult(
            False,
            checked,
            last_seq + 1,
            f"the chain ends at entry {last_seq}, but entry {head_seq} was written",
            "truncated",
        )
    return VerifyResult(True, checked)
