"""Small bar charts drawn on the server as SVG: no script, no chart library, strict CSP.

The SVG is an image with a title; the same figures stand in the table beside it, which
screen readers read. A hidden (suppressed) value draws no bar and is labelled "< 5".
"""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from hafen.strategy.figures.suppression import Table

WIDTH, BAR_HEIGHT, GAP, LABEL_WIDTH, VALUE_WIDTH = 640, 18, 6, 190, 70


def bars(table: Table, column: int, title: str) -> SafeString:
    """Horizontal bars of one column (1 = the first after the label) of ``table``."""
    rows = [(row.label, row.cells[column - 1]) for row in table.rows]
    values = [cell.value for _label, cell in rows if cell.value is not None]
    largest = max(values, default=0) or 1
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    parts = []
    for index, (label, cell) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        width = 0.0 if cell.value is None else plot * float(cell.value) / float(largest)
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" class="chart-label">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" class="chart-bar"></rect>'
                '<text x="{}" y="{}" class="chart-value">{}</text>',
                LABEL_WIDTH - 8,
                y + BAR_HEIGHT - 5,
                label[:32],
                LABEL_WIDTH,
                y,
                f"{width:.1f}",
                BAR_HEIGHT,
                LABEL_WIDTH + width + 6,
                y + BAR_HEIGHT - 5,
                cell.text,
            )
        )
    return format_html(
        '<svg class="figure-chart" role="img" viewBox="0 0 {} {}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        WIDTH,
        height,
        title,
        mark_safe("".join(parts)),  # noqa: S308 (each part escaped above)
    )
