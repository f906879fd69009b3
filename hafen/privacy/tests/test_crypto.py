"""Envelope encryption as later apps use it: seal, read, shred, rotate."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from hafen.privacy import crypto
from hafen.privacy.models import DataKey

pytestmark = pytest.mark.django_db

LETTER = "Frau K. schreibt: Das Jobcenter hat meine Leistungen gekürzt. 📄"


def test_text_round_trips_and_is_not_stored_in_clear() -> None:
    key = crypto.create_data_key("conversation")
    sealed = crypto.encrypt_text(key, LETTER, context="message.body")

    assert LETTER.encode() not in sealed
    stored = DataKey.objects.get(pk=key.pk)
    assert crypto.decrypt_text(stored, sealed, context="message.body") == LETTER


def test_the_data_key_itself_is_stored_wrapped_not_in_clear() -> None:
    key = crypto.create_data_key("case")
    raw = crypto._unwrap(key)

    with connection.cursor() as cursor:
        cursor.execute("SELECT wrapped FROM privacy_datakey WHERE id = %s", [key.pk.hex])
        row = cursor.fetchone()
    if row is None:  # PostgreSQL stores the UUID natively
        with connection.cursor() as cursor:
            cursor.execute("SELECT wrapped FROM privacy_datakey WHERE id = %s", [str(key.pk)])
            row = cursor.fetchone()
    assert raw not in bytes(row[0])


def test_another_subjects_key_cannot_decrypt() -> None:
    mine, other = crypto.create_data_key("conversation"), crypto.create_data_key("conversation")
    sealed = crypto.encrypt_text(mine, LETTER, context="message.body")

    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt_text(other, sealed, context="message.body")


def test_a_sealed_value_moved_to_another_field_does_not_decrypt() -> None:
    key = crypto.create_data_key("case")
    sealed = crypto.encrypt_text(key, LETTER, context="entry.text")

    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt_text(key, sealed, context="entry.title")


def test_altered_ciphertext_is_detected() -> None:
    key = crypto.create_data_key("case")
    sealed = bytearray(crypto.encrypt_text(key, LETTER, context="entry.text"))
    sealed[-1] ^= 0x01

    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt_text(key, bytes(sealed), context="entry.text")


def test_a_wrong_master_key_cannot_unwrap(settings) -> None:
    key = crypto.create_data_key("case")
    sealed = crypto.encrypt_text(key, LETTER, context="entry.text")

    settings.HAFEN_MASTER_KEYS = [crypto.new_master_key()]

    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt_text(DataKey.objects.get(pk=key.pk), sealed, context="entry.text")


def test_shredding_makes_text_and_files_unreadable_for_good() -> None:
    key = crypto.create_data_key("conversation")
    sealed = crypto.encrypt_text(key, LETTER, context="message.body")
    name = crypto.save_encrypted_file(key, b"%PDF-1.4 Bescheid", context="attachment")

    crypto.shred(key)

    stored = DataKey.objects.get(pk=key.pk)
    assert stored.wrapped is None and stored.is_shredded
    with pytest.raises(crypto.ContentShredded):
        crypto.decrypt_text(stored, sealed, context="message.body")
    with pytest.raises(crypto.ContentShredded):
        crypto.read_encrypted_file(stored, name, context="attachment")


def test_encrypted_files_round_trip_and_are_sealed_on_disk(tmp_path) -> None:
    key = crypto.create_data_key("conversation")
    content = b"\x89PNG photo of a letter from the Jobcenter"

    name = crypto.save_encrypted_file(key, content, context="attachment")

    on_disk = (tmp_path / "files" / name).read_bytes()
    assert content not in on_disk
    assert crypto.read_encrypted_file(key, name, context="attachment") == content


def test_rotation_rewraps_keys_and_content_stays_readable(settings) -> None:
    old_master = settings.HAFEN_MASTER_KEYS[0]
    keys = [crypto.create_data_key("case") for _ in range(3)]
    sealed = [
        crypto.encrypt_text(key, f"Eintrag {i}", context="entry") for i, key in enumerate(keys)
    ]
    shredded = crypto.create_data_key("case")
    crypto.shred(shredded)

    new_master = crypto.new_master_key()
    settings.HAFEN_MASTER_KEYS = [new_master, old_master]
    assert crypto.rotate_master_key() == 3
    assert crypto.rotate_master_key() == 0  # idempotent

    settings.HAFEN_MASTER_KEYS = [new_master]  # the old key is gone
    for i, key in enumerate(keys):
        fresh = DataKey.objects.get(pk=key.pk)
        assert fresh.master_key_id == crypto.parse_master_key(new_master).id
        assert crypto.decrypt_text(fresh, sealed[i], context="entry") == f"Eintrag {i}"
    assert DataKey.objects.get(pk=shredded.pk).wrapped is None


def test_keys_rotate_command_replaces_the_embedded_keyring(settings, tmp_path) -> None:
    keyfile = tmp_path / "master.keys"
    keyfile.write_text(settings.HAFEN_MASTER_KEYS[0] + "\n")
    settings.HAFEN_MASTER_KEY_FILE = keyfile
    key = crypto.create_data_key("case")
    sealed = crypto.encrypt_text(key, LETTER, context="entry")
    old = settings.HAFEN_MASTER_KEYS[0]

    call_command("keys", "rotate")

    lines = keyfile.read_text().split()
    assert len(lines) == 1 and lines[0] != old
    assert oct(keyfile.stat().st_mode & 0o777) == "0o600"
    settings.HAFEN_MASTER_KEYS = lines
    assert crypto.decrypt_text(DataKey.objects.get(pk=key.pk), sealed, context="entry") == LETTER


def test_sealed_text_attribute_encrypts_on_write_and_decrypts_on_read() -> None:
    class Note:
        body = crypto.SealedText("body_sealed", context="note.body")

        def __init__(self) -> None:
            self.data_key = crypto.create_data_key("note")
            self.body_sealed: bytes | None = None

    note = Note()
    note.body = LETTER

    assert note.body_sealed is not None and LETTER.encode() not in note.body_sealed
    assert note.body == LETTER
    crypto.shred(note.data_key)
    with pytest.raises(crypto.ContentShredded):
        _ = note.body


def test_an_opener_reads_many_texts_of_one_key_and_refuses_all_else() -> None:
    key, other = crypto.create_data_key("test"), crypto.create_data_key("test")
    sealed = [crypto.encrypt_text(key, f"Eintrag {n}", context="case.entry") for n in range(3)]
    open_text = crypto.text_opener(key, context="case.entry")

    assert [open_text(blob) for blob in sealed] == ["Eintrag 0", "Eintrag 1", "Eintrag 2"]
    foreign = crypto.encrypt_text(other, "fremd", context="case.entry")
    elsewhere = crypto.encrypt_text(key, "anderes Feld", context="case.name")
    for blob in (foreign, elsewhere, b"\x01kaputt", sealed[0][:-1] + b"\x00"):
        with pytest.raises(crypto.DecryptionFailed):
            open_text(blob)
    crypto.shred(key)
    key.refresh_from_db()
    with pytest.raises(crypto.ContentShredded):
        crypto.text_opener(key, context="case.entry")
