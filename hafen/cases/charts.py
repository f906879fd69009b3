"""The progress chart of a plan: one line per goal over the reviews, drawn on the server.

A small SVG, no JavaScript and no chart library: the page stays readable without
scripts, and the strict CSP holds — no ``style`` attribute and no ``<style>``
element; colours and dashes are SVG presentation attributes (``stroke=``), which
are not styles, and the size comes from ``cases/plans.css``.

Accessible in three ways: the SVG is an image with a ``<title>`` and a ``<desc>``;
goals differ by dash pattern and marker shape, not by colour alone (WCAG 1.4.1);
and ``rows`` gives the same figures for a table that screen readers read.

Reviews are spaced evenly along the x axis (review 1, 2, 3 …), because the reviews,
not the days between them, are what a Hilfeplangespräch compares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from hafen.cases.models import RATING_MAX, RATING_MIN
from hafen.cases.queries import GoalView
from hafen.cases.validation import format_date

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 44, 20, 16, 52
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

# Colours with at least 4.5:1 contrast on white, told apart also by dash and marker.
COLOURS = ("#0b4f6c", "#a1191e", "#1e6b34", "#6a3d9a", "#7a4b00", "#4a4a4a")
DASHES = ("", "8 4", "2 4", "12 4 2 4", "4 4", "1 3")
MARKERS = ("circle", "square", "diamond", "triangle")


@dataclass(frozen=True)
class Series:
    """One goal's line: its number on the page, wording and ratings in review order."""

    number: int
    label: str
    points: list[tuple[date, int]]
    swatch: SafeString  # a small picture of the line and marker, for the legend


@dataclass(frozen=True)
class ProgressChart:
    svg: SafeString
    dates: list[date]
    series: list[Series]
    # The same figures as the lines: per review date, each goal's rating (None: not rated).
    rows: list[tuple[date, list[int | None]]]


def _n(value: float) -> str:
    """A coordinate as SVG writes it, whatever the language (a point, never a comma)."""
    return f"{value:.1f}"


def _x(index: int, count: int) -> float:
    if count == 1:
        return LEFT + PLOT_W / 2
    return LEFT + PLOT_W * index / (count - 1)


def _y(rating: int) -> float:
    return TOP + PLOT_H * (1 - (rating - RATING_MIN) / (RATING_MAX - RATING_MIN))


def _marker(shape: str, x: float, y: float, colour: str, title: str = "") -> SafeString:
    """A point of a line; its ``<title>`` names goal, date and rating on hover."""
    inner = format_html("<title>{}</title>", title) if title else mark_safe("")
    if shape == "square":
        return format_html(
            '<rect class="chart-marker-square" x="{}" y="{}" width="9" height="9" fill="{}">'
            "{}</rect>",
            _n(x - 4.5),
            _n(y - 4.5),
            colour,
            inner,
        )
    if shape == "diamond":
        points = f"{x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f} {x - 6:.1f},{y:.1f}"
        return format_html(
            '<polygon class="chart-marker-diamond" points="{}" fill="{}">{}</polygon>',
            points,
            colour,
            inner,
        )
    if shape == "triangle":
        points = f"{x:.1f},{y - 6:.1f} {x + 6:.1f},{y + 5:.1f} {x - 6:.1f},{y + 5:.1f}"
        return format_html(
            '<polygon class="chart-marker-triangle" points="{}" fill="{}">{}</polygon>',
            points,
            colour,
            inner,
        )
    return format_html(
        '<circle class="chart-marker-circle" cx="{}" cy="{}" r="5" fill="{}">{}</circle>',
        _n(x),
        _n(y),
        colour,
        inner,
    )


def _style(index: int) -> tuple[str, str, str]:
    return (
        COLOURS[index % len(COLOURS)],
        DASHES[index % len(DASHES)],
        MARKERS[index % len(MARKERS)],
    )


def _dash(dash: str) -> SafeString:
    return format_html(' stroke-dasharray="{}"', dash) if dash else mark_safe("")


