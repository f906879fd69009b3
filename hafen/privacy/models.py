"""Data keys and the audit chain.

Data keys live in their own table so that a later deployment can move them to a
separate store (an HSM or another database) without touching the content tables.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataKey(models.Model):
    """A random AES-256 key for one subject (a conversation, a case), wrapped by the master key.

    Destroying it (``crypto.shred``) empties ``wrapped`` for good: every ciphertext
    made with it is unreadable from then on, in the database and in every backup that
    is restored after the key's deletion has been replayed.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(_("purpose"), max_length=64)
    master_key_id = models.CharField(max_length=16, blank=True)
    wrapped = models.BinaryField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    shredded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")
        indexes = [models.Index(fields=["master_key_id"])]

    def __str__(self) -> str:
        return f"{self.purpose}:{self.id}"

    @property
    def is_shredded(self) -> bool:
        return self.shredded_at is not None


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: object) -> int:
        raise TypeError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit log is append-only.")


class AuditEntry(models.Model):
    """Who did what to which record, when. Never content.

    ``entry_hash`` covers this entry's fields and ``previous_hash``, so that changing
    or removing any entry breaks the chain from there on (``hafen audit verify``).
    """

    seq = models.BigAutoField(primary_key=True)
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor_id", "at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit log is append-only.")


class AuditCheckpoint(models.Model):
    """Where the chain starts after retention removed its oldest entries.

    ``seq`` and ``entry_hash`` are those of the last removed entry: verification starts
    after it. The pruning also appends an ``audit.pruned`` entry naming both, so the
    checkpoint is itself anchored in the chain that follows it; a checkpoint without
    that entry fails verification.
    """

    seq = models.BigIntegerField(primary_key=True)
    entry_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self) -> str:
        return f"checkpoint #{self.seq}"


def prune_audit_entries(up_to_seq: int) -> int:
    """Remove the entries up to ``up_to_seq``: only for the retention engine, which
    writes the checkpoint and the proof in the same transaction. Bypasses the
    append-only queryset on purpose."""
    entries = AuditEntry.objects.filter(seq__lte=up_to_seq)
    deleted, _by_model = models.QuerySet.delete(entries)
    return deleted


class AuditHead(models.Model):
    """The latest sequence number and hash, written in the same transaction as the entry.

    The chain alone cannot show that its newest entries were cut off; the head can.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.seq}"


# Retention, request and consent models live in their own packages; Django finds an
# app's models here.
from hafen.privacy.consent.models import *  # noqa: E402,F403
from hafen.privacy.requests.models import *  # noqa: E402,F403
from hafen.privacy.retention.models import *  # noqa: E402,F403
