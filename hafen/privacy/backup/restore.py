"""Reading and restoring backups: ``inspect`` (read and authenticate a whole file) and
``restore`` (replace the data, merge a key store, replay erasures)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, connection, models, transaction

from hafen.privacy import audit, crypto
from hafen.privacy.backup import archive, container
from hafen.privacy.backup.actions import (
    AUDIT,
    TRANSIENT,
    all_tables,
    applied_migrations,
    data_models,
    key_models,
    stored_files,
)
from hafen.privacy.backup.container import BackupError, Corrupt
from hafen.privacy.backup.replay import ReplayReport, replay
from hafen.privacy.models import AuditCheckpoint, AuditEntry, DataKey
from hafen.privacy.retention.models import DeletionLog, RetentionKind


class SchemaTooNew(BackupError):
    pass


class WrongKind(BackupError):
    pass


class KeysMissing(BackupError):
    pass


# -- reading ---------------------------------------------------------------------------------


@dataclass
class Inspection:
    """What a backup file holds, read and authenticated from end to end."""

    path: Path
    kind: bytes
    master_key_id: str
    manifest: dict[str, Any]
    rows: Counter[str] = field(default_factory=Counter)
    file_names: set[str] = field(default_factory=set)

    @property
    def created_at(self) -> str:
        return str(self.manifest.get("created_at", "?"))

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


@contextmanager
def _open(path: Path, kind: bytes) -> Iterator[tuple[container.Header, IO[bytes]]]:
    try:
        source = path.open("rb")
    except OSError as error:
        raise BackupError(
            f"{path} cannot be read: {error.strerror}. Nothing was changed."
        ) from None
    with source:
        header = container.read_header(source)
        if header.kind != kind:
            if header.kind == container.KIND_KEYS:
                raise WrongKind(
                    f"{path} is a key-store backup; give it with --keys. Nothing was changed."
                )
            raise WrongKind(
                f"{path} is a data backup, not a key-store backup. Nothing was changed."
            )
        reader = container.DecryptingReader(source, header)
        yield header, reader  # type: ignore[misc]
        # Past the archive's end: the container's last chunk must be there and intact.
        while reader.read(1 << 16):
            pass


def _check_manifest(manifest: dict[str, Any], kind: bytes) -> None:
    if manifest.get("format") != 1 or manifest.get("kind") != container.KIND_NAMES[kind]:
        raise Corrupt("The backup's manifest does not match its kind. Nothing was changed.")
    applied = {tuple(item) for item in applied_migrations()}
    missing = sorted(
        f"{app}.{name}"
        for app, name in manifest.get("migrations", [])
        if (app, name) not in applied
    )
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise SchemaTooNew(
            "This backup comes from a newer version of Hafen: its database has migrations "
            f"that this installation lacks ({shown}). Update Hafen, run `hafen migrate`, "
            "then restore again. Nothing was changed."
        )


def _expected_models(kind: bytes) -> set[str]:
    chosen = data_models() if kind == container.KIND_DATA else key_models()
    return {model._meta.label_lower for model in chosen}


def inspect(path: Path, kind: bytes = container.KIND_DATA) -> Inspection:
    """Read and authenticate the whole file; raises ``BackupError`` with what is wrong."""
    with _open(path, kind) as (header, reader):
        inspection: Inspection | None = None
        summary: dict[str, Any] | None = None
        allowed = _expected_models(kind)
        for member in archive.members(reader):
            if inspection is None:
                if member.kind != "manifest":
                    raise Corrupt("The backup has no manifest. Nothing was changed.")
                _check_manifest(member.json, kind)
                inspection = Inspection(path, header.kind, header.master_key_id, member.json)
            elif member.kind == "rows" and member.rows is not None:
                label = member.rows.model._meta.label_lower
                if label not in allowed:
                    raise Corrupt(f"The backup holds rows of {label}, which it must not.")
                inspection.rows[label] += len(member.rows.instances)
            elif member.kind == "file" and kind == container.KIND_DATA:
                inspection.file_names.add(member.name)
            elif member.kind == "summary" and summary is None:
                summary = member.json
            else:
                raise Corrupt("The backup holds an unexpected entry. Nothing was changed.")
        if inspection is None or summary is None:
            raise Corrupt("The backup file is incomplete. Nothing was changed.")
        counted = {label: count for label, count in inspection.rows.items() if count}
        summed = {label: count for label, count in summary.get("rows", {}).items() if count}
        if counted != summed or summary.get("files", 0) != len(inspection.file_names):
            raise Corrupt("The backup's content does not match its summary. Nothing was changed.")
    return inspection


# -- restoring ---------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    data: Inspection | None = None
    keys: Inspection | None = None
    kept_live_audit: bool = False
    files_restored: int = 0
    files_removed: int = 0
    keys_added: int = 0
    keys_shredded: int = 0
    log_entries_added: int = 0
    replay: ReplayReport = field(default_factory=ReplayReport)


def _insert(
    model: type[models.Model], instances: list[models.Model], *, with_pk: bool = True
) -> None:
    """Rows exactly as they were (no ``auto_now``, no ``save()``), in batches."""
    if not instances:
        return
    cols = [c for c in archive.columns(model) if with_pk or not c.primary_key]
    size = max(1, connection.ops.bulk_batch_size(cols, instances))
    for start in range(0, len(instances), size):
        model._base_manager._insert(  # type: ignore[attr-defined]
            instances[start : start + size], fields=cols, raw=True
        )


def _quote(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _empty(chosen: list[type[models.Model]]) -> None:
    # Raw deletes: the audit log refuses the ORM's delete, and foreign keys are checked
    # at commit (Django creates them deferrable), when every table is complete again.
    with connection.cursor() as cursor:
        for model in chosen:
            cursor.execute(f"DELETE FROM {_quote(model)}")  # noqa: S608 - a model's table name


def _live_audit_extends(manifest: dict[str, Any]) -> bool:
    """Whether the live audit chain already holds the backup's chain (and goes on from it).

    Then the live chain is kept: it also records what happened since the backup, the
    erasures among them. Otherwise (a new server) the backup's chain is restored.
    """
    head = manifest.get("audit_head")
    if not head:
        return AuditEntry.objects.exists()
    seq, entry_hash = head
    if AuditEntry.objects.filter(seq=seq, entry_hash=entry_hash).exists():
        return True
    # Retention may have removed the backup's head from the live chain since; a live
    # checkpoint at or past it means the live chain went on from there.
    return AuditCheckpoint.objects.filter(seq__gte=seq).exists()


def _merge_keys(path: Path, report: RestoreReport) -> None:
    """Add the backup's key store to the live one; a shredded key is never brought back."""
    known: set[tuple[str, str]] | None = None
    with _open(path, container.KIND_KEYS) as (_header, reader):
        for member in archive.members(reader):
            if member.kind != "rows" or member.rows is None:
                continue
            batch = member.rows.instances
            if member.rows.model is DataKey:
                ids = [item.pk for item in batch]
                live = {key.pk: key for key in DataKey.objects.filter(pk__in=ids)}
                _insert(DataKey, [item for item in batch if item.pk not in live])
                report.keys_added += sum(1 for item in batch if item.pk not in live)
                for item in batch:
                    current = live.get(item.pk)
                    if current is not None and item.is_shredded and not current.is_shredded:  # type: ignore[attr-defined]
                        crypto.shred(current)
                        report.keys_shredded += 1
            elif member.rows.model is DeletionLog:
                if known is None:
                    known = set(DeletionLog.objects.values_list("kind", "record_id"))
                fresh = []
                for item in batch:
                    logged = (item.kind, item.record_id)  # type: ignore[attr-defined]
                    if logged not in known:
                        known.add(logged)
                        fresh.append(item)
                _insert(DeletionLog, fresh, with_pk=False)
                report.log_entries_added += len(fresh)