def _swatch(index: int) -> SafeString:
    colour, dash, shape = _style(index)
    return format_html(
        '<svg class="chart-swatch" viewBox="0 0 40 14" aria-hidden="true" focusable="false">'
        '<line x1="2" y1="7" x2="38" y2="7" stroke="{}" stroke-width="2.5"{}/>{}</svg>',
        colour,
        _dash(dash),
        _marker(shape, 20, 7, colour),
    )


def _axes(dates: list[date]) -> SafeString:
    grid = format_html_join(
        "",
        '<line class="chart-grid" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#c9d1d6"/>'
        '<text x="{}" y="{}" text-anchor="end" font-size="12" fill="#4a4a4a">{}</text>',
        (
            (LEFT, _n(_y(value)), WIDTH - RIGHT, _n(_y(value)), LEFT - 8, _n(_y(value) + 4), value)
            for value in range(RATING_MIN, RATING_MAX + 1, 2)
        ),
    )
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" font-size="12" fill="#4a4a4a">{}</text>',
        (
            (_n(_x(index, len(dates))), HEIGHT - BOTTOM + 20, format_date(day))
            for index, day in enumerate(dates)
        ),
    )
    caption = format_html(
        '<text x="{}" y="{}" text-anchor="middle" font-size="12" fill="#4a4a4a">{}</text>',
        _n(LEFT + PLOT_W / 2),
        HEIGHT - 10,
        _("Reviews"),
    )
    return format_html("{}{}{}", grid, ticks, caption)


def _line(series: Series, index: int, dates: list[date]) -> SafeString:
    colour, dash, shape = _style(index)
    position = {day: i for i, day in enumerate(dates)}
    coordinates = [(_x(position[day], len(dates)), _y(rating)) for day, rating in series.points]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
    line = (
        format_html(
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"{}/>',
            path,
            colour,
            _dash(dash),
        )
        if len(coordinates) > 1
        else mark_safe("")
    )
    markers = format_html_join(
        "",
        "{}",
        (
            (
                _marker(
                    shape,
                    x,
                    y,
                    colour,
                    _("Goal %(number)d, %(date)s: %(rating)d of %(max)d")
                    % {
                        "number": series.number,
                        "date": format_date(day),
                        "rating": rating,
                        "max": RATING_MAX,
                    },
                ),
            )
            for (x, y), (day, rating) in zip(coordinates, series.points, strict=True)
        ),
    )
    return format_html('<g class="chart-series">{}{}</g>', line, markers)


def progress_chart(
    goals: Sequence[GoalView], *, id_prefix: str = "progress"
) -> ProgressChart | None:
    """The chart of the goals' ratings over the reviews; None while nothing was rated."""
    series = [
        Series(
            number=number,
            label=goal.wording or _("(not readable)"),
            points=[(point.held_on, point.rating) for point in goal.progress],
            swatch=_swatch(number - 1),
        )
        for number, goal in enumerate(goals, start=1)
    ]
    dates = sorted({day for line in series for day, _rating in line.points})
    if not dates:
        return None
    by_date = [{day: rating for day, rating in line.points} for line in series]
    rows = [(day, [ratings.get(day) for ratings in by_date]) for day in dates]
    title = _("Progress of the goals over the reviews")
    description = _(
        "One line per goal; the ratings go from %(min)d (not reached) to %(max)d (fully "
        "reached), at %(count)d reviews from %(first)s to %(last)s. The table below gives "
        "the same figures."
    ) % {
        "min": RATING_MIN,
        "max": RATING_MAX,
        "count": len(dates),
        "first": format_date(dates[0]),
        "last": format_date(dates[-1]),
    }
    lines = format_html_join(
        "", "{}", ((_line(line, index, dates),) for index, line in enumerate(series) if line.points)
    )
    svg = format_html(
        '<svg class="progress-chart" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc" focusable="false" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}{}</svg>',
        WIDTH,
        HEIGHT,
        id_prefix,
        id_prefix,
        id_prefix,
        title,
        id_prefix,
        description,
        _axes(dates),
        lines,
    )
    return ProgressChart(svg=svg, dates=dates, series=series, rows=rows)
