"""Figures for leadership: counts per team, never content."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count

from hafen.accounts.models import Membership, Role, Team, User
from hafen.cases.models import (
    LIVE_PLAN_STATES,
    Case,
    CaseEntry,
    CaseStatus,
    Review,
)
from hafen.cases.queries._common import today


@dataclass(frozen=True)
class TeamFigures:
    team_id: int
    team_name: str
    open: int
    paused: int
    closed: int
    entries_last_30_days: int
    overdue_reviews: int


def case_figures(user: User) -> list[TeamFigures]:
    """Counts per team for leadership: how many cases, how active, what is overdue.

    Figures only, never content: no names, pseudonyms or file numbers.
    """
    if (
        user.organisation_id is None
        or not Membership.objects.filter(
            user=user, organisation_id=user.organisation_id, role=Role.LEADERSHIP
        ).exists()
    ):
        raise PermissionDenied
    since = today() - timedelta(days=30)
    by_status: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        Case.objects.filter(organisation_id=user.organisation_id)
        .values("team_id", "status")
        .annotate(count=Count("pk"))
    ):
        by_status[row["team_id"]][row["status"]] = row["count"]
    entries = dict(
        CaseEntry.objects.filter(
            case__organisation_id=user.organisation_id, created_at__date__gte=since
        )
        .values("case__team_id")
        .annotate(count=Count("pk"))
        .values_list("case__team_id", "count")
    )
    overdue = dict(
        Review.objects.filter(
            plan__case__organisation_id=user.organisation_id,
            held_on__isnull=True,
            due_on__lt=today(),
            plan__status__in=LIVE_PLAN_STATES,
        )
        .values("plan__case__team_id")
        .annotate(count=Count("pk"))
        .values_list("plan__case__team_id", "count")
    )
    teams = Team.objects.filter(facility__organisation_id=user.organisation_id).select_related(
        "facility"
    )
    return [
        TeamFigures(
            team.pk,
            str(team),
            by_status[team.pk].get(CaseStatus.OPEN, 0),
            by_status[team.pk].get(CaseStatus.PAUSED, 0),
            by_status[team.pk].get(CaseStatus.CLOSED, 0),
            entries.get(team.pk, 0),
            overdue.get(team.pk, 0),
        )
        for team in teams
    ]
