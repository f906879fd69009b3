"""The encrypted container of a backup file: a plain header, then authenticated chunks.

Layout::

    header  = b"HAFEN-BACKUP" | version (1 byte) | kind (b"D" data, b"K" key store)
              | master key id (16 ASCII hex) | salt (16 bytes)
    chunk   = last flag (1 byte) | length (4 bytes, big-endian) | AES-256-GCM ciphertext

The file key is derived from the master key with HKDF-SHA256 (the random salt makes it
unique per file, the kind is in ``info``). Each chunk's nonce is its counter and last
flag, and the header is its associated data: reordering, cutting off or swapping
chunks, changing the header or the flag fails the tag. A file without a final chunk is
truncated. Only the header is readable without the master key: the kind and which
master key to use, no content and no metadata.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hafen.privacy import crypto

MAGIC = b"HAFEN-BACKUP"
VERSION = 1
KIND_DATA = b"D"
KIND_KEYS = b"K"
KIND_NAMES = {KIND_DATA: "data backup", KIND_KEYS: "key-store backup"}
SALT_BYTES = 16
HEADER_BYTES = len(MAGIC) + 1 + 1 + 16 + SALT_BYTES
CHUNK_BYTES = 1 << 20
TAG_BYTES = 16


class BackupError(Exception):
    """A backup cannot be read or restored; the message says why and what to do."""


class NotABackup(BackupError):
    pass


class WrongKey(BackupError):
    pass


class Corrupt(BackupError):
    pass


@dataclass(frozen=True)
class Header:
    kind: bytes
    master_key_id: str
    salt: bytes
    raw: bytes


def _file_key(master: crypto.MasterKey, kind: bytes, salt: bytes) -> AESGCM:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"hafen backup v1 " + kind)
    return AESGCM(hkdf.derive(master.key))


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class EncryptingWriter:
    """A write-only stream that encrypts into ``out`` chunk by chunk; ``close`` seals it."""

    def __init__(self, out: BinaryIO, kind: bytes) -> None:
        master = crypto.keyring()[0]
        salt = secrets.token_bytes(SALT_BYTES)
        self.header = MAGIC + bytes([VERSION]) + kind + master.id.encode("ascii") + salt
        self._cipher = _file_key(master, kind, salt)
        self._out = out
        self._buffer = bytearray()
        self._counter = 0
        self._closed = False
        out.write(self.header)

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) >= CHUNK_BYTES:
            self._emit(bytes(self._buffer[:CHUNK_BYTES]), last=False)
            del self._buffer[:CHUNK_BYTES]
        return len(data)

    def _emit(self, plain: bytes, *, last: bool) -> None:
        sealed = self._cipher.encrypt(_nonce(self._counter, last), plain, self.header)
        self._out.write((b"\x01" if last else b"\x00") + len(sealed).to_bytes(4, "big"))
        self._out.write(sealed)
        self._counter += 1

    def close(self) -> None:
        if not self._closed:
            self._emit(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._closed = True


def read_header(source: BinaryIO) -> Header:
    raw = source.read(HEADER_BYTES)
    if len(raw) < HEADER_BYTES or not raw.startswith(MAGIC):
        raise NotABackup("This file is not a Hafen backup. Nothing was changed.")
    if raw[len(MAGIC)] != VERSION:
        raise NotABackup(
            f"This backup has format version {raw[len(MAGIC)]}; this Hafen reads version "
            f"{VERSION}. Restore it with the Hafen version that made it. Nothing was changed."
        )
    kind = raw[len(MAGIC) + 1 : len(MAGIC) + 2]
    if kind not in KIND_NAMES:
        raise NotABackup("This file is not a Hafen backup (unknown kind). Nothing was changed.")
    key_id = raw[len(MAGIC) + 2 : len(MAGIC) + 18].decode("ascii", errors="replace")
    return Header(kind=kind, master_key_id=key_id, salt=raw[len(MAGIC) + 18 :], raw=raw)


class DecryptingReader:
    """A read-only stream of the plaintext; every chunk is checked before it is handed on.

    Raises ``WrongKey`` when the backup's master key is not configured and ``Corrupt``
    for any altered, reordered or truncated chunk.
    """

    def __init__(self, source: BinaryIO, header: Header) -> None:
        masters = {master.id: master for master in crypto.keyring()}
        master = masters.get(header.master_key_id)
        if master is None:
            raise WrongKey(
                f"This backup was made with master key {header.master_key_id}, which is "
                "not in HAFEN_MASTER_KEYS. Configure that master key (it may stay as a "
                "second key after the current one) and try again. Nothing was changed."
            )
        self._cipher = _file_key(master, header.kind, header.salt)
        self._header = header
        self._source = source
        self._buffer = bytearray()
        self._counter = 0
        self._done = False

    def _next_chunk(self) -> None:
        frame = self._source.read(5)
        if len(frame) < 5:
            raise Corrupt("The backup file is truncated (its end is missing). Nothing was changed.")
        last = frame[0] == 1
        length = int.from_bytes(frame[1:], "big")
        if frame[0] not in (0, 1) or length > CHUNK_BYTES + TAG_BYTES or length < TAG_BYTES:
            raise Corrupt("The backup file is damaged or was altered. Nothing was changed.")
        sealed = self._source.read(length)
        if len(sealed) < length:
            raise Corrupt("The backup file is truncated (its end is missing). Nothing was changed.")
        try:
            plain = self._cipher.decrypt(_nonce(self._counter, last), sealed, self._header.raw)
        except InvalidTag:
            raise Corrupt(
                "The backup file is damaged or was altered (it does not authenticate with "
                "its master key). Nothing was changed."
            ) from None
        self._counter += 1
        self._buffer += plain
        if last:
            if self._source.read(1):
                raise Corrupt("The backup file has data after its end. Nothing was changed.")
            self._done = True

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            self._next_chunk()
        if size < 0:
            size = len(self._buffer)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data