def _check_keys() -> None:
    """Every restored row's data key must be in the key store (a lost server: restore it first)."""
    missing = 0
    for model in data_models():
        for column in archive.columns(model):
            if isinstance(column, models.ForeignKey) and column.related_model is DataKey:
                missing += (
                    model._base_manager.filter(**{f"{column.attname}__isnull": False})
                    .exclude(**{f"{column.attname}__in": DataKey.objects.values("pk")})
                    .count()
                )
    if missing:
        raise KeysMissing(
            f"{missing} restored records need data keys that the key store does not have. "
            "Restore the key-store backup together with it: "
            "hafen restore --keys KEY-BACKUP DATA-BACKUP. Nothing was changed."
        )


def _floors() -> dict[type[models.Model], int]:
    """Ids of erased records: new records must never get them (replay finds records by id)."""
    from hafen.cases.models import Case
    from hafen.conversations.models import Conversation

    floors: dict[type[models.Model], int] = {Conversation: 0, Case: 0}
    for kind, record_id in DeletionLog.objects.values_list("kind", "record_id").iterator():
        model = Conversation if kind == RetentionKind.CONVERSATION else Case
        if kind in (RetentionKind.CONVERSATION, RetentionKind.CASE) and record_id.isdigit():
            floors[model] = max(floors[model], int(record_id))
    return floors


