"""Envelope encryption: per-subject data keys (AES-256-GCM) wrapped by the master key.

How a later app uses it (a conversation, a case file, a plan):

    key = crypto.create_data_key("conversation")       # once per subject, stored on it
    sealed = crypto.encrypt_text(key, body, context="message.body")
    body = crypto.decrypt_text(key, sealed, context="message.body")
    crypto.shred(key)                                   # deletion: content is gone for good

``context`` is bound into the ciphertext as associated data, so a sealed value
copied into another field or onto another subject does not decrypt.
The master keyring comes from settings (HAFEN_MASTER_KEYS); its first key wraps
new data keys, the others only unwrap until ``rotate_master_key`` has re-wrapped
every data key — content is never re-encrypted for a rotation.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from hafen.privacy.models import DataKey

FORMAT_V1 = b"\x01"
NONCE_BYTES = 12


class CryptoError(Exception):
    """Content cannot be decrypted."""


class ContentShredded(CryptoError):
    """The data key was destroyed: the content is deleted for good."""


class DecryptionFailed(CryptoError):
    """Wrong key, wrong context or altered ciphertext."""


@dataclass(frozen=True)
class MasterKey:
    id: str
    key: bytes


def master_key_id(key: bytes) -> str:
    return hashlib.sha256(b"hafen-master-key-id:" + key).hexdigest()[:16]


def parse_master_key(encoded: str) -> MasterKey:
    try:
        key = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise CryptoError("A master key is not valid base64.") from None
    if len(key) != 32:
        raise CryptoError("A master key must be 32 bytes (AES-256).")
    return MasterKey(id=master_key_id(key), key=key)


@functools.lru_cache(maxsize=4)
def _keyring(encoded: tuple[str, ...]) -> tuple[MasterKey, ...]:
    if not encoded:
        raise CryptoError("No master key is configured (HAFEN_MASTER_KEYS).")
    return tuple(parse_master_key(item) for item in encoded)


def keyring() -> tuple[MasterKey, ...]:
    """The configured master keys, the primary one first."""
    return _keyring(tuple(settings.HAFEN_MASTER_KEYS))


def new_master_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _wrap(raw: bytes, data_key_id: uuid.UUID, master: MasterKey) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(master.key).encrypt(nonce, raw, data_key_id.bytes)


def _unwrap(data_key: DataKey) -> bytes:
    if data_key.is_shredded or not data_key.wrapped:
        raise ContentShredded(f"Data key {data_key.id} was destroyed.")
    masters = {master.id: master for master in keyring()}
    master = masters.get(data_key.master_key_id)
    if master is None:
        raise DecryptionFailed(
            f"Data key {data_key.id} is wrapped by master key {data_key.master_key_id}, "
            "which is not in the keyring."
        )
    wrapped = bytes(data_key.wrapped)
    try:
        return AESGCM(master.key).decrypt(
            wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], data_key.id.bytes
        )
    except InvalidTag:
        raise DecryptionFailed(f"Data key {data_key.id} does not unwrap.") from None


def create_data_key(purpose: str) -> DataKey:
    """A new random data key for one subject, stored wrapped by the primary master key."""
    primary = keyring()[0]
    data_key = DataKey(purpose=purpose, master_key_id=primary.id)
    data_key.wrapped = _wrap(AESGCM.generate_key(bit_length=256), data_key.id, primary)
    data_key.save(force_insert=True)
    return data_key


def _aad(data_key: DataKey, context: str) -> bytes:
    return b"hafen:" + data_key.id.bytes + b":" + context.encode()


def encrypt_bytes(data_key: DataKey, plaintext: bytes, *, context: str) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(_unwrap(data_key)).encrypt(nonce, plaintext, _aad(data_key, context))
    return FORMAT_V1 + nonce + sealed


def decrypt_bytes(data_key: DataKey, blob: bytes, *, context: str) -> bytes:
    return _open(AESGCM(_unwrap(data_key)), blob, _aad(data_key, context))


def _open(cipher: AESGCM, blob: bytes, aad: bytes) -> bytes:
    blob = bytes(blob)
    if blob[:1] != FORMAT_V1 or len(blob) < 1 + NONCE_BYTES + 16:
        raise DecryptionFailed("Not a Hafen ciphertext.")
    try:
        return cipher.decrypt(blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :], aad)
    except InvalidTag:
        raise DecryptionFailed("The content does not decrypt with this key.") from None


def text_opener(data_key: DataKey, *, context: str) -> Callable[[bytes], str]:
    """``decrypt_text`` for many texts under one key: the key is unwrapped once.

    For reading thousands of texts of one subject at a time (search); the unwrapped
    key lives only as long as the returned function.
    """
    cipher = AESGCM(_unwrap(data_key))
    aad = _aad(data_key, context)
    return lambda blob: _open(cipher, blob, aad).decode("utf-8")


def encrypt_text(data_key: DataKey, text: str, *, context: str) -> bytes:
    return encrypt_bytes(data_key, text.encode("utf-8"), context=context)


def decrypt_text(data_key: DataKey, blob: bytes, *, context: str) -> str:
    return decrypt_bytes(data_key, blob, context=context).decode("utf-8")


def save_encrypted_file(data_key: DataKey, content: bytes, *, context: str) -> str:
    """Store an attachment encrypted under a random name; returns the storage name."""
    name = f"sealed/{data_key.id}/{secrets.token_hex(16)}.bin"
    sealed = encrypt_bytes(data_key, content, context=context)
    try:
        return default_storage.save(name, ContentFile(sealed))
    except OSError:
        # A full disk stops the write halfway, and the storage leaves the part behind:
        # no piece of a file may stay that no message refers to.
        with contextlib.suppress(OSError):
            default_storage.delete(name)
        raise


def read_encrypted_file(data_key: DataKey, name: str, *, context: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return decrypt_bytes(data_key, handle.read(), context=context)


def shred(data_key: DataKey) -> None:
    """Destroy the data key: everything encrypted with it is unreadable from now on.

    The row stays (empty) so that deletion logs and foreign keys can still name it.
    Shredding a shredded key again keeps the time of the first (a replay after a
    restore erases records whose key is gone already).
    """
    if data_key.is_shredded:
        return
    data_key.wrapped = None
    data_key.shredded_at = timezone.now()
    data_key.save(update_fields=["wrapped", "shredded_at"])


def rotate_master_key(batch_size: int = 500) -> int:
    """Re-wrap every live data key under the primary master key; content stays untouched.

    Returns how many keys were re-wrapped. Safe to run again after an interruption:
    it only picks keys that are still wrapped by another master key.
    """
    primary = keyring()[0]
    rewrapped = 0
    while True:
        with transaction.atomic():
            batch = list(
                DataKey.objects.select_for_update()
                .filter(shredded_at__isnull=True)
                .exclude(master_key_id=primary.id)[:batch_size]
            )
            if not batch:
                return rewrapped
            for data_key in batch:
                data_key.wrapped = _wrap(_unwrap(data_key), data_key.id, primary)
                data_key.master_key_id = primary.id
                data_key.save(update_fields=["wrapped", "master_key_id"])
            rewrapped += len(batch)


class SealedText:
    """A model attribute that reads and writes an encrypted column as text.

        class Message(models.Model):
            data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT)
            body_sealed = models.BinaryField()
            body = SealedText("body_sealed", context="message.body")

    ``context`` is bound into every ciphertext, so it must never change once data is
    written (it is explicit, not derived from a class name that a refactoring renames).
    Reading after the key was shredded raises ``ContentShredded``.
    """

    def __init__(self, column: str, *, context: str, key_field: str = "data_key") -> None:
        self.column = column
        self.context = context
        self.key_field = key_field

    def __get__(self, instance: object, owner: type | None = None) -> str:
        if instance is None:
            return self  # type: ignore[return-value]
        blob = getattr(instance, self.column)
        if blob is None:
            return ""
        return decrypt_text(getattr(instance, self.key_field), blob, context=self.context)

    def __set__(self, instance: object, value: str) -> None:
        sealed = encrypt_text(getattr(instance, self.key_field), value, context=self.context)
        setattr(instance, self.column, sealed)
