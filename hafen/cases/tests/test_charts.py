"""The progress chart: one line per goal over the reviews, accessible, and CSP-clean."""

from __future__ import annotations

from datetime import date, timedelta
from xml.etree import ElementTree

import pytest
from django.utils import translation

from hafen.cases import access, actions, charts, queries
from hafen.cases.models import PlanKind
from hafen.cases.queries import GoalView, ProgressPoint
from hafen.cases.validation import today

SVG = "{http://www.w3.org/2000/svg}"
MARCH, JUNE, SEPTEMBER = date(2026, 3, 1), date(2026, 6, 1), date(2026, 9, 1)


def _goal(pk: int, wording: str | None, *points: tuple[date, int]) -> GoalView:
    return GoalView(
        id=pk,
        wording=wording,
        indicator="",
        target_on=None,
        measures=[],
        progress=[ProgressPoint(day, rating, "") for day, rating in points],
    )


def _parse(chart: charts.ProgressChart) -> ElementTree.Element:
    return ElementTree.fromstring(str(chart.svg))  # noqa: S314 (markup we made, in a test)


def test_no_chart_while_nothing_was_rated() -> None:
    assert charts.progress_chart([]) is None
    assert charts.progress_chart([_goal(1, "Schule"), _goal(2, "Wohnung")]) is None


def test_one_line_per_goal_over_the_reviews_with_the_same_figures_as_a_table() -> None:
    chart = charts.progress_chart(
        [
            _goal(1, "Schule", (MARCH, 2), (JUNE, 5), (SEPTEMBER, 8)),
            _goal(2, "Wohnung", (JUNE, 4)),  # added later: one point, no line
            _goal(3, "Arbeit"),  # never rated: in the table, not drawn
        ]
    )
    assert chart is not None
    svg = _parse(chart)
    lines = svg.findall(f".//{SVG}polyline")
    assert len(lines) == 1
    points = [tuple(map(float, pair.split(","))) for pair in lines[0].get("points").split()]
    xs, ys = [x for x, _y in points], [y for _x, y in points]
    assert xs == sorted(xs) and len(set(xs)) == 3  # left to right, one review each
    assert ys[0] > ys[1] > ys[2]  # better ratings are drawn higher
    assert len(svg.findall(f".//{SVG}g")) == 2  # goals 1 and 2 have points
    assert chart.dates == [MARCH, JUNE, SEPTEMBER]
    assert chart.rows == [
        (MARCH, [2, None, None]),
        (JUNE, [5, 4, None]),
        (SEPTEMBER, [8, None, None]),
    ]
    assert [series.label for series in chart.series] == ["Schule", "Wohnung", "Arbeit"]


def test_the_chart_is_an_image_with_a_title_and_a_description() -> None:
    chart = charts.progress_chart([_goal(1, "Schule", (MARCH, 2), (JUNE, 5))], id_prefix="p7")
    assert chart is not None
    svg = _parse(chart)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "p7-title p7-desc"
    assert svg.find(f"{SVG}title").get("id") == "p7-title"
    description = svg.find(f"{SVG}desc")
    assert description.get("id") == "p7-desc"
    assert "2 reviews" in description.text and "0 (not reached)" in description.text
    # Each point names goal, date and rating for whoever hovers or reads it.
    titles = [t.text for t in svg.iter(f"{SVG}title")][1:]
    assert titles == ["Goal 1, 03/01/2026: 2 of 10", "Goal 1, 06/01/2026: 5 of 10"]


def test_goals_differ_by_dash_and_marker_not_by_colour_alone() -> None:
    chart = charts.progress_chart(
        [_goal(n, f"Ziel {n}", (MARCH, n), (JUNE, n + 1)) for n in range(1, 5)]
    )
    assert chart is not None
    svg = _parse(chart)
    lines = svg.findall(f".//{SVG}polyline")
    assert len({line.get("stroke-dasharray") for line in lines}) == 4
    groups = svg.findall(f".//{SVG}g")
    shapes = [next(iter(group)).tag for group in groups]  # the line comes first
    markers = [list(group)[1].get("class") for group in groups]
    assert shapes == [f"{SVG}polyline"] * 4
    assert len(set(markers)) == 4
    assert len(chart.series) == 4 and all("<svg" in str(s.swatch) for s in chart.series)


def test_no_inline_style_and_no_text_of_the_goals_in_the_svg() -> None:
    hostile = '<script>alert("x")</script>'
    chart = charts.progress_chart([_goal(1, hostile, (MARCH, 0), (JUNE, 10))])
    assert chart is not None
    markup = str(chart.svg) + "".join(str(series.swatch) for series in chart.series)
    assert "style" not in markup and "<script" not in markup
    assert chart.series[0].label == hostile  # escaped by the template that shows it


def test_a_goal_unreadable_after_erasure_is_named_so() -> None:
    chart = charts.progress_chart([_goal(1, None, (MARCH, 3))])
    assert chart is not None and chart.series[0].label == "(not readable)"


@pytest.mark.django_db
def test_progress_continues_across_plan_versions(case, counsellor) -> None:
    plan = actions.create_plan(counsellor, case, kind=PlanKind.HELP_PLAN, title="Hilfeplan")
    goal = actions.add_goal(counsellor, plan, wording="Schule")
    review = actions.schedule_review(counsellor, plan, today())
    actions.record_review(
        counsellor, review, held_on=today() - timedelta(days=1), ratings={goal.pk: 3}
    )
    newer = actions.new_plan_version(counsellor, plan)
    copy = newer.goals.get()
    review = actions.schedule_review(counsellor, newer, today())
    actions.record_review(counsellor, review, held_on=today(), ratings={copy.pk: 6})

    page = queries.plan_page(counsellor, access.access_plan(counsellor, newer.pk))
    chart = charts.progress_chart(page.goals)
    assert chart is not None
    assert [ratings for _day, ratings in chart.rows] == [[3], [6]]
    assert len(_parse(chart).findall(f".//{SVG}polyline")) == 1


def test_coordinates_are_written_with_a_point_in_every_language() -> None:
    with translation.override("de"):
        chart = charts.progress_chart([_goal(1, "Schule", (MARCH, 3), (JUNE, 7))])
    assert chart is not None
    line = _parse(chart).find(f".//{SVG}polyline")
    pairs = [pair.split(",") for pair in line.get("points").split()]
    assert [len(pair) for pair in pairs] == [2, 2]
    assert all(float(value) >= 0 for pair in pairs for value in pair)
