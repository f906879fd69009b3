"""Cells, tables and the small-number rule: figures never expose a single client.

A count from 1 to ``MIN_COUNT - 1`` is shown as "< 5", never as its number; so is a
share whose part or whole is that small, and a median or percentile of fewer than
``MIN_COUNT`` values (a time to answer of one conversation is that conversation's).
Where a row shows its total, a single suppressed cell could be worked out from the
total and the others; ``protect`` then suppresses the next smallest cell too.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

MIN_COUNT: int = getattr(settings, "HAFEN_FIGURES_MIN_COUNT", 5)
# A count hidden only so that a hidden small number cannot be worked out from the total.
PROTECTED = "*"


@dataclass(frozen=True)
class Cell:
    """One figure: ``value`` is None when suppressed or not applicable."""

    value: float | None
    text: str
    suppressed: bool = False
    count: int | None = None  # for counts: the number before suppression decisions

    def __str__(self) -> str:
        return self.text


def hidden() -> Cell:
    return Cell(None, f"< {MIN_COUNT}", suppressed=True)


def empty() -> Cell:
    return Cell(None, "\u2013")  # an en dash: nothing to count


def count(number: int) -> Cell:
    if 0 < number < MIN_COUNT:
        return Cell(None, f"< {MIN_COUNT}", suppressed=True, count=number)
    return Cell(number, f"{number:,}".replace(",", "."), count=number)


def share(part: int, whole: int) -> Cell:
    if whole == 0:
        return empty()
    if whole < MIN_COUNT or 0 < part < MIN_COUNT:
        return hidden()
    value = part / whole
    return Cell(round(value, 4), f"{value * 100:.0f} %")


def hours_text(hours: float) -> str:
    if hours < 1:
        return _("%(minutes)d min") % {"minutes": round(hours * 60)}
    if hours < 48:
        return _("%(hours).1f h") % {"hours": hours}
    return _("%(days).1f days") % {"days": hours / 24}


def quantile(values: Sequence[float], which: float) -> Cell:
    """The median (0.5) or another quantile of hours, hidden below ``MIN_COUNT`` values."""
    if not values:
        return empty()
    if len(values) < MIN_COUNT:
        return hidden()
    ordered = sorted(values)
    if which == 0.5:
        value = statistics.median(ordered)
    else:
        cuts = statistics.quantiles(ordered, n=100, method="inclusive")
        value = cuts[round(which * 100) - 1]
    return Cell(round(value, 3), hours_text(value))


def number(value: float, text: str) -> Cell:
    return Cell(value, text)


def protect(cells: list[Cell]) -> list[Cell]:
    """With the row's total shown, one suppressed cell would be the total minus the rest:
    suppress the smallest shown non-zero count as well."""
    if sum(1 for cell in cells if cell.suppressed) != 1:
        return cells
    shown = [
        (cell.count, index)
        for index, cell in enumerate(cells)
        if not cell.suppressed and cell.count
    ]
    if not shown:
        return cells
    _smallest, index = min(shown)
    cells = list(cells)
    cells[index] = Cell(None, PROTECTED, suppressed=True)
    return cells


@dataclass
class Row:
    label: str
    cells: list[Cell]


@dataclass
class Table:
    """A figure as rows and columns: what a page shows, a CSV holds, a report prints."""

    key: str
    title: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    note: str = ""

    def cell(self, row_label: str, column: str) -> Cell:
        """For tests and goals: the cell of a row and column."""
        row = next(row for row in self.rows if row.label == row_label)
        return row.cells[self.columns.index(column) - 1]
