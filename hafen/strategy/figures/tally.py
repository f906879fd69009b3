"""Counts per team and month, kept once a month is closed: figures of the past are read,
not recounted.

A year holds hundreds of thousands of messages; counting them again for every page
costs seconds. Everything the reachability, response and volume figures need of one
team's month fits in a few numbers (``Tally``), which add up across teams and months.
A month counts as closed ``CLOSED_AFTER`` its end (answers to its last messages may
still come); from then on its tally is stored (``TeamMonth``) the first time a page
needs it, or by the nightly task, and never counted again. Open months are counted
afresh at most every ``OPEN_FOR`` seconds (kept in the cache meanwhile).

What a stored tally keeps: client messages by weekday and hour, how many of them were
outside the team's office hours as set when the month was counted, waiting times
rounded to the minute, new and active conversations and their first contacts. No
content, no pseudonym, no conversation number.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from hafen.conversations.models import Conversation, Message, Sender
from hafen.strategy.figures import localtime
from hafen.strategy.figures.models import TeamMonth
from hafen.strategy.figures.period import Period, next_month

CLOSED_AFTER = timedelta(days=14)
# An open month's counts are reused for this many seconds (figures a few minutes old are
# as good for leadership, and every page of a visit needs them).
OPEN_FOR = 10 * 60


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
    """The tally of every team and month: stored ones read, open ones from the cache of the
    last ``OPEN_FOR`` seconds, the rest counted (and the closed ones among them stored)."""
    result: dict[tuple[int, date], Tally] = {}
    closed = [month for month in months if is_closed(month)]
    for row in TeamMonth.objects.filter(team_id__in=team_ids, month__in=closed):
        result[(row.team_id, row.month)] = Tally.from_json(row.data)
    open_keys = {
        _cache_key(team_id, month): (team_id, month)
        for month in months
        if not is_closed(month)
        for team_id in team_ids
    }
    for key, data in cache.get_many(list(open_keys)).items():
        result[open_keys[key]] = Tally.from_json(data)
    missing = sorted({month for month in months for t in team_ids if (t, month) not in result})
    if not missing:
        return result
    counted = count(team_ids, Period(missing[0], missing[-1]))
    keep, fresh = [], {}
    for month in missing:
        for team_id in team_ids:
            if (team_id, month) in result:
                continue
            made = counted.get((team_id, month)) or Tally()
            result[(team_id, month)] = made
            if is_closed(month):
                keep.append(TeamMonth(team_id=team_id, month=month, data=made.to_json()))
            else:
                fresh[_cache_key(team_id, month)] = made.to_json()
    TeamMonth.objects.bulk_create(keep, ignore_conflicts=True)
    cache.set_many(fresh, timeout=OPEN_FOR)
    return result


def _cache_key(team_id: int, month: date) -> str:
    return f"figures:open:{team_id}:{month:%Y-%m}"


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
    """For the nightly task: store the tallies of recently closed months of every team;
    returns how many were counted."""
    from hafen.accounts.models import Team

    today = timezone.localdate()
    months = [m for m in Period.months_back(months_back + 1, today).months() if is_closed(m)]
    team_ids = list(Team.objects.values_list("pk", flat=True))
    before = TeamMonth.objects.filter(month__in=months).count()
    tallies(team_ids, months)
    return TeamMonth.objects.filter(month__in=months).count() - before
