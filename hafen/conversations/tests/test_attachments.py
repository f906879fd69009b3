"""Attachments through the real HTTP stack: photos and PDF, checked by content, encrypted.

Every file here is made in the test (Pillow for pictures, by hand for PDF, archives
and hostile files), so each test shows exactly what goes in and what comes out.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from PIL import ExifTags, Image

from hafen.conftest import login_client
from hafen.conversations.attachments import JPEG, PDF, PNG, safe_name
from hafen.conversations.models import Attachment, Message, Sender
from hafen.conversations.tests.conftest import DoorClient, start_conversation
from hafen.privacy.models import AuditEntry

CAMERA = "Hafen-Testkamera"
LATITUDE = (52.0, 31.0, 12.34)


# Files as they arrive -------------------------------------------------------------


def photo_with_location(width: int = 64, height: int = 48) -> bytes:
    """A phone photo: camera name, GPS position, and "turn right by 90°" in its EXIF."""
    picture = Image.new("RGB", (width, height), (200, 30, 30))
    picture.paste((20, 20, 220), (0, 0, width // 2, height))  # left half blue
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = CAMERA
    exif[ExifTags.Base.Orientation] = 6
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (13.0, 24.0, 56.78)
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif, comment=b"Kommentar mit Geheimnis")
    return out.getvalue()


def png_with_text() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "Wohnt in der Hafenstrasse 7")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>Geheim</x:xmpmeta>")
    out = io.BytesIO()
    Image.new("RGBA", (30, 20), (0, 128, 0, 128)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), (1, 2, 3)).save(out, "WEBP")
    return out.getvalue()


def pdf(body: bytes = b"") -> bytes:
    return (
        b"%PDF-1.4\n"
        b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n"
        + body
        + b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int, idat: bytes) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def decompression_bomb() -> bytes:
    """A real PNG of 8000 by 8000 black pixels: about 64 KB that unpack into 64 MB."""
    size = 8000
    packer = zlib.compressobj(9)
    row = b"\x00" * (size + 1)  # filter byte and one byte per pixel
    idat = b"".join(packer.compress(row) for _ in range(size)) + packer.flush()
    return png_declaring(size, size, idat)


def zip_bomb() -> bytes:
    """An archive of 50 MB of zeros, about 50 KB small."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("rechnung.pdf", b"\x00" * (50 * 1024 * 1024))
    return out.getvalue()


def small_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("brief.txt", "Hallo")
    return out.getvalue()


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.cookie)</script></svg>"
)
HTML = b"<!doctype html><html><script>fetch('/gespraech/herunterladen/')</script></html>"
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64


# Sending and looking ----------------------------------------------------------------


def send_file(
    browser: Client,
    name: str,
    data: bytes,
    content_type: str,
    *,
    body: str = "",
    client_id: str = "file-0001",
    url: str = "/gespraech/senden/",
    **headers: str,
):
    upload = SimpleUploadedFile(name, data, content_type=content_type)
    return browser.post(
        url, {"body": body, "client_id": client_id, "attachment": upload}, **headers
    )


