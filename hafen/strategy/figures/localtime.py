"""Counting rows by local weekday, hour and minute, or by local month, inside the database.

PostgreSQL converts to local time natively (``AT TIME ZONE``), so Django's ``Extract``
functions serve. On SQLite Django converts every row in a Python function, which costs
about 20 µs a row — seconds for a year of messages. There the period is cut where the
local offset from UTC changes (twice a year for daylight saving time), and each piece
is counted with SQLite's own ``strftime`` and that piece's fixed offset: the same
answer, at the database's speed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import CharField, Count, F, Func, QuerySet, Value
from django.db.models.functions import (
    ExtractHour,
    ExtractIsoWeekDay,
    ExtractMinute,
    ExtractMonth,
    ExtractYear,
)
from django.utils import timezone

from hafen.strategy.figures.period import next_month

# Parts a caller may ask for, and how SQLite's strftime writes them.
_SQLITE_FORMATS = {
    "year": "%Y",
    "month": "%m",
    "weekday": "%w",
    "hour": "%H",
    "minute": "%M",
}
_EXTRACTS = {
    "year": ExtractYear,
    "month": ExtractMonth,
    "weekday": ExtractIsoWeekDay,
    "hour": ExtractHour,
    "minute": ExtractMinute,
}


class _Strftime(Func):
    function = "strftime"
    output_field = CharField()


def offset_pieces(since: datetime, until: datetime) -> Iterator[tuple[datetime, datetime, int]]:
    """[since, until) cut where the local UTC offset changes: (start, end, offset seconds).

    Offsets change on whole hours of UTC in every zone Hafen is used in; the pieces are
    found hour by hour (a year is 8,760 look-ups).
    """
    zone = timezone.get_current_timezone()
    start = since
    offset = since.astimezone(zone).utcoffset()
    moment = since.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    while moment < until:
        current = moment.astimezone(zone).utcoffset()
        if current != offset:
            assert offset is not None
            yield start, moment, int(offset.total_seconds())
            start, offset = moment, current
        moment += timedelta(hours=1)
    assert offset is not None
    yield start, until, int(offset.total_seconds())


def count_by(
    queryset: QuerySet[Any],
    field: str,
    parts: Sequence[str],
    group: Sequence[str],
    since: datetime,
    until: datetime,
) -> dict[tuple[Any, ...], int]:
    """How many rows per ``group`` fields and local ``parts`` of ``field`` within
    [since, until). Keys are group values then parts, as integers; ``weekday`` is ISO
    (1 = Monday). Rows are added up over the pieces, so this counts rows, never
    distinct values (see ``count_by_month`` for those)."""
    totals: dict[tuple[Any, ...], int] = {}
    if connection.vendor == "sqlite":
        # One strftime a row ("2 14 05"), not one per part: the row count is what costs.
        pattern = " ".join(_SQLITE_FORMATS[part] for part in parts)
        for start, end, offset in offset_pieces(since, until):
            rows = (
                queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end})
                .annotate(local=_Strftime(Value(pattern), F(field), Value(f"{offset:+d} seconds")))
                .values_list(*group, "local")
                .annotate(n=Count("pk"))
                .order_by()
            )
            for *values, n in rows:
                keys = list(values[: len(group)])
                for part, raw in zip(parts, values[-1].split(" "), strict=True):
                    number = int(raw)
                    keys.append(7 if part == "weekday" and number == 0 else number)
                key = tuple(keys)
                totals[key] = totals.get(key, 0) + n
        return totals
    extracts: dict[str, Func] = {f"local_{part}": _EXTRACTS[part](field) for part in parts}
    rows = (
        queryset.filter(**{f"{field}__gte": since, f"{field}__lt": until})
        .annotate(**extracts)
        .values_list(*group, *extracts)
        .annotate(n=Count("pk"))
        .order_by()
    )
    for *values, n in rows:
        key = tuple(values[: len(group)]) + tuple(int(v) for v in values[len(group) :])
        totals[key] = totals.get(key, 0) + n
    return totals


def count_by_month(
    queryset: QuerySet[Any],
    field: str,
    group: Sequence[str],
    months: Sequence[date],
    counted: str = "pk",
) -> dict[tuple[Any, ...], int]:
    """How many distinct ``counted`` per ``group`` fields and local month of ``field``
    (keys: the group's values, then the month): one range query per month (its bounds
    are local midnights), no conversion of any row."""
    zone = timezone.get_current_timezone()
    totals: dict[tuple[Any, ...], int] = {}
    for month in months:
        start = datetime.combine(month, time.min, tzinfo=zone)
        end = datetime.combine(next_month(month), time.min, tzinfo=zone)
        rows = (
            queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end})
            .values_list(*group)
            .annotate(n=Count(counted, distinct=True))
            .order_by()
        )
        for *values, n in rows:
            totals[(*values, month)] = n
    return totals
