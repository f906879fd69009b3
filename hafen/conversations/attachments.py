"""Attachments: photos and PDF documents, checked by their content and stored encrypted.

Clients often send a photo of a letter from an authority. What arrives is hostile
until proven otherwise, so:

- the type is decided from the bytes, never from the file name or the browser's
  content type: JPEG, PNG and WebP must open and decode in Pillow (with only that
  format's decoder), a PDF must start with ``%PDF-`` and end with ``%%EOF``;
  everything else (SVG, HTML, archives, programs) is refused;
- images are decoded and encoded anew, which leaves every piece of metadata
  behind (EXIF with GPS and camera, XMP, comments, text chunks); the EXIF
  orientation is applied first so that a photo is not shown sideways;
- a picture of more than ``MAX_PIXELS`` is refused before it is decoded, so that a
  small file that unpacks into gigabytes (a decompression bomb) costs nothing;
- nothing is ever unpacked that is not an image: an archive renamed ``.pdf`` is
  refused by its first bytes;
- the stored name has no path, control characters or bidi overrides, is at most
  ``MAX_NAME_CHARS`` long and ends in the extension of the real type.

Uploads are kept in memory and never written to disk in plain text
(``BoundedMemoryUploadHandler``); the checked bytes are encrypted with the
conversation's data key (``actions.post_client_attachment``), so deleting the
conversation shreds them with everything else.

HEIC (the iPhone's own format) is not accepted: Pillow reads it only with an extra
native library. iPhones convert photos to JPEG when a page asks for JPEG (the
``accept`` attribute of the form field), and the refusal message says what to do.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from hafen.conversations.models import Attachment, Conversation
from hafen.privacy import crypto

# Part of every ciphertext of an attachment's bytes: it must never change.
CONTEXT = "conversation.attachment.bytes"
MAX_NAME_CHARS = 120
# 40 megapixels hold any phone photo in its usual setting (12 to 24 MP) with room to
# spare, and bound the memory one decoded picture may take (about 160 MB as RGBA).
MAX_PIXELS = 40_000_000
# Pillow's own guard, for every use of Pillow in the process: it raises
# DecompressionBombError above twice this number. Hafen refuses above MAX_PIXELS
# itself, with a message for the user; Pillow's warning in between is only noise.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.simplefilter("ignore", Image.DecompressionBombWarning)
# Kept at most this far from the end of a PDF: the end-of-file marker must be there.
PDF_TAIL = 1024

# Control characters, zero-width characters, bidi controls (a name that reads
# "rechnung‮fdp.exe" looks like a PDF) and the byte-order mark.
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
# Characters that mean something in a path on some system.
_PATH_CHARACTERS = re.compile(r'[<>:"/\\|?*]')
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif")


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str
    pillow_format: str  # empty: not an image


JPEG = Kind("image/jpeg", ".jpg", "JPEG")
PNG = Kind("image/png", ".png", "PNG")
WEBP = Kind("image/webp", ".webp", "WEBP")
PDF = Kind("application/pdf", ".pdf", "")
KINDS = (JPEG, PNG, WEBP, PDF)
ACCEPT = ",".join(kind.content_type for kind in KINDS)


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed every check: the bytes to store, their real type, a safe name."""

    data: bytes
    kind: Kind
    name: str

    @property
    def content_type(self) -> str:
        return self.kind.content_type

    @property
    def size(self) -> int:
        return len(self.data)


def max_bytes() -> int:
    return int(settings.HAFEN_ATTACHMENT_MAX_MB) * 1024 * 1024


def sniff(head: bytes) -> Kind | None:
    """The type the first bytes claim; Pillow or the PDF check confirms it afterwards."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _not_allowed(head: bytes) -> ValidationError:
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return _refuse(
            _(
                "Photos in the HEIC format cannot be sent. Please send the photo as JPEG "
                "(on an iPhone: Settings, Camera, Formats, “Most Compatible”) or take a "
                "screenshot of it."
            ),
            "heic",
        )
    return _refuse(
        _("This file cannot be sent. Please send a photo (JPEG, PNG or WebP) or a PDF document."),
        "type",
    )


def check_upload(upload: UploadedFile) -> CheckedFile:
    """Check an uploaded file completely; raise ``ValidationError`` with a clear message.

    Nothing is stored here: the result goes to ``actions.post_*_attachment``.
    """
    limit = max_bytes()
    size = upload.size or 0
    if getattr(upload, "too_large", False) or size > limit:
        raise _refuse(
            _("The file is too large: at most %(limit)s, this one has %(size)s.")
            % {"limit": filesizeformat(limit), "size": filesizeformat(size)},
            "too_large",
        )
    upload.seek(0)
    # Never more than the limit, whatever the upload says its size is.
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _refuse(
            _("The file is too large: at most %(limit)s.") % {"limit": filesizeformat(limit)},
            "too_large",
        )
    if not data:
        raise _refuse(_("The file is empty."), "empty")
    kind = sniff(data[:16])
    if kind is None:
        raise _not_allowed(data[:16])
    clean = _check_pdf(data) if kind is PDF else _reencode(data, kind)
    return CheckedFile(clean, kind, safe_name(upload.name or "", kind))


def _check_pdf(data: bytes) -> bytes:
    # The header says which PDF version; the end-of-file marker must follow the last
    # cross-reference section. A file cut off in transfer, or something else that only
    # begins like a PDF, misses one of them. The PDF is not opened: nothing in it is
    # decompressed on the server, and it is always downloaded, never shown inline.
    if not re.match(rb"%PDF-\d\.\d", data) or b"%%EOF" not in data[-PDF_TAIL:]:
        raise _refuse(
            _("The PDF document could not be read. It may be damaged or incomplete."),
            "damaged",
        )
    return data


def _too_many_pixels() -> ValidationError:
    return _refuse(
        _(
            "The picture is too large: at most %(limit)d megapixels. "
            "Please send a smaller photo or a screenshot."
        )
        % {"limit": MAX_PIXELS // 1_000_000},
        "pixels",
    )


def _check_pixels(size: tuple[int, int]) -> None:
    width, height = size
    if width * height > MAX_PIXELS:
        raise _too_many_pixels()


def _reencode(data: bytes, kind: Kind) -> bytes:
    """The picture decoded and encoded anew in its own format, without any metadata."""
    try:
        # Only this format's decoder may read it: a file that merely begins like a
        # JPEG cannot be handed to another, laxer decoder.
        with Image.open(io.BytesIO(data), formats=[kind.pillow_format]) as probe:
            _check_pixels(probe.size)  # from the header, before anything is decoded
            probe.verify()  # checksums and structure, where the format has them
        with Image.open(io.BytesIO(data), formats=[kind.pillow_format]) as source:
            _check_pixels(source.size)
            source.load()  # the first frame only: animations become a still picture
            picture = _upright(source)
            return _encode(picture, kind)
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels() from None
    except Exception:
        # Broken or hostile files make decoders raise anything from OSError to
        # SyntaxError, struct.error or IndexError: all of them mean "cannot be read".
        raise _refuse(
            _("The picture could not be read. It may be damaged. Please try another photo."),
            "damaged",
        ) from None


def _upright(source: Image.Image) -> Image.Image:
    """A copy turned as the camera's orientation tag says (a damaged tag is ignored)."""
    try:
        return ImageOps.exif_transpose(source)
    except Exception:
        return source.copy()


