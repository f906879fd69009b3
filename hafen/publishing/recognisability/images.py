"""Images of a post: metadata removed, lying files and bombs refused, faces counted.

``clean_image(data, declared_type)`` decodes the upload with Pillow and writes a new
file from the pixels alone, so EXIF (GPS position, camera make and serial number,
date), XMP, IPTC, ICC profiles, comments and PNG text chunks are gone, whatever the
camera or editor put there. The EXIF orientation is applied first, so a portrait photo
stays upright. It refuses, with a message in the user's language (``ImageRefused``):

- files larger than ``MAX_BYTES`` (15 MB) or with more than ``MAX_PIXELS`` (40
  megapixels), checked from the header before any pixel is decoded, so a
  "decompression bomb" (a few kilobytes that unpack into gigabytes) costs nothing;
- types other than JPEG, PNG and WebP, and files whose content is not the declared
  type (a PNG sent as "image/jpeg", a script named .jpg);
- files that cannot be decoded.

Faces are counted with OpenCV's frontal-face Haar cascade, which ships inside the
opencv-python-headless wheel (no download at run time): the core shows "people shown —
have they agreed (§ 22 KUG)?" when ``faces > 0``. The cascade finds frontal faces of
some size; it misses profiles, small faces in crowds and covered faces, so the core
asks about consent for every photo and treats the count as a hint. ``faces`` is None
when OpenCV cannot be loaded.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000
# The largest side the face detector looks at: enough for faces of a post photo.
FACE_SCAN_SIDE = 1024

_FORMATS = {"image/jpeg": "JPEG", "image/jpg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
_SAVE_OPTIONS: dict[str, dict[str, Any]] = {
    "JPEG": {"quality": 88, "optimize": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 85},
}


class ImageRefused(ValueError):
    """The upload is not accepted; ``message`` says why, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class CleanedImage:
    data: bytes
    content_type: str
    width: int
    height: int
    faces: int | None


def clean_image(data: bytes, declared_type: str) -> CleanedImage:
    if len(data) > MAX_BYTES:
        raise ImageRefused(
            _("The image is larger than %(limit)d MB. Please make it smaller.")
            % {"limit": MAX_BYTES // (1024 * 1024)}
        )
    wanted = _FORMATS.get(declared_type.split(";")[0].strip().lower())
    if wanted is None:
        raise ImageRefused(_("Only JPEG, PNG and WebP images can be used."))
    try:
        with Image.open(io.BytesIO(data), formats=list(_CONTENT_TYPES)) as opened:
            if opened.format != wanted:
                raise ImageRefused(
                    _("This file is not a %(declared)s image, although it claims to be.")
                    % {"declared": wanted}
                )
            width, height = opened.size
            if width * height > MAX_PIXELS or width > 20_000 or height > 20_000:
                raise _too_many_pixels()
            opened.load()
            upright = ImageOps.exif_transpose(opened)
            pixels = _plain_mode(upright, wanted)
    except ImageRefused:
        raise
    except Image.DecompressionBombError:
        # Pillow's own guard, when the header alone announces a gigantic image.
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ImageRefused(_("This file could not be read as an image.")) from None
    # A new image from the pixels alone: nothing of the original's metadata can follow.
    fresh = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    fresh.save(out, format=wanted, **_SAVE_OPTIONS[wanted])
    return CleanedImage(
        out.getvalue(), _CONTENT_TYPES[wanted], fresh.width, fresh.height, count_faces(fresh)
    )


def _too_many_pixels() -> ImageRefused:
    return ImageRefused(
        _("The image has too many pixels (at most %(limit)d megapixels).")
        % {"limit": MAX_PIXELS // 1_000_000}
    )


def _plain_mode(image: Image.Image, fmt: str) -> Image.Image:
    if fmt == "JPEG":
        return image.convert("RGB") if image.mode not in ("RGB", "L") else image
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image
    return image.convert("RGBA")


@cache
def _cascade() -> Any:
    try:
        import cv2
    except ImportError:  # pragma: no cover - the wheel is a pinned dependency
        return None
    cascade = cv2.data.haarcascades + "haarcascade_frontalface_default.xml"  # type: ignore[attr-defined]
    classifier = cv2.CascadeClassifier(cascade)
    return None if classifier.empty() else classifier


def count_faces(image: Image.Image) -> int | None:
    """Frontal faces in ``image`` (None when OpenCV is not available)."""
    classifier = _cascade()
    if classifier is None:
        return None
    import numpy

    gray = image.convert("L")
    scale = max(gray.size) / FACE_SCAN_SIDE
    if scale > 1:
        gray = gray.resize((round(gray.width / scale), round(gray.height / scale)))
    smallest = max(24, min(gray.size) // 20)
    faces = classifier.detectMultiScale(
        numpy.asarray(gray), scaleFactor=1.1, minNeighbors=5, minSize=(smallest, smallest)
    )
    return len(faces)
