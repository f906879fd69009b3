"""Clean PDF documents from plain blocks: headings, paragraphs, label/value lists, tables.

A small layer over ReportLab's platypus so that case files, plans and minutes are
exported the same way and nobody has to think about PDF markup:

- every text is plain text: ``<b>``, ``&amp;`` or ``<font>`` typed by a person are
  printed as typed, never interpreted (platypus paragraphs otherwise read a markup
  language); control characters are dropped and line breaks kept;
- the font is DejaVu Sans from the system when it is installed (Debian's
  ``fonts-dejavu-core``: Latin, Greek, Cyrillic, Turkish, Vietnamese…), else the
  Bitstream Vera fonts that ReportLab ships (Latin only); both are embedded, so the
  document looks the same everywhere and nothing is fetched from outside;
- every page has the footer line the caller gives (for example "Vertraulich,
  Sozialdaten") and "page 2 of 5";
- the document's metadata has the title only: no author, no user name, no
  subject, so a PDF passed on does not say who made it; the creation date is not
  written either (``invariant``), so the same content gives the same bytes;
- long texts flow over as many pages as they need, also inside table cells, and
  words longer than a line are broken.

Usage::

    pdf = render_pdf(
        "Fallakte F-2026-0042",
        [Heading("Verlauf"), KeyValues([("Team", "Jugendberatung")]), Paragraph(text)],
        footer="Vertraulich, Sozialdaten",
    )
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import PageBreak as _PageBreak
from reportlab.platypus import Paragraph as _Paragraph
from reportlab.platypus import SimpleDocTemplate, Spacer
from reportlab.platypus import Table as _Table
from reportlab.platypus import TableStyle as _TableStyle
from reportlab.platypus.flowables import Flowable

SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")
REGULAR = "HafenSans"
BOLD = "HafenSans-Bold"
MARGIN = 20 * mm
FOOTER_SIZE = 8
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#BBBBBB")
SHADE = colors.HexColor("#EEEEEE")
# Everything below U+0020 but tab and newline, DEL and the C1 controls: ReportLab
# would print them as boxes or choke on them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# -- the blocks a document is made of ----------------------------------------------------


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1 = section, 2 = subsection (an entry, a goal)


@dataclass(frozen=True)
class Paragraph:
    text: str  # plain text; line breaks are kept
    muted: bool = False  # small grey print: remarks such as "corrected on …"


@dataclass(frozen=True)
class KeyValues:
    """A two-column list of labels and values (file number, team, dates)."""

    rows: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Table:
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    # Relative column widths (e.g. (1, 3, 1)); equal columns when left out.
    widths: Sequence[float] = field(default_factory=tuple)


@dataclass(frozen=True)
class Bars:
    """A horizontal bar chart: one bar per label; a value of None draws no bar (a hidden
    or empty figure) but still prints its text."""

    labels: Sequence[str]
    values: Sequence[float | None]
    texts: Sequence[str]


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | KeyValues | Table | Bars | PageBreak


# -- fonts and styles --------------------------------------------------------------------


@functools.cache
def font_files() -> tuple[Path, Path]:
    """The regular and bold font: DejaVu Sans if installed, else ReportLab's Vera."""
    dejavu = (SYSTEM_FONTS / "DejaVuSans.ttf", SYSTEM_FONTS / "DejaVuSans-Bold.ttf")
    if all(path.is_file() for path in dejavu):
        return dejavu
    import reportlab

    bundled = Path(reportlab.__file__).parent / "fonts"
    return bundled / "Vera.ttf", bundled / "VeraBd.ttf"


@functools.cache
def _register_fonts() -> None:
    regular, bold = font_files()
    pdfmetrics.registerFont(TTFont(REGULAR, str(regular)))
    pdfmetrics.registerFont(TTFont(BOLD, str(bold)))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR)


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=REGULAR, fontSize=10, leading=13.5, spaceAfter=5)
    return {
        "body": base,
        "muted": ParagraphStyle("muted", base, fontSize=8.5, leading=11, textColor=MUTED),
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=17, leading=21),
        "h1": ParagraphStyle("h1", base, fontName=BOLD, fontSize=13, leading=17, spaceBefore=10),
        "h2": ParagraphStyle("h2", base, fontName=BOLD, fontSize=11, leading=14, spaceBefore=6),
        "cell": ParagraphStyle("cell", base, spaceAfter=0),
        "head": ParagraphStyle("head", base, fontName=BOLD, spaceAfter=0),
    }


