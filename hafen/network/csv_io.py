"""The partner list as CSV: reading an import (all rows checked before anything is
saved) and writing an export whose cells no spreadsheet runs as a formula.

Import: UTF-8 (with or without BOM) or Windows-1252, as Excel writes it; separated by
semicolons (German Excel) or commas; the first row names the columns in German or
English. A file over ``MAX_IMPORT_BYTES`` or ``MAX_IMPORT_ROWS`` is refused as a whole
with a message saying the limit; every malformed row is reported with its row number
(the header is row 1, as a spreadsheet shows it).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hafen.network.actions import clean_partner
from hafen.network.models import Partner

MAX_IMPORT_BYTES = 1024 * 1024  # a directory of thousands of partners is far below
MAX_IMPORT_ROWS = 2000
MAX_REPORTED_ERRORS = 50

# Column names understood on import (lower case), and the field each fills.
COLUMNS: dict[str, str] = {
    "name": "name",
    "organisation": "name",
    "einrichtung": "name",
    "angebote": "services",
    "angebot": "services",
    "services": "services",
    "services offered": "services",
    "gebiete": "areas",
    "gebiet": "areas",
    "einzugsgebiet": "areas",
    "areas": "areas",
    "zielgruppen": "target_groups",
    "zielgruppe": "target_groups",
    "target groups": "target_groups",
    "sprachen": "languages",
    "languages": "languages",
    "erreichbarkeit": "reach",
    "kontakt": "reach",
    "how to reach them": "reach",
    "reach": "reach",
    "notizen": "notes",
    "notes": "notes",
}
# The export's header: German, the organisation's working language, and importable.
EXPORT_HEADER = [
    ("name", "Name"),
    ("services", "Angebote"),
    ("areas", "Gebiete"),
    ("target_groups", "Zielgruppen"),
    ("languages", "Sprachen"),
    ("reach", "Erreichbarkeit"),
    ("notes", "Notizen"),
]


@dataclass
class ImportResult:
    rows: list[dict[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse(data: bytes, *, existing_names: Iterable[str] = ()) -> ImportResult:
    """Every row as the fields of a partner, or the errors; raises ValidationError for
    a file that is no partner list at all (too big, empty, no name column)."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError(
            _("The file is too big: at most %(limit)s MB can be imported at once.")
            % {"limit": MAX_IMPORT_BYTES // (1024 * 1024)},
            code="too_big",
        )
    if b"\x00" in data:
        raise ValidationError(_("This is not a CSV file."), code="binary")
    text = _decode(data)
    if not text.strip():
        raise ValidationError(_("The file is empty."), code="empty")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    result = ImportResult()
    try:
        header = next(reader)
        fields = [COLUMNS.get(name.strip().lower(), "") for name in header]
        if "name" not in fields:
            raise ValidationError(
                _("The first row must name the columns, at least one called “Name”."),
                code="header",
            )
        seen = {name.casefold() for name in existing_names}
        for row in reader:
            number = reader.line_num
            if not any(cell.strip() for cell in row):
                continue  # blank lines, as spreadsheets leave them at the end
            if len(result.rows) + len(result.errors) >= MAX_IMPORT_ROWS:
                raise ValidationError(
                    _("The file has too many rows: at most %(limit)s partners at once.")
                    % {"limit": MAX_IMPORT_ROWS},
                    code="too_many",
                )
            if len(row) > len(header):
                result.errors.append(
                    _("Row %(row)s: more cells than columns in the first row.") % {"row": number}
                )
                continue
            values: dict[str, str] = {}
            for name, cell in zip(fields, row, strict=False):
                if name:
                    values[name] = f"{values[name]}, {cell}" if values.get(name) else cell
            try:
                cleaned = clean_partner(values)
            except ValidationError as error:
                result.errors.append(
                    _("Row %(row)s: %(message)s") % {"row": number, "message": error.messages[0]}
                )
                continue
            key = cleaned["name"].casefold()
            if key in seen:
                result.errors.append(
                    _("Row %(row)s: “%(name)s” is in the directory or in the file already.")
                    % {"row": number, "name": cleaned["name"]}
                )
                continue
            seen.add(key)
            result.rows.append(cleaned)
    except StopIteration:
        raise ValidationError(_("The file is empty."), code="empty") from None
    except csv.Error:
        raise ValidationError(
            _("Row %(row)s cannot be read as CSV (a quotation mark is not closed?).")
            % {"row": reader.line_num},
            code="csv",
        ) from None
    if not result.rows and not result.errors:
        raise ValidationError(_("The file has no partners below its first row."), code="no_rows")
    return result


# -- export ------------------------------------------------------------------------------

# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection,
# OWASP); a leading apostrophe makes it text again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def export(partners: Iterable[Partner]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([label for _name, label in EXPORT_HEADER])
    for partner in partners:
        writer.writerow([neutralise(str(getattr(partner, name))) for name, _label in EXPORT_HEADER])
    return out.getvalue()
