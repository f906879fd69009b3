"""Counts per team and month, kept once a month is closed: figures of the past are read,
not recounted.

A year holds hundreds of thousands of messages; counting them again for every page
costs seconds. Everything the reachability, response and volume figures need of one
team's month fits in a few numbers (``Tally``), which add up across teams and months.
A month counts as closed ``CLOSED_AFTER`` its end (answers to its last messages may
still come); from then on its tally is kept for good (``TeamMonth``) the first time a page
needs it, or by the nightly task, and never counted again. Open months are kept too, but
used only while younger than ``OPEN_FOR``: the worker recounts them every
``REFRESH_EVERY``, so a page counts only when the worker is not running.

What a stored tally keeps: client messages by weekday and hour, how many of them were
outside the team's office hours as set when the month was counted, waiting times
rounded to the minute, new and active conversations and their first contacts. No
content, no pseudonym, no conversation number.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from hafen.conversations.models import Conversation, Message, Sender
from hafen.strategy.figures import localtime
from hafen.strategy.figures.models import TeamMonth
from hafen.strategy.figures.period import Period, next_month

CLOSED_AFTER = timedelta(days=14)
# An open month's kept counts are used while younger than this (figures a few minutes old
# serve leadership as well; the worker recounts them every ``REFRESH_EVERY``).
OPEN_FOR = timedelta(minutes=15)
REFRESH_EVERY = timedelta(minutes=10)


@dataclass
class Tally:
    grid: list[int] = field(default_factory=lambda: [0] * 168)  # (weekday - 1) * 24 + hour
    messages: int = 0
    outside: int = 0
    first: Counter[int] = field(default_factory=Counter)  # minutes waited → answers
    each: Counter[int] = field(default_factory=Counter)
    new: int = 0
    active: int = 0
    origins: Counter[str] = field(default_factory=Counter)

    def add(self, other: Tally) -> None:
        self.grid = [a + b for a, b in zip(self.grid, other.grid, strict=True)]
        self.messages += other.messages
        self.outside += other.outside
        self.first.update(other.first)
        self.each.update(other.each)
        self.new += other.new
        self.active += other.active
        self.origins.update(other.origins)

    def to_json(self) -> dict[str, Any]:
        return {
            "grid": self.grid,
            "messages": self.messages,
            "outside": self.outside,
            "first": {str(k): v for k, v in self.first.items()},
            "each": {str(k): v for k, v in self.each.items()},
            "new": self.new,
            "active": self.active,
            "origins": dict(self.origins),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tally:
        return cls(
            grid=list(data["grid"]),
            messages=data["messages"],
            outside=data["outside"],
            first=Counter({int(k): v for k, v in data["first"].items()}),
            each=Counter({int(k): v for k, v in data["each"].items()}),
            new=data["new"],
            active=data["active"],
            origins=Counter(data["origins"]),
        )


def hours(histogram: Counter[int]) -> list[float]:
    """The waiting times of a histogram as hours, in order."""
    return [minutes / 60 for minutes, n in sorted(histogram.items()) for _ in range(n)]


def is_closed(month: date, today: date | None = None) -> bool:
    return next_month(month) + CLOSED_AFTER <= (today or timezone.localdate())


def tallies(team_ids: Sequence[int], months: Sequence[date]) -> dict[tuple[int, date], Tally]:
    """The tally of every team and month: kept ones read (a closed month's for good, an
    open month's while younger than ``OPEN_FOR``), the others counted and kept."""
    now = timezone.now()
    result: dict[tuple[int, date], Tally] = {}
    for row in TeamMonth.objects.filter(team_id__in=team_ids, month__in=months):
        usable = row.final if is_closed(row.month) else row.counted_at >= now - OPEN_FOR
        if usable:
            result[(row.team_id, row.month)] = Tally.from_json(row.data)
    missing = sorted({month for month in months for t in team_ids if (t, month) not in result})
    if missing:
        counted = count(team_ids, Period(missing[0], missing[-1]))
        keep = []
        for month in missing:
            for team_id in team_ids:
                if (team_id, month) not in result:
                    made = counted.get((team_id, month)) or Tally()
                    result[(team_id, month)] = made
                    keep.append(_row(team_id, month, made, now))
        _keep(keep)
    return result


def _row(team_id: int, month: date, made: Tally, now: datetime) -> TeamMonth:
    return TeamMonth(
        team_id=team_id, month=month, data=made.to_json(), counted_at=now, final=is_closed(month)
    )


def _keep(rows: list[TeamMonth]) -> None:
    """Insert or replace (two pages counting the same month at once both succeed)."""
    TeamMonth.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["team", "month"],
        update_fields=["data", "counted_at", "final"],
    )