def _encode(picture: Image.Image, kind: Kind) -> bytes:
    options: dict[str, Any] = {}
    if kind is JPEG:
        if picture.mode not in ("RGB", "L"):
            picture = picture.convert("RGB")  # CMYK scans: browsers show RGB reliably
        options = {"quality": 90}
    elif kind is PNG:
        if "transparency" in picture.info:
            options["transparency"] = picture.info["transparency"]
    else:
        options = {"quality": 90}
    # Pillow's encoders fall back on ``info`` for some chunks (a JPEG comment, a PNG
    # colour profile); an empty ``info`` means nothing of the original goes along.
    picture.info = {}
    out = io.BytesIO()
    picture.save(out, format=kind.pillow_format, **options)
    return out.getvalue()


def safe_name(raw: str, kind: Kind) -> str:
    """A name to store and offer for download: no path, nothing invisible, the real type."""
    name = unicodedata.normalize("NFC", raw)
    name = re.split(r"[/\\]", name)[-1]  # the browser may send a whole path
    name = _INVISIBLE.sub("", name)
    name = _PATH_CHARACTERS.sub("_", name)
    name = " ".join(name.split())
    stem = name.rpartition(".")[0] if "." in name else name
    stem = stem.strip(" .")
    if not stem:
        stem = _("photo") if kind.pillow_format else _("document")
    return stem[: MAX_NAME_CHARS - len(kind.extension)].rstrip(" .") + kind.extension


@dataclass(frozen=True)
class Download:
    name: str
    content_type: str
    data: bytes


class AttachmentUnavailable(Exception):
    """The message has no attachment, or its file can no longer be read."""


def open_attachment(conversation: Conversation, seq: int) -> Download:
    """The decrypted attachment of message ``seq``; the caller has checked access."""
    attachment = (
        Attachment.objects.select_related("message")
        .filter(message__conversation=conversation, message__seq=seq)
        .first()
    )
    if attachment is None:
        raise AttachmentUnavailable
    attachment.message.conversation = conversation  # its data key is already loaded
    try:
        data = crypto.read_encrypted_file(
            conversation.data_key, attachment.storage_name, context=CONTEXT
        )
        name = attachment.name
    except (OSError, crypto.CryptoError):
        # Deleted in the meantime (the key is shredded, the file removed after commit).
        raise AttachmentUnavailable from None
    return Download(name, attachment.content_type, data)


class BoundedMemoryUploadHandler(FileUploadHandler):
    """Keep uploaded files in memory, never on disk, and never more than the limit.

    Django's default handler writes files above 2.5 MB to a temporary file: client
    content in plain text on the disk, and no bound at all on its size. This one
    keeps at most ``HAFEN_ATTACHMENT_MAX_MB`` per request in memory; beyond that
    it only counts, and the file it hands on is empty and marked ``too_large``
    with its real ``size``, so a form can say how large it was.
    """

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.budget = max_bytes()

    def handle_raw_input(
        self,
        input_data: Any,
        META: Any,
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        self.budget = max_bytes()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer: io.BytesIO | None = io.BytesIO()
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.buffer is None:
            return None
        if self.buffer.tell() + len(raw_data) > self.budget:
            self.buffer = None  # drop what was kept: this file is refused anyway
            return None
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> UploadedFile:
        buffer = self.buffer if self.buffer is not None else io.BytesIO()
        kept = buffer.tell()
        self.budget -= kept
        buffer.seek(0)
        upload = InMemoryUploadedFile(
            file=buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=self.received,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
        upload.too_large = self.buffer is None  # type: ignore[attr-defined]
        return upload
