"""Images of posts: checked by their bytes with Pillow, then stored under a random name.

What arrives is hostile until proven otherwise: the type is decided from the bytes
(JPEG, PNG or WebP, opened with only that format's decoder) and must agree with the
type the browser declared — a file that lies about its type is refused, not guessed.
Files above ``MAX_BYTES`` and pictures above ``MAX_PIXELS`` (a decompression bomb) are
refused before they are decoded.

Then the recognisability check's ``clean_image`` rebuilds the picture from its pixels,
so no metadata (GPS, camera, names) is stored or published, and counts the faces it
sees: the post page then asks whether the people shown agreed (§ 22 KUG).
"""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from hafen.publishing.recognisability.images import ImageRefused, clean_image

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
DECLARED = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg"}


@dataclass(frozen=True)
class CheckedImage:
    data: bytes
    content_type: str
    width: int
    height: int
    faces: int | None = None  # faces seen by the check; None: not counted


def check(upload: UploadedFile) -> CheckedImage:
    """The upload as a checked image, or ValidationError with a message for the author."""
    if upload.size is None or upload.size > MAX_BYTES:
        raise ValidationError(
            _("The image is too big. At most %(size)s are allowed.")
            % {"size": filesizeformat(MAX_BYTES)}
        )
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _("The image is too big. At most %(size)s are allowed.")
            % {"size": filesizeformat(MAX_BYTES)}
        )
    return prepare(data, (upload.content_type or "").lower())


def prepare(data: bytes, declared_type: str) -> CheckedImage:
    not_an_image = ValidationError(
        _("This file is not a JPEG, PNG or WebP image. Please choose a photo or picture.")
    )
    too_many_pixels = ValidationError(_("The picture has too many pixels. Please make it smaller."))
    try:
        with warnings.catch_warnings():
            # Above MAX_PIXELS Hafen refuses with its own message; Pillow's warning is noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
                actual = FORMATS.get(image.format or "")
                width, height = image.size
                if actual is None:
                    raise not_an_image
                if width * height > MAX_PIXELS:
                    raise too_many_pixels
                image.verify()
    except Image.DecompressionBombError:
        raise too_many_pixels from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise not_an_image from None
    declared = DECLARED.get(declared_type, declared_type)
    if declared != actual:
        raise ValidationError(
            _("The file claims to be %(declared)s but is %(actual)s. It was not accepted.")
            % {"declared": declared or _("of no type"), "actual": actual}
        )
    try:
        # Rebuilt from its pixels: GPS, camera, names and comments are gone.
        cleaned = clean_image(data, actual)
    except ImageRefused as refused:
        raise ValidationError(str(refused)) from None
    return CheckedImage(
        data=cleaned.data,
        content_type=cleaned.content_type,
        width=cleaned.width,
        height=cleaned.height,
        faces=cleaned.faces,
    )


def store(image: CheckedImage) -> str:
    name = f"publishing/{secrets.token_hex(16)}{EXTENSIONS[image.content_type]}"
    return default_storage.save(name, ContentFile(image.data))


def read(stored_name: str) -> bytes:
    with default_storage.open(stored_name, "rb") as handle:
        return bytes(handle.read())
