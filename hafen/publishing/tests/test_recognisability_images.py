"""Images of a post lose their metadata; lying files and bombs are refused; faces counted."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.utils import translation
from PIL import Image, ImageDraw, ImageFilter

from hafen.publishing.recognisability.images import ImageRefused, clean_image


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def jpeg_with_gps_and_camera() -> bytes:
    image = Image.new("RGB", (120, 80), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "Spykamera"  # Make
    exif[0x0110] = "Modell X-9000"  # Model
    exif[0x013B] = "Anna Fotografin"  # Artist
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (52.0, 31.0, 12.5)
    gps[3] = "E"
    gps[4] = (13.0, 24.0, 36.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"Wohnung von Familie K.")
    return out.getvalue()


def drawn_face(size: int = 400) -> Image.Image:
    """A synthetic frontal face (no photo, no licence question) the cascade detects."""
    image = Image.new("L", (size, size), 60)
    draw = ImageDraw.Draw(image)
    s = size / 400
    draw.ellipse([100 * s, 60 * s, 300 * s, 340 * s], fill=200)
    draw.ellipse([140 * s, 150 * s, 185 * s, 175 * s], fill=40)
    draw.ellipse([215 * s, 150 * s, 260 * s, 175 * s], fill=40)
    draw.rectangle([135 * s, 130 * s, 190 * s, 140 * s], fill=70)
    draw.rectangle([210 * s, 130 * s, 265 * s, 140 * s], fill=70)
    draw.polygon([(200 * s, 180 * s), (185 * s, 245 * s), (215 * s, 245 * s)], fill=170)
    draw.ellipse([165 * s, 270 * s, 235 * s, 295 * s], fill=80)
    return image.filter(ImageFilter.GaussianBlur(3 * s)).convert("RGB")


def encoded(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def test_gps_camera_artist_and_comment_are_gone_after_cleaning():
    original = jpeg_with_gps_and_camera()
    assert b"Spykamera" in original and b"Familie K." in original
    cleaned = clean_image(original, "image/jpeg")
    assert (cleaned.content_type, cleaned.width, cleaned.height) == ("image/jpeg", 120, 80)
    for secret in (b"Spykamera", b"X-9000", b"Anna Fotografin", b"Familie K.", b"Exif"):
        assert secret not in cleaned.data
    reopened = Image.open(io.BytesIO(cleaned.data))
    assert dict(reopened.getexif()) == {}
    assert reopened.getexif().get_ifd(0x8825) == {}
    assert "comment" not in reopened.info


def test_a_photo_taken_upright_stays_upright_after_its_orientation_tag_is_removed():
    image = Image.new("RGB", (100, 50), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: display rotated by 90°
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    cleaned = clean_image(out.getvalue(), "image/jpeg")
    assert (cleaned.width, cleaned.height) == (50, 100)


def test_png_text_chunks_are_gone():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Kevin S., Wohngruppe Sonnenblume")
    out = io.BytesIO()
    Image.new("RGBA", (40, 40), (0, 0, 255, 128)).save(out, "PNG", pnginfo=info)
    cleaned = clean_image(out.getvalue(), "image/png")
    assert b"Kevin" not in cleaned.data
    assert cleaned.content_type == "image/png"


def test_a_png_that_claims_to_be_a_jpeg_is_refused():
    png = encoded(Image.new("RGB", (10, 10)), "PNG")
    with pytest.raises(ImageRefused) as refused:
        clean_image(png, "image/jpeg")
    assert "not a JPEG image" in refused.value.message


def test_a_script_named_as_an_image_and_unsupported_types_are_refused():
    with pytest.raises(ImageRefused, match="could not be read"):
        clean_image(b"<script>alert(1)</script>", "image/png")
    with pytest.raises(ImageRefused, match="Only JPEG, PNG and WebP"):
        clean_image(encoded(Image.new("RGB", (10, 10)), "GIF"), "image/gif")


def decompression_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A PNG of a few hundred bytes whose header announces 3.6 gigapixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 10_000, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def test_a_decompression_bomb_is_refused_before_it_is_unpacked():
    bomb = decompression_bomb()
    assert len(bomb) < 1000
    with pytest.raises(ImageRefused, match="too many pixels"):
        clean_image(bomb, "image/png")


def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(ImageRefused, match="larger than 15 MB"):
        clean_image(b"\xff\xd8" + b"\x00" * (15 * 1024 * 1024), "image/jpeg")


def test_the_refusal_speaks_german_to_german_staff():
    png = encoded(Image.new("RGB", (10, 10)), "PNG")
    with translation.override("de"), pytest.raises(ImageRefused) as refused:
        clean_image(png, "image/jpeg")
    assert "kein JPEG-Bild" in refused.value.message


def test_a_face_is_counted_and_a_landscape_has_none():
    face = clean_image(encoded(drawn_face(), "JPEG"), "image/jpeg")
    assert face.faces == 1
    landscape = Image.linear_gradient("L").resize((400, 300)).convert("RGB")
    assert clean_image(encoded(landscape, "PNG"), "image/png").faces == 0
