"""The period (whole months) and the scope (organisation, facility or team) of the figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from hafen.accounts.models import Facility, Organisation, Team

MAX_MONTHS = 36


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


@dataclass(frozen=True)
class Period:
    """From the first day of ``first`` to the last day of ``last`` (whole months)."""

    first: date
    last: date

    @classmethod
    def months_back(cls, count: int, until: date | None = None) -> Period:
        end = month_start(until or timezone.localdate())
        start = end
        for _ in range(count - 1):
            start = month_start(start - timedelta(days=1))
        return cls(start, end)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 1))

    @property
    def since(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=timezone.get_current_timezone())

    @property
    def until(self) -> datetime:
        """The moment after the period (exclusive end)."""
        return datetime.combine(
            next_month(self.last), time.min, tzinfo=timezone.get_current_timezone()
        )

    @property
    def last_day(self) -> date:
        return next_month(self.last) - timedelta(days=1)

    def months(self) -> list[date]:
        months, current = [], self.first
        while current <= self.last:
            months.append(current)
            current = next_month(current)
        return months


@dataclass(frozen=True)
class Scope:
    """Whose figures: the organisation, one of its facilities, or one team."""

    organisation: Organisation
    facility: Facility | None = None
    team: Team | None = None

    def teams(self) -> list[Team]:
        if self.team is not None:
            return [self.team]
        teams = Team.objects.filter(facility__organisation=self.organisation).select_related(
            "facility"
        )
        if self.facility is not None:
            teams = teams.filter(facility=self.facility)
        return list(teams.order_by("facility__name", "name"))

    def team_ids(self) -> list[int]:
        return [team.pk for team in self.teams()]

    @property
    def label(self) -> str:
        if self.team is not None:
            return str(self.team)
        if self.facility is not None:
            return f"{self.organisation.name} · {self.facility.name}"
        return self.organisation.name