def plain(text: object) -> str:
    """``text`` as paragraph markup that shows exactly the characters typed."""
    cleaned = _CONTROL.sub("", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    return escape(cleaned.replace("\t", "    ")).replace("\n", "<br/>")


def _para(text: object, style: str) -> _Paragraph:
    return _Paragraph(plain(text), _styles()[style])


# -- building ----------------------------------------------------------------------------


def _table(data: list[list[Flowable]], widths: list[float], *, header: bool) -> _Table:
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
    # splitInRow: a cell longer than a page continues on the next one instead of failing.
    return _Table(
        data,
        colWidths=widths,
        repeatRows=1 if header else 0,
        splitInRow=1,
        style=_TableStyle(commands),
        hAlign="LEFT",
    )


def _widths(relative: Sequence[float], columns: int, total: float) -> list[float]:
    weights = [float(w) for w in relative] if len(relative) == columns else [1.0] * columns
    weights = [max(w, 0.1) for w in weights]
    return [total * w / sum(weights) for w in weights]


def _flowables(blocks: Iterable[Block], width: float) -> list[Flowable]:
    story: list[Flowable] = []
    for block in blocks:
        if isinstance(block, Heading):
            story.append(_para(block.text, "h1" if block.level <= 1 else "h2"))
        elif isinstance(block, Paragraph):
            story.append(_para(block.text, "muted" if block.muted else "body"))
        elif isinstance(block, KeyValues):
            if block.rows:
                data = [[_para(k, "head"), _para(v, "cell")] for k, v in block.rows]
                story += [_table(data, _widths((1, 2.6), 2, width), header=False), Spacer(1, 6)]
        elif isinstance(block, Table):
            columns = len(block.header)
            if columns:
                data = [[_para(h, "head") for h in block.header]]
                for row in block.rows:
                    cells = [*list(row)[:columns], *([""] * (columns - len(row)))]
                    data.append([_para(c, "cell") for c in cells])
                story += [_table(data, _widths(block.widths, columns, width), header=True)]
                story.append(Spacer(1, 6))
        elif isinstance(block, Bars):
            if block.labels:
                story += [_bars(block, width), Spacer(1, 6)]
        elif isinstance(block, PageBreak):
            story.append(_PageBreak())
        else:  # a programming error, not user input
            raise TypeError(f"not a PDF block: {block!r}")
    return story


def _bars(block: Bars, width: float) -> Drawing:
    row, label_width, value_width = 14.0, width * 0.3, width * 0.12
    plot = width - label_width - value_width
    drawing = Drawing(width, row * len(block.labels) + 4)
    largest = max((v for v in block.values if v is not None), default=0.0) or 1.0
    for index, (label, value, text) in enumerate(
        zip(block.labels, block.values, block.texts, strict=True)
    ):
        y = drawing.height - (index + 1) * row
        drawing.add(
            String(
                label_width - 4,
                y + 3,
                plain(label)[:40],
                fontName=REGULAR,
                fontSize=8,
                textAnchor="end",
            )
        )
        bar = 0.0 if value is None else plot * float(value) / float(largest)
        if bar > 0:
            drawing.add(
                Rect(
                    label_width,
                    y + 1,
                    bar,
                    row - 4,
                    fillColor=colors.HexColor("#0b4f6c"),
                    strokeColor=None,
                )
            )
        drawing.add(String(label_width + bar + 4, y + 3, plain(text), fontName=REGULAR, fontSize=8))
    return drawing


def _numbered_canvas(footer: str) -> type[Canvas]:
    """A canvas that writes "footer · page n of m" once the page count is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # ReportLab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            width, _height = self._pagesize
            self.saveState()
            self.setFont(REGULAR, FOOTER_SIZE)
            self.setFillColor(MUTED)
            self.setStrokeColor(RULE)
            self.line(MARGIN, MARGIN - 4 * mm, width - MARGIN, MARGIN - 4 * mm)
            text = _CONTROL.sub("", footer).replace("\n", " ")
            self.drawString(MARGIN, MARGIN - 8 * mm, text[:120])
            page = _("Page %(page)d of %(pages)d") % {"page": self._pageNumber, "pages": total}
            self.drawRightString(width - MARGIN, MARGIN - 8 * mm, page)
            self.restoreState()

    return NumberedCanvas


def render_pdf(title: str, blocks: Iterable[Block], *, footer: str, subtitle: str = "") -> bytes:
    """The PDF of ``blocks`` under ``title`` (also the document's metadata title)."""
    _register_fonts()
    buffer = io.BytesIO()
    clean_title = _CONTROL.sub("", title).replace("\n", " ")[:200]
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 6 * mm,
        title=clean_title,
        author="",
        subject="",
        creator="Hafen",
        keywords="",
        invariant=1,
    )
    story: list[Flowable] = [_para(clean_title, "title")]
    if subtitle:
        story.append(_para(subtitle, "muted"))
    story.append(Spacer(1, 4 * mm))
    story += _flowables(blocks, document.width)
    if len(story) == 1:
        story.append(Spacer(1, 1))
    document.build(story, canvasmaker=_numbered_canvas(footer))
    return buffer.getvalue()


__all__ = [
    "Block",
    "Heading",
    "KeyValues",
    "PageBreak",
    "Paragraph",
    "Table",
    "plain",
    "render_pdf",
]
