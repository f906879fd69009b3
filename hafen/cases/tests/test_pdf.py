"""The PDF layer (``hafen.lib.pdf``): what a reader of an exported case file would notice.

``pdf_text`` reads the text back out of the document the way a PDF viewer does
(content streams plus the fonts' ToUnicode maps), so the tests see what is printed,
not what was passed in. It reads only what ``render_pdf`` writes; it is no general
PDF parser.
"""

from __future__ import annotations

import base64
import re
import zlib

import pytest

from hafen.lib import pdf

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
_STRING = re.compile(rb"\((?:\\.|[^\\)])*\)|/[^\s/\[\]()<>]+|[A-Za-z*']+|[-\d.]+", re.S)


def _stream(body: bytes) -> bytes | None:
    found = _STREAM.search(body)
    if found is None:
        return None
    head = body[: found.start()]
    length = re.search(rb"/Length (\d+)", head)
    data = found.group(1)[: int(length.group(1))] if length else found.group(1)
    if b"ASCII85Decode" in head:
        data = base64.a85decode(data.strip(), adobe=True)
    if b"FlateDecode" in head:
        data = zlib.decompress(data)
    return data


def _unescape(raw: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(raw):
        char = raw[i : i + 1]
        if char != b"\\":
            out += char
            i += 1
            continue
        following = raw[i + 1 : i + 4]
        octal = re.match(rb"[0-7]{1,3}", following)
        if octal:
            out.append(int(octal.group(0), 8))
            i += 1 + len(octal.group(0))
        else:
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(following[:1], following[:1])
            i += 2
    return bytes(out)


def pdf_text(data: bytes) -> str:
    """The printed text of a PDF made by ``render_pdf``, one line per text run."""
    objects = {int(num): body for num, body in _OBJECT.findall(data)}
    maps: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        named = re.search(rb"/Name (/\S+).*?/ToUnicode (\d+) 0 R", body, re.S)
        if named:
            cmap = _stream(objects[int(named.group(2))]) or b""
            maps[named.group(1)] = {
                int(code, 16): chr(int(uni, 16))
                for code, uni in re.findall(rb"<([0-9A-F]{2})> <([0-9A-F]{4})>", cmap)
            }
    pages = re.findall(rb"/Contents (\d+) 0 R", data)
    lines: list[str] = []
    for number in pages:
        content = _stream(objects[int(number)]) or b""
        font: bytes = b""
        line = ""
        tokens = _STRING.findall(content)
        for index, token in enumerate(tokens):
            if token == b"Tf":
                font = tokens[index - 2]
            elif token in (b"T*", b"ET", b"Td", b"Tm", b"TD") and line:
                lines.append(line)  # the runs of one line end here
                line = ""
            elif token.startswith(b"(") and tokens[index + 1 : index + 2] == [b"Tj"]:
                table = maps.get(font) or {}
                line += "".join(table.get(code, chr(code)) for code in _unescape(token[1:-1]))
        if line:
            lines.append(line)
    return "\n".join(lines)


def page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", data))


@pytest.fixture(autouse=True)
def _german():
    from django.utils import translation

    with translation.override("de"):
        yield


def test_a_document_is_a_pdf_with_title_blocks_footer_and_page_numbers() -> None:
    data = pdf.render_pdf(
        "Fallakte F-2026-0042",
        [
            pdf.Heading("Verlauf"),
            pdf.KeyValues([("Team", "Jugendberatung"), ("Eröffnet", "03.02.2026")]),
            pdf.Table(["Datum", "Art"], [["04.02.2026", "Hausbesuch"]], widths=(1, 2)),
            pdf.Paragraph("Leon möchte den Hauptschulabschluss schaffen."),
            pdf.PageBreak(),
            pdf.Paragraph("Zweite Seite", muted=True),
        ],
        footer="Vertraulich \u2013 Sozialdaten",
    )

    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
    assert page_count(data) == 2
    text = pdf_text(data)
    for printed in (
        "Fallakte F-2026-0042",
        "Verlauf",
        "Jugendberatung",
        "Eröffnet",
        "Hausbesuch",
        "Leon möchte den Hauptschulabschluss schaffen.",
        "Zweite Seite",
        "Vertraulich \u2013 Sozialdaten",
        "Seite 1 von 2",
        "Seite 2 von 2",
    ):
        assert printed in text, printed


def test_names_in_any_script_are_printed_with_an_embedded_font() -> None:
    names = "Çağla Şahin, Дмитрий Иванов, Ελένη, Nguyễn"
    data = pdf.render_pdf("Teilnehmende", [pdf.Paragraph(names)], footer="x")

    assert names in pdf_text(data)
    assert b"/FontFile2" in data  # embedded: the reader's computer needs no font
    assert b"DejaVuSans" in data or b"Vera" in data


def test_markup_typed_by_a_person_is_printed_as_typed_never_interpreted() -> None:
    hostile = [
        '<b>fett</b> & <font color="red">rot</font>',
        "<unclosed",
        '<img src="/etc/hostname" width="500" height="500"/>',
        "&amp; &lt; &#x41;",
        '<a href="javascript:alert(1)">link</a>',
    ]
    blocks: list[pdf.Block] = [pdf.Heading("<i>Überschrift</i>")]
    blocks += [pdf.Paragraph(text) for text in hostile]
    blocks += [pdf.KeyValues([("<b>", "<br/>")]), pdf.Table(["<u>"], [["<strike>x"]])]

    data = pdf.render_pdf("<title>", blocks, footer="<footer>")

    text = pdf_text(data)
    for typed in [*hostile, "<i>Überschrift</i>", "<br/>", "<strike>x", "<title>", "<footer>"]:
        assert typed in text, typed
    # No picture loaded from the server, no link annotation.
    assert b"/Subtype /Image" not in data and b"/URI" not in data and b"/Annots" not in data


def test_control_characters_are_dropped_and_line_breaks_kept() -> None:
    data = pdf.render_pdf("T\x00itel", [pdf.Paragraph("eins\x07\r\nzwei\x1b")], footer="f\x00")

    text = pdf_text(data)
    assert "Titel" in text and "eins" in text and "zwei" in text
    assert "eins\nzwei" in text  # a line of its own


def test_huge_texts_flow_over_pages_also_inside_table_cells() -> None:
    long_text = "Ein sehr langer Bericht. " * 2000  # 50,000 characters, the entry limit
    one_word = "x" * 20_000  # no space to break at
    data = pdf.render_pdf(
        "Lang",
        [
            pdf.Paragraph(long_text),
            pdf.Paragraph(one_word),
            pdf.KeyValues([("Ziel", long_text)]),
            pdf.Table(["Datum", "Text"], [["heute", one_word], ["morgen"]]),
        ],
        footer="Vertraulich",
    )

    assert page_count(data) > 10
    assert f"Seite {page_count(data)} von {page_count(data)}" in pdf_text(data)


def test_the_metadata_names_no_person() -> None:
    data = pdf.render_pdf("Fallakte", [pdf.Paragraph("x")], footer="Vertraulich")

    info = re.search(rb"/Author \((.*?)\)", data)
    assert info is not None and info.group(1) == b""
    assert b"anonymous" not in data
    assert b"/Title" in data


def test_an_empty_document_is_still_a_valid_one_page_pdf() -> None:
    data = pdf.render_pdf("Leer", [], footer="Vertraulich")

    assert page_count(data) == 1
    assert "Seite 1 von 1" in pdf_text(data)


def test_the_same_content_gives_the_same_bytes() -> None:
    """No creation date or random id: an export says nothing about when it was made."""
    make = lambda: pdf.render_pdf("A", [pdf.Paragraph("b")], footer="c")  # noqa: E731

    assert make() == make()
