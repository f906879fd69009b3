"""A backup comes back whole, and never brings back what was erased after it was made.

Records are made through the apps' own actions and erased by the retention engine (or
by the client), as in real use. Backups are written to the test's own folder and
restored into the test database with ``hafen backup`` / ``hafen restore``
(``call_command``), committed for real: files are removed only after a commit.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import threading
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from hafen.accounts.models import Team, User
from hafen.cases import actions as case_actions
from hafen.cases.actions.entries import ATTACHMENT_CONTEXT as CASE_FILE
from hafen.cases.models import Case, CaseAttachment, CaseEntryVersion, CaseStatus
from hafen.cases.tests.conftest import entry, open_case
from hafen.conversations import actions as conversation_actions
from hafen.conversations.attachments import CONTEXT as CHAT_FILE
from hafen.conversations.attachments import check_upload
from hafen.conversations.models import Attachment, Conversation, Message
from hafen.privacy import audit, crypto
from hafen.privacy.backup import actions as making
from hafen.privacy.backup import archive, container
from hafen.privacy.backup import restore as restoring
from hafen.privacy.models import AuditEntry, DataKey
from hafen.privacy.retention import engine
from hafen.privacy.retention.models import DeletionLog

# Client messages are compared whole: the team must be in its office hours, or the
# door's automatic away reply (with emergency numbers) joins the conversation.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("during_office_hours"),
]

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
CHAT_SECRET = "Ich schlafe seit Montag bei meiner Tante"
CASE_SECRET = "Leon erzählt von der Schule"


# -- records as people make them -------------------------------------------------------------


def chat(team: Team, text: str = CHAT_SECRET, *, idle_days: int = 0) -> Conversation:
    """A client's conversation with a message and a PDF."""
    made = conversation_actions.start_conversation(team).conversation
    conversation_actions.post_client_message(made.pk, text, "aaaaaaaa-0001")
    upload = check_upload(SimpleUploadedFile("brief.pdf", PDF, "application/pdf"))
    conversation_actions.post_client_attachment(made.pk, upload, "", "aaaaaaaa-0002")
    last = timezone.now() - timedelta(days=idle_days)
    Conversation.objects.filter(pk=made.pk).update(last_activity_at=last)
    return Conversation.objects.get(pk=made.pk)


def case_file(user: User, team: Team, *, closed_days_ago: int | None = None) -> Case:
    """Leon's case with an entry and an attached PDF; closed long ago if asked."""
    case = open_case(
        user, team, name="Leon Krause", opened_on=timezone.localdate() - timedelta(days=5000)
    )
    made = entry(user, case, CASE_SECRET, occurred_on=timezone.localdate() - timedelta(days=4999))
    upload = check_upload(SimpleUploadedFile("bescheid.pdf", PDF, "application/pdf"))
    case_actions.add_attachment(user, made, upload)
    if closed_days_ago is not None:
        closed = timezone.localdate() - timedelta(days=closed_days_ago)
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_on=closed)
    return Case.objects.select_related("data_key").get(pk=case.pk)


def chat_text(conversation_id: int) -> str:
    message = Message.objects.select_related("conversation__data_key").get(
        conversation_id=conversation_id, body_sealed__isnull=False, attachment__isnull=True
    )
    return message.body


def chat_pdf(conversation_id: int) -> bytes:
    attachment = Attachment.objects.select_related("message__conversation__data_key").get(
        message__conversation_id=conversation_id
    )
    key = attachment.message.conversation.data_key
    return crypto.read_encrypted_file(key, attachment.storage_name, context=CHAT_FILE)


def case_text(case_id: int) -> str:
    version = CaseEntryVersion.objects.select_related("entry__case__data_key").get(
        entry__case_id=case_id
    )
    return version.text


def case_pdf(case_id: int) -> bytes:
    attachment = CaseAttachment.objects.select_related("entry__case__data_key").get(
        entry__case_id=case_id
    )
    key = attachment.entry.case.data_key
    return crypto.read_encrypted_file(key, attachment.storage_name, context=CASE_FILE)


def stored_files() -> set[str]:
    return set(making.stored_files())


