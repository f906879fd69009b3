"""The figures a strategy goal can be measured by: one declared key per figure.

A goal names a key from ``METRICS`` and a target value; the figures part of Hafen
computes each key from the live system (``Metric.key`` is the contract between the
two) and compares it with the goal's target for the goal's period. Adding a figure
means declaring it here first, so that a goal can never name a figure nobody computes.

``max_target`` is the largest target that makes sense for the unit: a share is at
most 100 %, hours at most a year, counts at most a million a period. Larger values are
typing errors, refused with a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Unit:
    key: str
    label: Promise | str  # shown after a number: "%", "hours"; nothing after a count
    max_target: Decimal


PERCENT = Unit("percent", _("%"), Decimal(100))
HOURS = Unit("hours", _("hours"), Decimal(24 * 366))
COUNT = Unit("count", "", Decimal(1_000_000))


@dataclass(frozen=True)
class Metric:
    key: str
    label: Promise
    unit: Unit
    description: Promise


METRICS: dict[str, Metric] = {
    metric.key: metric
    for metric in (
        Metric(
            "share_outside_office_hours",
            _("Share of client messages outside office hours"),
            PERCENT,
            _("Of all messages clients wrote, the share that arrived outside office hours."),
        ),
        Metric(
            "first_response_median_hours",
            _("Time to first answer (median)"),
            HOURS,
            _("Median time from a client's first message to the first answer of staff."),
        ),
        Metric(
            "first_response_p90_hours",
            _("Time to first answer (90th percentile)"),
            HOURS,
            _("Nine in ten conversations got their first answer within this time."),
        ),
        Metric(
            "bridge_conversion",
            _("Handovers that became a conversation"),
            PERCENT,
            _("Of the handover links made, the share after which the client wrote."),
        ),
        Metric(
            "conversations_new",
            _("New conversations"),
            COUNT,
            _("Conversations clients started through the client door or a handover."),
        ),
        Metric(
            "cases_opened",
            _("Case files opened"),
            COUNT,
            _("Case files opened by the teams."),
        ),
        Metric(
            "posts_published",
            _("Posts published"),
            COUNT,
            _("Posts of public communication that were published."),
        ),
        Metric(
            "posts_published_share",
            _("Planned posts that were published"),
            PERCENT,
            _("Of the posts planned for the period, the share that was published."),
        ),
    )
}


def metric_choices() -> list[tuple[str, Promise]]:
    return [(metric.key, metric.label) for metric in METRICS.values()]


def get(key: str) -> Metric | None:
    return METRICS.get(key)
