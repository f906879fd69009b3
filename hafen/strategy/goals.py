"""How far the goals in force are reached: each goal's figure against its target.

The figures come from ``figures.compute`` through the same small-number rule as every
other page: a suppressed figure stays "< 5" and its goal is "not measurable", never a
guess. Counts are brought to the goal's period (a goal "4 posts per month" is compared
with the year's posts divided by twelve); shares and times are compared as they are.
A key without a reader here shows "not measured yet".

Registered as a section of the annual report (``figures.report.EXTRA_SECTIONS``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from hafen.strategy import queries
from hafen.strategy.figures import compute
from hafen.strategy.figures import suppression as s
from hafen.strategy.figures.period import Period, Scope
from hafen.strategy.models import Direction, Goal
from hafen.strategy.models import Period as GoalPeriod
from hafen.strategy.sections import number

GOAL_MONTHS: dict[str, int] = {GoalPeriod.MONTH: 1, GoalPeriod.QUARTER: 3, GoalPeriod.YEAR: 12}


@dataclass(frozen=True)
class Measured:
    """A figure in the goal's unit: ``value`` None when suppressed, empty or not computed."""

    value: float | None
    text: str


def _share(cell: s.Cell) -> Measured:
    if cell.value is None:
        return Measured(None, cell.text)
    return Measured(cell.value * 100, cell.text)


def _as_is(cell: s.Cell) -> Measured:
    return Measured(cell.value, cell.text)


def _count(total: int) -> Callable[[int, int], Measured]:
    """A count of the period, per goal period (months of the goal, months measured)."""

    def per(goal_months: int, period_months: int) -> Measured:
        cell = s.count(total)
        if cell.value is None:
            return Measured(None, cell.text)
        value = total * goal_months / max(period_months, 1)
        return Measured(value, number(Decimal(str(round(value, 1)))))

    return per


def _posts_share(publishing: compute.Publishing) -> Measured:
    if not publishing.planned:
        return Measured(None, s.empty().text)
    value = publishing.planned_published / publishing.planned * 100
    return Measured(value, f"{value:.0f} %")


class _Figures:
    """Each ``compute`` function at most once per scope and period."""

    def __init__(self, scope: Scope, period: Period) -> None:
        self.scope, self.period = scope, period
        self.made: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        if name not in self.made:
            self.made[name] = getattr(compute, name)(self.scope, self.period)
        return self.made[name]


# metric key → how to read it from the figures (counts take the goal's months)
READERS: dict[str, Callable[[_Figures], Measured | Callable[[int, int], Measured]]] = {
    "share_outside_office_hours": lambda f: _share(f.get("reachability").share_outside),
    "first_response_median_hours": lambda f: _as_is(f.get("responses").first_median),
    "first_response_p90_hours": lambda f: _as_is(f.get("responses").first_p90),
    "bridge_conversion": lambda f: _share(f.get("bridge_funnel").wrote),
    "conversations_new": lambda f: _count(f.get("volume").new_conversations),
    "cases_opened": lambda f: _count(f.get("volume").cases_opened),
    "posts_published": lambda f: _count(f.get("publishing").published),
    # Posts are the organisation's own public work, about no client: not suppressed.
    "posts_published_share": lambda f: _posts_share(f.get("publishing")),
}


@dataclass(frozen=True)
class Result:
    goal: Goal
    measured: Measured
    reached: bool | None  # None: not measurable


def reached(goal: Goal, value: float | None) -> bool | None:
    if value is None:
        return None
    target = float(goal.target)
    return value >= target if goal.direction == Direction.AT_LEAST else value <= target


def evaluate(goal: Goal, figures: _Figures) -> Result:
    reader = READERS.get(goal.metric)
    if reader is None:
        return Result(goal, Measured(None, _("not measured yet")), None)
    measured = reader(figures)
    if callable(measured):
        measured = measured(GOAL_MONTHS.get(goal.period, 1), len(figures.period.months()))
    return Result(goal, measured, reached(goal, measured.value))


def results(scope: Scope, period: Period) -> list[Result]:
    """The goals in force for ``scope``: the organisation's, measured over the scope, and
    each facility's addition, measured over that facility (left out of another
    facility's report)."""
    found = []
    figures: dict[int | None, _Figures] = {None: _Figures(scope, period)}
    for goal in queries.signed_goals(scope.organisation.pk):
        if goal.facility_id is None:
            found.append(evaluate(goal, figures[None]))
            continue
        if scope.facility is not None and scope.facility.pk != goal.facility_id:
            continue
        if goal.facility_id not in figures:
            figures[goal.facility_id] = _Figures(
                Scope(scope.organisation, facility=goal.facility), period
            )
        found.append(evaluate(goal, figures[goal.facility_id]))
    return found


def report_section(scope: Scope, period: Period) -> tuple[str, list[s.Table]] | None:
    """The annual report's section of goals, or None when no strategy is signed."""
    found = results(scope, period)
    if not found:
        return None
    words = {True: _("reached"), False: _("not reached"), None: _("not measurable")}
    table = s.Table(
        key="strategy_goals",
        title=_("Goals of the communication strategy"),
        columns=[_("Goal"), _("Target"), _("Measured"), _("Reached?")],
    )
    for result in found:
        goal = result.goal
        label = goal.text
        if goal.facility is not None:
            label = _("%(goal)s (%(facility)s)") % {"goal": goal.text, "facility": goal.facility}
        target = " ".join(
            f"{goal.get_direction_display()} {number(goal.target)} {goal.unit_label()} "
            f"{goal.get_period_display()}".split()
        )
        table.rows.append(
            s.Row(
                label,
                [
                    s.Cell(None, target),
                    s.Cell(result.measured.value, result.measured.text),
                    s.Cell(None, str(words[result.reached])),
                ],
            )
        )
    return _("Strategy goals"), [table]