def stored_files(settings) -> list[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def staff_url(door: DoorClient, seq: int = 1) -> str:
    return f"/posteingang/{door.conversation.pk}/anhang/{seq}/"


# What is kept, and what is not ------------------------------------------------------


def test_a_photo_is_stored_encrypted_and_comes_back_upright_without_location_or_camera(
    door_client, counsellor, settings
) -> None:
    original = photo_with_location() + b"<script>alert(1)</script>"  # a payload after the end

    response = send_file(
        door_client.browser, "IMG_0001.JPG", original, "image/jpeg", body="Brief vom Amt"
    )

    assert response.status_code == 302
    message = Message.objects.get()
    attachment = Attachment.objects.get()
    assert message.sender == Sender.CLIENT and message.body == "Brief vom Amt"
    assert attachment.content_type == "image/jpeg" and attachment.name == "IMG_0001.jpg"
    assert CAMERA.encode() not in bytes(attachment.name_sealed)
    [on_disk] = stored_files(settings)
    raw = on_disk.read_bytes()
    assert attachment.size < len(raw)  # the stored file is the sealed one
    for plain in (b"\xff\xd8\xff", b"JFIF", b"Exif", CAMERA.encode(), b"Geheimnis"):
        assert plain not in raw

    download = door_client.browser.get("/gespraech/anhang/1/")

    assert download.status_code == 200
    assert download["Content-Type"] == "image/jpeg"
    assert download["Content-Disposition"] == 'attachment; filename="IMG_0001.jpg"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]
    assert "sandbox" in download["Content-Security-Policy"]
    data = download.content
    assert len(data) == attachment.size
    for leak in (CAMERA.encode(), b"Exif", b"Geheimnis", b"<script>"):
        assert leak not in data
    picture = Image.open(io.BytesIO(data))
    assert picture.format == "JPEG"
    assert picture.size == (48, 64)  # turned as the camera said: no longer sideways
    assert dict(picture.getexif()) == {}
    assert "exif" not in picture.info and "comment" not in picture.info
    # Turned right by 90°: the blue left half of the sensor is now at the top.
    top, bottom = picture.convert("RGB").getpixel((24, 5)), picture.getpixel((24, 58))
    assert top[2] > 150 and bottom[0] > 150

    team_copy = login_client(counsellor).get(staff_url(door_client))
    assert team_copy.status_code == 200 and team_copy.content == data


def test_a_png_loses_its_text_and_xmp_but_keeps_its_transparency(door_client) -> None:
    send_file(door_client.browser, "screenshot.png", png_with_text(), "image/png")

    data = door_client.browser.get("/gespraech/anhang/1/").content

    assert b"Hafenstrasse" not in data and b"xmpmeta" not in data
    picture = Image.open(io.BytesIO(data))
    assert picture.format == "PNG" and picture.mode == "RGBA"
    assert picture.getpixel((0, 0)) == (0, 128, 0, 128)
    assert not {"Comment", "XML:com.adobe.xmp"} & set(picture.info)


def test_a_pdf_is_stored_encrypted_and_downloaded_unchanged(door_client, settings) -> None:
    document = pdf(b"4 0 obj (Bescheid vom Jobcenter) endobj\n")

    response = send_file(door_client.browser, "Bescheid März.pdf", document, "application/pdf")

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.content_type == "application/pdf"
    assert attachment.name == "Bescheid März.pdf"
    assert Message.objects.get().body == ""  # a file may stand alone
    raw = stored_files(settings)[0].read_bytes()
    assert b"%PDF" not in raw and b"Jobcenter" not in raw
    download = door_client.browser.get("/gespraech/anhang/1/")
    assert download.content == document
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == (
        "attachment; filename*=utf-8''Bescheid%20M%C3%A4rz.pdf"
    )


def test_the_type_comes_from_the_content_and_the_name_gets_the_matching_extension(
    door_client,
) -> None:
    send_file(door_client.browser, "scan.pdf", png_with_text(), "application/pdf")
    send_file(door_client.browser, "foto.jpg", webp(), "image/jpeg", client_id="file-0002")
    send_file(
        door_client.browser,
        "C:\\Users\\Ayşe\\Desktop\\\u202efdp.exe\x07brief.png",
        photo_with_location(),
        "image/png",
        client_id="file-0003",
    )

    kept = [(a.name, a.content_type) for a in Attachment.objects.order_by("message__seq")]
    assert kept == [
        ("scan.png", "image/png"),
        ("foto.webp", "image/webp"),
        ("fdp.exebrief.jpg", "image/jpeg"),
    ]


def test_stored_names_have_no_path_nothing_invisible_and_at_most_120_characters() -> None:
    assert safe_name("../../etc/passwd", PDF) == "passwd.pdf"
    assert safe_name("..\\..\\boot.ini", PDF) == "boot.pdf"
    assert safe_name("a\u200bb\ufeffc\u2066d\x00e.jpeg", JPEG) == "abcde.jpg"
    assert safe_name("  Brief:  vom <Amt>?.PDF ", PDF) == "Brief_ vom _Amt__.pdf"
    with translation.override("en"):
        assert safe_name(".png", PNG) == "photo.png"
        assert safe_name("", PDF) == "document.pdf"
    long = safe_name("ä" * 500 + ".jpg", JPEG)
    assert len(long) == 120 and long.endswith("ä.jpg")


def test_the_composer_offers_photos_and_pdf_as_a_multipart_form(door_client) -> None:
    page = door_client.browser.get("/gespraech/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'enctype="multipart/form-data"' in page
    assert 'type="file" name="attachment"' in page
    assert 'accept="image/jpeg,image/png,image/webp,application/pdf"' in page
    assert "at most 10 MB" in page


def test_the_thread_shows_the_file_with_its_name_and_size(door_client, counsellor) -> None:
    send_file(door_client.browser, "brief.pdf", pdf(), "application/pdf", body="Hier der Brief")

    client_page = door_client.browser.get("/gespraech/").content.decode()
    team_page = login_client(counsellor).get(f"/posteingang/{door_client.conversation.pk}/")

    assert 'href="/gespraech/anhang/1/"' in client_page and "brief.pdf" in client_page
    assert f'href="{staff_url(door_client)}"' in team_page.content.decode()


# Retries, answers for scripts, the team's side ---------------------------------------


def test_a_retry_with_the_same_client_id_stores_one_attachment(door_client, settings) -> None:
    headers = {"HTTP_ACCEPT": "application/json"}
    first = send_file(door_client.browser, "a.pdf", pdf(), "application/pdf", **headers)
    second = send_file(door_client.browser, "a.pdf", pdf(), "application/pdf", **headers)
    plain = send_file(door_client.browser, "a.pdf", pdf(), "application/pdf")

    assert first.json() == {"seq": 1, "duplicate": False}
    assert second.json() == {"seq": 1, "duplicate": True}
    assert plain.status_code == 302
    assert Message.objects.count() == Attachment.objects.count() == 1
    assert len(stored_files(settings)) == 1


def test_a_script_gets_json_for_text_errors_and_a_deleted_conversation(door_client) -> None:
    headers = {"HTTP_ACCEPT": "application/json", "HTTP_ACCEPT_LANGUAGE": "en"}
    text = door_client.browser.post(
        "/gespraech/senden/", {"body": "Hallo", "client_id": "text-0001"}, **headers
    )
    refused = send_file(door_client.browser, "x.jpg", HTML, "image/jpeg", **headers)
    empty = door_client.browser.post(
        "/gespraech/senden/", {"body": " ", "client_id": "text-0002"}, **headers
    )
    door_client.browser.post("/gespraech/loeschen/", {"confirm": "yes"})
    gone = send_file(door_client.browser, "a.pdf", pdf(), "application/pdf", **headers)

    assert text.json() == {"seq": 1, "duplicate": False}
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["attachment"]
    assert (
        "Please send a photo (JPEG, PNG or WebP) or a PDF"
        in refused.json()["errors"]["attachment"][0]
    )
    assert empty.status_code == 400
    assert empty.json() == {"errors": {"body": ["Please write a message."]}}
    assert gone.status_code == 404 and gone.json()["error"] == "gone"


def test_the_team_answers_with_a_file_that_the_client_can_download(door_client, counsellor) -> None:
    door_client.send("Können Sie mir das Formular schicken?")
    staff = login_client(counsellor)

    response = send_file(
        staff,
        "Antrag.pdf",
        pdf(),
        "application/pdf",
        body="Hier ist es",
        client_id="staff-file-1",
        url=f"/posteingang/{door_client.conversation.pk}/antworten/",
        HTTP_ACCEPT="application/json",
    )

    assert response.json() == {"seq": 2, "duplicate": False}
    message = Message.objects.get(seq=2)
    assert message.sender == Sender.STAFF and message.author == counsellor
    assert AuditEntry.objects.filter(action="conversation.answered").count() == 1
    download = door_client.browser.get("/gespraech/anhang/2/")
    assert download.status_code == 200 and download.content == pdf()


def test_staff_downloads_are_audited_without_content(door_client, counsellor) -> None:
    send_file(door_client.browser, "Mietvertrag.pdf", pdf(), "application/pdf")

    login_client(counsellor).get(staff_url(door_client))

    entry = AuditEntry.objects.get(action="conversation.attachment_downloaded")
    assert entry.actor_id == counsellor.pk
    assert entry.object_id == str(door_client.conversation.pk)
    assert entry.details == {"seq": 1}
    assert "Mietvertrag" not in json.dumps(entry.details) + entry.object_id


# Who may not download ------------------------------------------------------------------


def test_another_client_a_stranger_and_an_outsider_cannot_download(
    door_client, outsider, leader
) -> None:
    send_file(door_client.browser, "brief.pdf", pdf(), "application/pdf")
    other_client = start_conversation()
    other_client.send("Ich bin jemand anderes")

    assert other_client.browser.get("/gespraech/anhang/1/").status_code == 404
    assert Client().get("/gespraech/anhang/1/").status_code == 404
    assert login_client(outsider).get(staff_url(door_client)).status_code == 404
    # Leadership sees figures, not client content.
    assert login_client(leader).get(staff_url(door_client)).status_code == 404
    anonymous = Client().get(staff_url(door_client))
    assert anonymous.status_code == 302 and "/konto/anmelden/" in anonymous["Location"]
    assert not AuditEntry.objects.filter(action="conversation.attachment_downloaded").exists()


def test_messages_without_a_file_and_unknown_numbers_are_404(door_client, counsellor) -> None:
    door_client.send("Nur Text")
    staff = login_client(counsellor)

    for seq in (1, 2, 99999):
        assert door_client.browser.get(f"/gespraech/anhang/{seq}/").status_code == 404
        assert staff.get(staff_url(door_client, seq)).status_code == 404
    assert staff.get("/posteingang/999999/anhang/1/").status_code == 404
    assert door_client.browser.post("/gespraech/anhang/1/").status_code == 405


def test_deleting_the_conversation_removes_its_files(
    door_client, settings, django_capture_on_commit_callbacks
) -> None:
    send_file(door_client.browser, "a.pdf", pdf(), "application/pdf")
    send_file(
        door_client.browser, "b.jpg", photo_with_location(), "image/jpeg", client_id="file-0002"
    )
    assert len(stored_files(settings)) == 2

    with django_capture_on_commit_callbacks(execute=True):
        response = door_client.browser.post("/gespraech/loeschen/", {"confirm": "yes"})

    assert response.status_code == 200
    assert stored_files(settings) == []
    assert Attachment.objects.count() == 0
    assert door_client.browser.get("/gespraech/anhang/1/").status_code == 404


# Hostile files ---------------------------------------------------------------------------

NOT_ALLOWED = "This file cannot be sent. Please send a photo (JPEG, PNG or WebP) or a PDF"
TOO_MANY_PIXELS = "The picture is too large: at most 40 megapixels."
UNREADABLE = "The picture could not be read. It may be damaged."

HOSTILE = {
    "a zip archive called .jpg": ("brief.jpg", small_zip, "image/jpeg", NOT_ALLOWED),
    "an HTML page called .jpg": ("foto.jpg", lambda: HTML, "image/jpeg", NOT_ALLOWED),
    "an SVG with script": ("bild.svg", lambda: SVG, "image/svg+xml", NOT_ALLOWED),
    "an SVG called .png": ("bild.png", lambda: SVG, "image/png", NOT_ALLOWED),
    "a zip bomb called .pdf": ("rechnung.pdf", zip_bomb, "application/pdf", NOT_ALLOWED),
    "a GIF": ("a.gif", lambda: b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif", NOT_ALLOWED),
    "a program": (
        "setup.pdf",
        lambda: b"MZ\x90\x00" + b"\x00" * 100,
        "application/pdf",
        NOT_ALLOWED,
    ),
    "a PNG declaring 100000 x 100000 pixels": (
        "riesig.png",
        lambda: png_declaring(100_000, 100_000, zlib.compress(b"\x00" * 1000)),
        "image/png",
        TOO_MANY_PIXELS,
    ),
    "a decompression bomb of 64 megapixels": (
        "bombe.png",
        decompression_bomb,
        "image/png",
        TOO_MANY_PIXELS,
    ),
    "a JPEG header before HTML": (
        "kaputt.jpg",
        lambda: b"\xff\xd8\xff\xe0" + HTML * 20,
        "image/jpeg",
        UNREADABLE,
    ),
    "a photo cut off in the middle": (
        "halb.jpg",
        lambda: photo_with_location(400, 300)[:1500],
        "image/jpeg",
        UNREADABLE,
    ),
    "a PNG whose checksum is wrong": (
        "falsch.png",
        lambda: png_with_text()[:29] + b"\x00\x00\x00\x00" + png_with_text()[33:],
        "image/png",
        UNREADABLE,
    ),
    "a PDF without its end": (
        "halb.pdf",
        lambda: pdf()[:-7],
        "application/pdf",
        "The PDF document could not be read. It may be damaged or incomplete.",
    ),
    "an empty file": ("leer.pdf", lambda: b"", "application/pdf", "The file is empty."),
    "an iPhone photo in HEIC": (
        "IMG_0002.HEIC",
        lambda: HEIC,
        "image/heic",
        "Photos in the HEIC format cannot be sent. Please send the photo as JPEG",
    ),
}


# Pillow warns between its limit and twice its limit; Hafen refuses there itself.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_hostile_files_are_refused_with_a_clear_message_and_nothing_is_stored(
    case, door_client, settings
) -> None:
    name, make, content_type, expected = HOSTILE[case]

    response = send_file(door_client.browser, name, make(), content_type, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    page = response.content.decode()
    assert expected in page
    assert 'id="id_body_error"' not in page  # one message, about the file
    assert Message.objects.count() == Attachment.objects.count() == 0
    assert stored_files(settings) == []


def test_a_refused_file_keeps_the_text_in_the_form_and_changes_nothing_for_the_team(
    door_client, counsellor, settings
) -> None:
    response = send_file(
        door_client.browser,
        "x.svg",
        SVG,
        "image/svg+xml",
        body="Mein Text",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert NOT_ALLOWED in response.content.decode()
    assert "Mein Text</textarea>" in response.content.decode()
    staff = login_client(counsellor)
    staff_response = send_file(
        staff,
        "x.html",
        HTML,
        "text/html",
        body="Antwort",
        url=f"/posteingang/{door_client.conversation.pk}/antworten/",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert staff_response.status_code == 400
    assert NOT_ALLOWED in staff_response.content.decode()
    assert Message.objects.count() == 0 and stored_files(settings) == []


def test_a_file_over_the_size_limit_is_refused_and_never_kept_whole(door_client, settings) -> None:
    settings.HAFEN_ATTACHMENT_MAX_MB = 1
    too_big = pdf(b"% " + b"x" * (1536 * 1024) + b"\n")
    just_right = pdf(b"% " + b"x" * (1000 * 1000) + b"\n")

    refused = send_file(
        door_client.browser, "gross.pdf", too_big, "application/pdf", HTTP_ACCEPT_LANGUAGE="en"
    )
    accepted = send_file(door_client.browser, "passt.pdf", just_right, "application/pdf")

    assert refused.status_code == 400
    assert "The file is too large: at most 1.0\xa0MB, this one has 1.5\xa0MB." in (
        refused.content.decode()
    )
    assert accepted.status_code == 302
    assert Attachment.objects.get().name == "passt.pdf"
