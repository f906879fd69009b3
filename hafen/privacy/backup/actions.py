"""Making backups: ``make_backup`` (the data) and ``make_key_backup`` (the key store).

What each holds is decided here (``data_models``, ``key_models``); ``restore`` reads it back."""

from __future__ import annotations

import os
import tarfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.apps import apps
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from hafen.privacy import audit
from hafen.privacy.backup import archive, container
from hafen.privacy.models import AuditHead, DataKey
from hafen.privacy.retention.models import DeletionLog

# The key store: kept apart from the data backup and never replaced by a restore.
KEY_STORE = ("privacy.datakey", "privacy.deletionlog")
# Work queue and login sessions: not backed up, emptied by a restore (a restored user
# id could otherwise belong to another person than the session's).
TRANSIENT = ("sessions.session", "django_tasks_database.dbtaskresult")
# The chain: its entries, its head, and the checkpoint where it starts after retention.
AUDIT = ("privacy.auditentry", "privacy.audithead", "privacy.auditcheckpoint")


def all_tables() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def data_models() -> list[type[models.Model]]:
    """Every model whose rows a data backup holds."""
    skip = {*KEY_STORE, *TRANSIENT}
    return [model for model in all_tables() if model._meta.label_lower not in skip]


def key_models() -> list[type[models.Model]]:
    return [DataKey, DeletionLog]


def applied_migrations() -> list[list[str]]:
    applied = MigrationRecorder(connection).applied_migrations()
    return sorted([app, name] for app, name in applied)


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view of every table while the backup reads them, blocking no writer.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction. SQLite: Hafen's transactions
    take the write lock at once (IMMEDIATE), which would stop every chat message for
    the whole backup; a DEFERRED one reads a snapshot of the WAL and lets writers on.
    """
    if connection.in_atomic_block:
        yield  # the caller's transaction is the snapshot
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")  # nothing was written
    else:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield


def stored_files(folder: str = "") -> Iterator[str]:
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from stored_files(f"{folder}/{sub}" if folder else sub)


@dataclass
class BackupReport:
    path: Path
    rows: Counter[str] = field(default_factory=Counter)
    files: int = 0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


@contextmanager
def _private_file(path: Path) -> Iterator[BinaryIO]:
    """Written beside the target, owner-only, renamed into place when complete."""
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _write(path: Path, kind: bytes, chosen: list[type[models.Model]], files: bool) -> BackupReport:
    report = BackupReport(path)
    with _private_file(path) as out:
        writer = container.EncryptingWriter(out, kind)
        tar = tarfile.open(fileobj=writer, mode="w|")  # type: ignore[call-overload]  # noqa: SIM115
        with _snapshot():
            head = AuditHead.objects.filter(pk=1).first()
            archive.add_json(
                tar,
                archive.MANIFEST,
                {
                    "format": 1,
                    "kind": container.KIND_NAMES[kind],
                    "created_at": timezone.now().isoformat(),
                    "migrations": applied_migrations(),
                    "audit_head": [head.seq, head.entry_hash] if head else None,
                },
            )
            counter = [0]
            for model in chosen:
                report.rows[model._meta.label_lower] = archive.add_rows(tar, model, counter)
            if files:
                for name in stored_files():
                    try:
                        handle = default_storage.open(name, "rb")
                    except FileNotFoundError:
                        continue  # erased while the backup ran: its rows are gone as well
                    with handle:
                        info = tarfile.TarInfo(archive.FILES_PREFIX + name)
                        info.size = default_storage.size(name)
                        info.mode = 0o600
                        tar.addfile(info, handle)
                    report.files += 1
        archive.add_json(tar, archive.SUMMARY, {"rows": dict(report.rows), "files": report.files})
        tar.close()
        writer.close()
    return report


def make_backup(path: Path) -> BackupReport:
    """The data backup: every table but the key store, and the encrypted files."""
    report = _write(path, container.KIND_DATA, data_models(), files=True)
    audit.record("backup.created", kind="data", rows=report.total_rows, files=report.files)
    return report


def make_key_backup(path: Path) -> BackupReport:
    """The key-store backup: wrapped data keys and the deletion log, nothing else."""
    report = _write(path, container.KIND_KEYS, key_models(), files=False)
    audit.record("backup.created", kind="keys", rows=report.total_rows)
    return report