def snapshot() -> dict[str, object]:
    """Every row of every table by primary key, and every stored file."""
    rows: dict[str, object] = {
        model._meta.label: sorted(map(str, model._base_manager.values_list("pk", flat=True)))
        for model in apps.get_models(include_auto_created=True)
    }
    rows["files"] = sorted(stored_files())
    rows["audit"] = list(AuditEntry.objects.values_list("seq", "entry_hash"))
    return rows


def hafen(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def restore(*args: str) -> str:
    return hafen("restore", *args, "--yes")


def tomorrow() -> datetime:
    """When the retention run erases what is due (conversations idle for 90 days, case
    files closed ten years ago)."""
    return timezone.now() + timedelta(days=1)


@pytest.fixture
def youth(org) -> Team:
    return Team.objects.select_related("facility").get(slug="jugendberatung")


@pytest.fixture
def folder(tmp_path) -> Path:
    made = tmp_path / "backups"
    made.mkdir()
    return made


# -- round trip ------------------------------------------------------------------------------


def test_a_restored_backup_brings_back_messages_case_entries_and_files(counsellor, youth, folder):
    leon = case_file(counsellor, youth)
    mia = chat(youth)
    printed = hafen("backup", str(folder / "data.bak"))
    assert "Data backup written" in printed

    later = chat(youth, "Nach dem Backup geschrieben")
    Message.objects.filter(conversation=mia).delete()
    assert len(stored_files()) == 3

    printed = restore(str(folder / "data.bak"))

    assert chat_text(mia.pk) == CHAT_SECRET
    assert chat_pdf(mia.pk) == PDF
    assert case_text(leon.pk) == CASE_SECRET
    assert case_pdf(leon.pk) == PDF
    # What came after the backup is gone, its file too.
    assert not Conversation.objects.filter(pk=later.pk).exists()
    assert len(stored_files()) == 2
    assert "1 files of newer data removed" in printed
    assert "Erasures replayed: 0" in printed
    assert audit.verify().ok
    assert AuditEntry.objects.filter(action="backup.restored").count() == 1


def test_the_backup_file_shows_no_content_and_no_names(counsellor, youth, folder):
    case_file(counsellor, youth)
    chat(youth)
    hafen("backup", str(folder / "data.bak"))
    hafen("backup", "--keys", str(folder / "keys.bak"))

    for name in ("data.bak", "keys.bak"):
        raw = (folder / name).read_bytes()
        assert raw.startswith(b"HAFEN-BACKUP")
        for plain in (b"fachkraft", b"Beispiel", b"jugendberatung", b"%PDF", b"retention"):
            assert plain not in raw
        assert (folder / name).stat().st_mode & 0o077 == 0


def test_a_data_backup_holds_no_data_keys_and_the_key_backup_no_content(counsellor, youth, folder):
    case_file(counsellor, youth)
    data = restoring.inspect(making.make_backup(folder / "data.bak").path)
    keys = restoring.inspect(making.make_key_backup(folder / "keys.bak").path, container.KIND_KEYS)

    assert "privacy.datakey" not in data.rows
    assert "privacy.deletionlog" not in data.rows
    assert data.rows["cases.caseentryversion"] == 1
    assert len(data.file_names) == 1
    assert set(keys.rows) == {"privacy.datakey"}
    assert keys.rows["privacy.datakey"] == DataKey.objects.count()
    assert not keys.file_names


# -- erasures since the backup are replayed --------------------------------------------------


def test_a_conversation_and_case_erased_after_the_backup_stay_erased_after_restoring_it(
    counsellor, youth, folder
):
    leon = case_file(counsellor, youth, closed_days_ago=4000)
    mia = chat(youth, idle_days=400)
    kept = chat(youth, "Bleibt")
    hafen("backup", str(folder / "data.bak"))
    report = engine.apply_run(tomorrow())
    assert report.deleted == {"conversation": 1, "case": 1}
    assert stored_files() == {Attachment.objects.get().storage_name}

    printed = restore(str(folder / "data.bak"))

    assert not Conversation.objects.filter(pk=mia.pk).exists()
    assert not Message.objects.filter(conversation_id=mia.pk).exists()
    assert not Case.objects.filter(pk=leon.pk).exists()
    assert not CaseEntryVersion.objects.filter(entry__case_id=leon.pk).exists()
    assert stored_files() == {Attachment.objects.get().storage_name}
    assert chat_text(kept.pk) == "Bleibt"
    assert set(DeletionLog.objects.values_list("kind", "record_id")) == {
        ("conversation", str(mia.pk)),
        ("case", str(leon.pk)),
    }
    assert "Erasures replayed: 2 (1 conversations, 1 case files)" in printed
    replayed = AuditEntry.objects.filter(action="backup.erasure_replayed")
    assert {(e.object_type, e.object_id) for e in replayed} == {
        ("conversations.conversation", str(mia.pk)),
        ("cases.case", str(leon.pk)),
    }
    assert all(set(e.details) == {"kind", "source"} for e in replayed)
    # The live audit log already held the backup's: it keeps the erasures' own entries.
    assert AuditEntry.objects.filter(action="retention.deleted").count() == 2
    assert audit.verify().ok


def test_shredded_content_is_unreadable_after_restoring_an_earlier_backup_even_before_replay(
    counsellor, youth, folder
):
    leon = case_file(counsellor, youth, closed_days_ago=4000)
    mia = chat(youth, idle_days=400)
    hafen("backup", str(folder / "data.bak"))
    files_before_erasure = restoring.inspect(folder / "data.bak").file_names
    engine.apply_run(tomorrow())

    restoring.restore(folder / "data.bak", replay_erasures=False)

    # The rows are back from the backup, the keys stay shredded in the live key store.
    assert Message.objects.filter(conversation_id=mia.pk).exists()
    with pytest.raises(crypto.ContentShredded):
        chat_text(mia.pk)
    with pytest.raises(crypto.ContentShredded):
        chat_pdf(mia.pk)
    with pytest.raises(crypto.ContentShredded):
        case_text(leon.pk)
    with pytest.raises(crypto.ContentShredded):
        case_pdf(leon.pk)
    assert stored_files() == files_before_erasure


def test_a_conversation_the_client_deleted_is_erased_again_after_a_restore(youth, folder):
    mia = chat(youth)
    hafen("backup", str(folder / "data.bak"))
    conversation_actions.delete_by_client(mia.pk)
    assert DeletionLog.objects.get().cause == "client"

    printed = restore(str(folder / "data.bak"))

    assert not Conversation.objects.filter(pk=mia.pk).exists()
    assert not stored_files()
    assert "Erasures replayed: 1 (1 conversations, 0 case files)" in printed
    entry = AuditEntry.objects.get(action="backup.erasure_replayed")
    assert entry.details["source"] == "deletion_log"


def test_a_record_whose_key_is_shredded_is_erased_even_without_a_log_row(youth, folder):
    """A shredded key is proof enough: an erasure that left no deletion-log row (an
    older Hafen, a lost log) is replayed all the same."""
    mia = chat(youth)
    hafen("backup", str(folder / "data.bak"))
    conversation_actions.delete_by_client(mia.pk)
    DeletionLog.objects.all().delete()

    printed = restore(str(folder / "data.bak"))

    assert not Conversation.objects.filter(pk=mia.pk).exists()
    assert "Erasures replayed: 1 (1 conversations, 0 case files)" in printed
    entry = AuditEntry.objects.get(action="backup.erasure_replayed")
    assert entry.details["source"] == "shredded_key"


def test_the_chain_verifies_after_restoring_a_backup_older_than_an_audit_pruning(
    youth, folder, time_machine
):
    """Retention removed the start of the chain after the backup: the restore keeps the
    live chain with its checkpoint, and the chain still verifies."""
    chat(youth)
    hafen("backup", str(folder / "data.bak"))
    time_machine.move_to(timezone.now() + timedelta(days=4 * 365), tick=True)
    chat(youth, "Vier Jahre später")
    engine.apply_run()
    assert AuditEntry.objects.filter(action="audit.pruned").exists()
    assert audit.verify().ok

    restore(str(folder / "data.bak"))

    # The live chain stays (it records what happened since, the pruning among it).
    assert AuditEntry.objects.filter(action="audit.pruned").exists()
    result = audit.verify()
    assert result.ok, result.reason


def test_new_records_after_a_restore_never_take_the_id_of_an_erased_one(youth, folder):
    chat(youth)
    hafen("backup", str(folder / "data.bak"))
    gone = chat(youth, idle_days=400)
    engine.apply_run(tomorrow())
    restore(str(folder / "data.bak"))

    fresh = chat(youth, "Neu")

    assert fresh.pk > gone.pk
    assert chat_text(fresh.pk) == "Neu"


# -- a lost server ---------------------------------------------------------------------------


def _lose_everything() -> None:
    """A new server: migrated tables, no rows in any of them, ids from 1, no files."""
    with transaction.atomic():
        restoring._empty(making.all_tables())
        sequences = connection.introspection.sequence_list()
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_by_name_sql(no_style(), sequences):
                cursor.execute(sql)
    for name in stored_files():
        default_storage.delete(name)


def test_a_lost_server_comes_back_from_the_key_store_backup_and_the_data_backup(
    counsellor, youth, folder
):
    leon = case_file(counsellor, youth)
    mia = chat(youth)
    gone = chat(youth, idle_days=400)
    hafen("backup", str(folder / "data.bak"))
    late = chat(youth, idle_days=400)  # made and erased between the two backups
    engine.apply_run(tomorrow())
    hafen("backup", "--keys", str(folder / "keys.bak"))
    _lose_everything()

    with pytest.raises(CommandError, match="Restore the key-store backup together with it"):
        restore(str(folder / "data.bak"))
    assert not Conversation.objects.exists()
    assert not stored_files()

    printed = restore("--keys", str(folder / "keys.bak"), str(folder / "data.bak"))

    assert chat_text(mia.pk) == CHAT_SECRET
    assert chat_pdf(mia.pk) == PDF
    assert case_text(leon.pk) == CASE_SECRET
    assert case_pdf(leon.pk) == PDF
    assert not Conversation.objects.filter(pk=gone.pk).exists()
    assert DeletionLog.objects.filter(record_id=str(gone.pk)).exists()
    assert "audit log restored" in printed
    assert "Erasures replayed: 1" in printed
    assert audit.verify().ok
    assert User.objects.filter(username="fachkraft").exists()
    # The deletion log names an id the data backup never held: it is not given out again.
    assert chat(youth, "Neu").pk > late.pk


def test_a_key_store_backup_never_brings_a_shredded_key_back(youth, folder):
    mia = chat(youth)
    hafen("backup", "--keys", str(folder / "keys.bak"))
    conversation_actions.delete_by_client(mia.pk)
    shredded = DataKey.objects.get(shredded_at__isnull=False)

    restore("--keys", str(folder / "keys.bak"))

    assert DataKey.objects.get(pk=shredded.pk).wrapped is None


# -- refusals: nothing changes -----------------------------------------------------------------


def test_a_backup_made_under_another_master_key_is_refused_and_nothing_changes(
    counsellor, youth, folder, settings
):
    case_file(counsellor, youth)
    hafen("backup", str(folder / "data.bak"))
    chat(youth)
    before = snapshot()
    settings.HAFEN_MASTER_KEYS = [crypto.new_master_key()]

    with pytest.raises(CommandError, match="not in HAFEN_MASTER_KEYS") as refused:
        restore(str(folder / "data.bak"))

    assert "Nothing was changed" in str(refused.value)
    assert snapshot() == before


def _altered(path: Path, how: str) -> None:
    raw = bytearray(path.read_bytes())
    if how == "flipped":
        raw[len(raw) // 2] ^= 0x01
    elif how == "truncated":
        raw = raw[: len(raw) - 40]
    elif how == "appended":
        raw += b"\x00" * 10
    elif how == "key_id":
        raw[20] ^= 0x01  # inside the master key id
    elif how == "salt":
        raw[35] ^= 0x01
    elif how == "not_a_backup":
        raw = bytearray(b"id,name\n1,Leon Krause\n")
    elif how == "empty":
        raw = bytearray()
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize(
    ("how", "says"),
    [
        ("flipped", "damaged or was altered"),
        ("truncated", "truncated"),
        ("appended", "data after its end"),
        ("key_id", "not in HAFEN_MASTER_KEYS"),
        ("salt", "damaged or was altered"),
        ("not_a_backup", "not a Hafen backup"),
        ("empty", "not a Hafen backup"),
    ],
)
def test_an_altered_or_foreign_file_is_refused_and_nothing_changes(
    counsellor, youth, folder, how, says
):
    case_file(counsellor, youth)
    chat(youth)
    hafen("backup", str(folder / "data.bak"))
    chat(youth, "Nach dem Backup")
    _altered(folder / "data.bak", how)
    before = snapshot()

    with pytest.raises(CommandError, match=says):
        restore(str(folder / "data.bak"))

    assert snapshot() == before


def test_a_key_store_backup_given_as_data_is_refused(youth, folder):
    chat(youth)
    hafen("backup", "--keys", str(folder / "keys.bak"))
    before = snapshot()

    with pytest.raises(CommandError, match="give it with --keys"):
        restore(str(folder / "keys.bak"))

    assert snapshot() == before


def test_a_backup_from_a_newer_hafen_is_refused(youth, folder, monkeypatch):
    chat(youth)
    real = making.applied_migrations
    monkeypatch.setattr(making, "applied_migrations", lambda: [*real(), ["privacy", "9999_future"]])
    hafen("backup", str(folder / "data.bak"))
    monkeypatch.setattr(making, "applied_migrations", real)
    before = snapshot()

    with pytest.raises(CommandError, match=r"newer version of Hafen.*privacy\.9999_future"):
        restore(str(folder / "data.bak"))

    assert snapshot() == before


def test_restore_asks_first_and_changes_nothing_without_a_yes(youth, folder):
    chat(youth)
    hafen("backup", str(folder / "data.bak"))
    chat(youth, "Nach dem Backup")
    before = snapshot()

    with pytest.raises(CommandError, match="confirm with --yes"):
        call_command("restore", str(folder / "data.bak"), stdout=StringIO(), interactive=False)

    assert snapshot() == before


def test_a_missing_backup_file_is_named(db, folder):
    with pytest.raises(CommandError, match="cannot be read"):
        restore(str(folder / "nowhere.bak"))


def test_the_real_command_refuses_a_foreign_file_with_a_message_and_an_exit_code(tmp_path):
    foreign = tmp_path / "export.csv"
    foreign.write_text("id,name\n1,Leon Krause\n")
    # Its own empty data folder and SQLite: the refusal comes before any database access.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["HAFEN_DATA_DIR"] = str(tmp_path / "data")

    done = subprocess.run(
        [sys.executable, "-m", "hafen.cli", "restore", str(foreign), "--yes"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )

    assert done.returncode == 1
    assert "Restore refused: This file is not a Hafen backup." in done.stderr
    assert "Traceback" not in done.stderr


def test_a_backup_with_a_file_outside_the_data_folder_is_refused(youth, folder, tmp_path):
    """Even a file made with the right master key may not name a place outside the folder."""
    chat(youth)
    path = folder / "crafted.bak"
    with path.open("wb") as out:
        writer = container.EncryptingWriter(out, container.KIND_DATA)
        tar = tarfile.open(fileobj=writer, mode="w|")  # type: ignore[call-overload]  # noqa: SIM115
        manifest = {"format": 1, "kind": "data backup", "migrations": making.applied_migrations()}
        archive.add_json(tar, archive.MANIFEST, manifest)
        evil = tarfile.TarInfo("files/../../outside.txt")
        evil.size = 4
        tar.addfile(evil, io.BytesIO(b"evil"))
        archive.add_json(tar, archive.SUMMARY, {"rows": {}, "files": 1})
        tar.close()
        writer.close()
    before = snapshot()

    with pytest.raises(CommandError, match="outside the data folder"):
        restore(str(path))

    assert snapshot() == before
    assert not list(tmp_path.rglob("outside.txt"))


def test_a_backup_is_one_snapshot_and_lets_the_chat_write_meanwhile(youth, folder, monkeypatch):
    chat(youth)
    real_add_rows = archive.add_rows
    started_meanwhile: list[int] = []

    def write_meanwhile() -> None:
        try:
            if connection.vendor == "sqlite":
                # Fail within seconds instead of waiting out a lock the backup would hold.
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA busy_timeout = 2000")
            started_meanwhile.append(conversation_actions.start_conversation(youth).conversation.pk)
        finally:
            connection.close()

    def add_rows(*args, **kwargs):
        if not started_meanwhile:
            writer = threading.Thread(target=write_meanwhile)
            writer.start()
            writer.join(timeout=60)
        return real_add_rows(*args, **kwargs)

    monkeypatch.setattr(archive, "add_rows", add_rows)
    hafen("backup", str(folder / "data.bak"))

    assert len(started_meanwhile) == 1
    assert Conversation.objects.count() == 2
    assert restoring.inspect(folder / "data.bak").rows["conversations.conversation"] == 1
