"""Tables as CSV, safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be
read as a formula by Excel or LibreOffice (CSV injection): such a cell gets a leading
apostrophe. Team and channel names are chosen by staff; a number is written plain.
"""

from __future__ import annotations

import csv
import io

from hafen.strategy.figures.suppression import Table

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def table_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe(column) for column in table.columns])
    for row in table.rows:
        cells = []
        for cell in row.cells:
            if cell.value is None or cell.suppressed:
                cells.append(safe(cell.text))
            elif isinstance(cell.value, float) and not cell.value.is_integer():
                cells.append(f"{cell.value:.4f}".replace(".", ","))
            else:
                cells.append(str(int(cell.value)))
        writer.writerow([safe(row.label), *cells])
    return buffer.getvalue()