def _advance_sequences(chosen: list[type[models.Model]]) -> None:
    """Ids are never handed out twice: sequences only move forward, past erased ids too."""
    floors = _floors()
    with connection.cursor() as cursor:
        for model in chosen:
            pk = model._meta.pk
            if not isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField):
                continue
            table, column = model._meta.db_table, pk.column
            cursor.execute(
                f"SELECT MAX({connection.ops.quote_name(column)}) FROM {_quote(model)}"  # noqa: S608
            )
            target = max(cursor.fetchone()[0] or 0, floors.get(model, 0))
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
                sequence = cursor.fetchone()[0]
                if sequence is None:
                    continue
                cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
                last_value, is_called = cursor.fetchone()
                current = last_value if is_called else last_value - 1
                if target > current:
                    cursor.execute("SELECT setval(%s, %s, true)", [sequence, target])
            elif connection.vendor == "sqlite" and target:
                # AUTOINCREMENT tables: sqlite_sequence never goes back by itself.
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cursor.fetchone()
                if row is None:
                    cursor.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, target]
                    )
                elif row[0] < target:
                    cursor.execute(
                        "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [target, table]
                    )


def _restore_file(name: str, stream: IO[bytes], written: list[str]) -> bool:
    try:
        if default_storage.exists(name):
            return False  # files are never changed once stored: the same name is the same file
        saved = default_storage.save(name, File(stream, name=name))
    except SuspiciousFileOperation:
        raise Corrupt(f"The backup's file {name!r} has a name outside the data folder.") from None
    written.append(saved)
    if saved != name:
        raise Corrupt(f"The backup's file {name!r} cannot be stored under its name.")
    return True


def _replace_data(
    path: Path, report: RestoreReport, written: list[str]
) -> list[type[models.Model]]:
    assert report.data is not None
    keep_audit = _live_audit_extends(report.data.manifest)
    report.kept_live_audit = keep_audit
    skip = set(AUDIT) if keep_audit else set()
    chosen = [model for model in data_models() if model._meta.label_lower not in skip]
    transient = [model for model in all_tables() if model._meta.label_lower in TRANSIENT]
    _empty([*chosen, *transient])
    keys_checked = False
    with _open(path, container.KIND_DATA) as (_header, reader):
        for member in archive.members(reader):
            if member.kind == "rows" and member.rows is not None:
                if member.rows.model._meta.label_lower not in skip:
                    _insert(member.rows.model, member.rows.instances)
                continue
            if not keys_checked and member.kind in ("file", "summary"):
                _check_keys()
                keys_checked = True
            if member.kind == "file" and member.stream is not None:
                report.files_restored += _restore_file(member.name, member.stream, written)
    ContentType.objects.clear_cache()
    return chosen


def _remove_files_not_in(keep: set[str], report: RestoreReport) -> None:
    for name in list(stored_files()):
        if name not in keep:
            default_storage.delete(name)
            report.files_removed += 1


def restore(
    data: Path | None = None,
    keys: Path | None = None,
    *,
    inspected: tuple[Inspection | None, Inspection | None] | None = None,
    replay_erasures: bool = True,
) -> RestoreReport:
    """Replace every data table by the backup's, keep the key store, replay erasures.

    ``keys`` (a lost server) is merged into the key store first. Both files are read
    and authenticated completely before anything changes (``inspected`` when the
    caller did that already); everything happens in one transaction, and files
    written for a restore that fails are removed again. ``replay_erasures=False`` is
    for tests that show shredded content is unreadable even before the replay.
    """
    if data is None and keys is None:
        raise BackupError("Name a data backup, a key-store backup (--keys) or both.")
    report = RestoreReport()
    if inspected is not None:
        report.data, report.keys = inspected
    else:
        report.data = inspect(data) if data is not None else None
        report.keys = inspect(keys, container.KIND_KEYS) if keys is not None else None
    written: list[str] = []
    try:
        with transaction.atomic():
            if keys is not None:
                _merge_keys(keys, report)
            chosen: list[type[models.Model]] = []
            if data is not None:
                chosen = _replace_data(data, report, written)
            if replay_erasures:
                report.replay = replay()
            _advance_sequences(chosen or data_models())
            audit.record(
                "backup.restored",
                data=data is not None,
                keys=keys is not None,
                rows=report.data.total_rows if report.data else 0,
                replayed=report.replay.total,
            )
    except (IntegrityError, DatabaseError) as error:
        _remove(written)
        raise BackupError(
            "The backup's rows do not fit this installation's database "
            f"({type(error).__name__}). Nothing was changed."
        ) from error
    except OSError as error:
        _remove(written)
        raise BackupError(
            f"The backup's files could not be written ({error.strerror or error}). "
            "Nothing was changed."
        ) from error
    except BaseException:
        _remove(written)
        raise
    if report.data is not None:
        _remove_files_not_in(report.data.file_names, report)
    return report


def _remove(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
