"""Minutes, and the to-do list: open action items, due reviews, unread notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Q, QuerySet

from hafen.accounts.models import Membership, Role, Team, User
from hafen.cases import access
from hafen.cases.models import (
    LIVE_PLAN_STATES,
    ActionItem,
    Case,
    CaseStatus,
    Meeting,
    Notice,
    Review,
)
from hafen.cases.queries._common import open_optional, open_sealed, today
from hafen.privacy import audit


@dataclass(frozen=True)
class ActionItemView:
    id: int
    text: str | None
    owner: User | None
    due_on: date | None
    done_at: datetime | None
    meeting_id: int
    meeting_kind: str
    meeting_held_on: date

    @property
    def overdue(self) -> bool:
        return self.done_at is None and self.due_on is not None and self.due_on < today()


@dataclass(frozen=True)
class MeetingPage:
    meeting: Meeting
    rights: access.CaseRights
    agenda: str | None
    decisions: str | None
    guests: str | None
    attendees: list[User]
    case_references: list[str]  # case conferences name cases by file number only
    action_items: list[ActionItemView]


def _item_view(item: ActionItem) -> ActionItemView:
    return ActionItemView(
        item.pk,
        open_sealed(item, "text", item.meeting.data_key.is_shredded),
        item.owner,
        item.due_on,
        item.done_at,
        item.meeting_id,
        item.meeting.kind,
        item.meeting.held_on,
    )


def meeting_page(user: User, meeting: Meeting) -> MeetingPage:
    """The minutes, decrypted for a person ``access.access_meeting`` let in; audited."""
    rights = access.meeting_rights(user, meeting)
    access.require(rights, write=False)
    audit.record(
        "meeting.read",
        actor=user,
        target=meeting,
        organisation_id=meeting.organisation_id,
        via=rights.via,
    )
    shredded = meeting.data_key.is_shredded
    items = list(meeting.action_items.select_related("owner").order_by("pk"))
    for item in items:
        item.meeting = meeting
    return MeetingPage(
        meeting=meeting,
        rights=rights,
        agenda=open_optional(meeting, "agenda", shredded),
        decisions=open_optional(meeting, "decisions", shredded),
        guests=open_optional(meeting, "guests", shredded),
        attendees=list(meeting.attendees.order_by("display_name", "username")),
        case_references=sorted(meeting.cases.values_list("reference", flat=True)),
        action_items=[_item_view(item) for item in items],
    )


# -- the to-do list ---------------------------------------------------------------------


def open_action_items(user: User) -> list[ActionItemView]:
    """The person's action items not yet done, the most urgent first (no date: last)."""
    items = (
        ActionItem.objects.filter(owner=user, done_at__isnull=True)
        .select_related("meeting__data_key", "owner")
        .order_by(F("due_on").asc(nulls_last=True), "pk")
    )
    return [_item_view(item) for item in items]


@dataclass(frozen=True)
class ReviewTodo:
    review_id: int
    plan_id: int
    plan_kind: str
    case_id: int
    case_reference: str
    due_on: date

    @property
    def overdue(self) -> bool:
        return self.due_on < today()


def due_reviews(user: User, *, days: int = 14) -> list[ReviewTodo]:
    """Reviews not yet held that are overdue or due within ``days``, of the person's cases.

    The person's cases: those they are responsible for, and those of their counsellor
    teams that have no responsible staff (the reminders go to the same people).
    """
    if user.organisation_id is None:
        return []
    horizon = today() + timedelta(days=days)
    teams = Membership.objects.filter(user=user, role=Role.COUNSELLOR).values("team_id")
    mine = Case.responsible.through.objects.filter(user_id=user.pk).values("case_id")
    unattended = Case.objects.filter(team_id__in=teams, responsible__isnull=True).values("pk")
    reviews = (
        Review.objects.filter(
            held_on__isnull=True,
            due_on__lte=horizon,
            plan__status__in=LIVE_PLAN_STATES,
            plan__case__status__in=[CaseStatus.OPEN, CaseStatus.PAUSED],
        )
        .filter(Q(plan__case_id__in=mine) | Q(plan__case_id__in=unattended))
        .filter(plan__case__organisation_id=user.organisation_id)
        .select_related("plan__case")
        .order_by("due_on", "pk")
    )
    return [
        ReviewTodo(r.pk, r.plan_id, r.plan.kind, r.plan.case_id, r.plan.case.reference, r.due_on)
        for r in reviews
    ]


def unread_notices(user: User) -> list[Notice]:
    return list(
        Notice.objects.filter(recipient=user, read_at__isnull=True)
        .select_related("case", "review", "grant", "actor")
        .order_by("-created_at", "-pk")
    )


# -- the list of minutes ----------------------------------------------------------------


def meeting_list(user: User) -> QuerySet[Meeting]:
    """The minutes the person may open, newest first: kind, date, team and the number of
    open action items; no content, so nothing to decrypt and no read to audit."""
    return (
        access.meetings_visible_to(user)
        .select_related("team__facility")
        .annotate(open_items=Count("action_items", filter=Q(action_items__done_at__isnull=True)))
        .order_by("-held_on", "-pk")
    )


def minutes_teams(user: User) -> QuerySet[Team]:
    """The teams whose minutes the person may write: counsellor, or an active break-glass."""
    if user.organisation_id is None:
        return Team.objects.none()
    counsellor = Membership.objects.filter(user=user, role=Role.COUNSELLOR).values("team_id")
    return (
        Team.objects.filter(facility__organisation_id=user.organisation_id)
        .filter(Q(pk__in=counsellor) | Q(pk__in=access.active_grant_team_ids(user)))
        .select_related("facility")
        .order_by("facility__name", "name")
    )