def count(team_ids: Sequence[int], period: Period) -> dict[tuple[int, date], Tally]:
    """Count every team's months of ``period`` from the live data."""
    from hafen.strategy.figures import compute  # the queries live beside the figures

    counted: dict[tuple[int, date], Tally] = {}

    def of(team_id: int, month: date) -> Tally:
        return counted.setdefault((team_id, month), Tally())

    doors = compute.doors(team_ids)
    intervals = {
        (team_id, day): door.intervals(day)
        for team_id, door in doors.items()
        for day in range(1, 8)
    }
    messages = localtime.count_by(
        Message.objects.filter(sender=Sender.CLIENT, conversation__team_id__in=team_ids),
        "created_at",
        ("year", "month", "weekday", "hour", "minute"),
        ("conversation__team_id",),
        period.since,
        period.until,
    )
    for (team_id, year, month, weekday, hour, minute), n in messages.items():
        tally = of(team_id, date(year, month, 1))
        tally.grid[(weekday - 1) * 24 + hour] += n
        tally.messages += n
        moment = time(hour, minute)
        if not any(start <= moment < end for start, end in intervals[(team_id, weekday)]):
            tally.outside += n
    for histogram_name, waits in (
        ("first", compute.first_answers(list(team_ids), period)),
        ("each", compute.each_answer(list(team_ids), period)),
    ):
        for (team_id, month), values in waits.items():
            getattr(of(team_id, month), histogram_name).update(round(h * 60) for h in values)
    months = period.months()
    conversations = Conversation.objects.filter(team_id__in=team_ids)
    for (team_id, origin, month), n in localtime.count_by_month(
        conversations, "created_at", ("team_id", "origin"), months
    ).items():
        tally = of(team_id, month)
        tally.new += n
        tally.origins[origin] += n
    for (team_id, month), n in localtime.count_by_month(
        Message.objects.filter(conversation__team_id__in=team_ids).exclude(sender=Sender.SYSTEM),
        "created_at",
        ("conversation__team_id",),
        months,
        counted="conversation_id",
    ).items():
        of(team_id, month).active += n
    return counted


def total(found: dict[tuple[int, date], Tally], keys: Iterable[tuple[int, date]]) -> Tally:
    summed = Tally()
    for key in keys:
        if key in found:
            summed.add(found[key])
    return summed


def tally_closed_months(months_back: int = 3) -> int:
    """For the nightly task: count and keep for good every team's recently closed months
    not counted for good yet; returns how many team months were counted."""
    from hafen.accounts.models import Team

    months = [m for m in Period.months_back(months_back + 1).months() if is_closed(m)]
    team_ids = list(Team.objects.values_list("pk", flat=True))
    before = TeamMonth.objects.filter(month__in=months, final=True).count()
    tallies(team_ids, months)
    return TeamMonth.objects.filter(month__in=months, final=True).count() - before


def refresh_open_months() -> int:
    """For the worker, every few minutes: count every team's open months again, so that
    the first figures page of a visit reads them instead of counting; returns how many."""
    from hafen.accounts.models import Team

    months = [m for m in Period.months_back(2).months() if not is_closed(m)]
    team_ids = list(Team.objects.values_list("pk", flat=True))
    if not months or not team_ids:
        return 0
    now = timezone.now()
    counted = count(team_ids, Period(months[0], months[-1]))
    rows = [
        _row(team_id, month, counted.get((team_id, month)) or Tally(), now)
        for month in months
        for team_id in team_ids
    ]
    _keep(rows)
    return len(rows)
