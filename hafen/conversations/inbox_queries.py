"""Read side of the team inbox: the filtered list, unread counts, panels, figures.

The list shows metadata only (pseudonym, team, state, labels, assignee, times, unread
count), never a message text, so it decrypts nothing and is not audited per view —
the realtime list reloads it on every event. Opening a conversation is the read that
the audit log records (``actions.record_staff_read``).

Every list costs a fixed number of queries, however many rows it has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from hafen.accounts import access as staff_access
from hafen.accounts.models import Team, User
from hafen.conversations.models import CannedReply, Conversation, Label, Message, Sender, State

ACTIVE_STATES = (State.NEW, State.OPEN, State.WAITING)


@dataclass(frozen=True)
class InboxFilter:
    """What the inbox list is narrowed to (all optional, from the GET form)."""

    team_id: int | None = None
    # "" = everything not closed; "all"; or one State value.
    state: str = ""
    # "" = anybody; "me"; "none" (unassigned).
    assigned: str = ""
    label_id: int | None = None
    search: str = ""


def unread_client_messages() -> Coalesce:
    """Per conversation: the client's messages after what the team has read."""
    count = (
        Message.objects.filter(
            conversation=OuterRef("pk"), sender=Sender.CLIENT, seq__gt=OuterRef("team_read_seq")
        )
        .order_by()
        .values("conversation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(count, output_field=IntegerField()), 0)


def _case_variants(text: str) -> set[str]:
    # SQLite's LIKE folds only ASCII letters, so "möwe" would not find "Möwe" there;
    # the usual spellings of a typed word cover it (PostgreSQL folds them all anyway).
    return {text, text.lower(), text.upper(), text.capitalize(), text.title()}


def visible_conversations(user: User) -> QuerySet[Conversation]:
    """Need-to-know as a query: the person's content teams, or assigned to them."""
    return Conversation.objects.visible_to_ids(staff_access.content_team_ids(user), user.pk)


def inbox_list(user: User, wanted: InboxFilter) -> QuerySet[Conversation]:
    conversations = visible_conversations(user)
    if wanted.team_id is not None:
        conversations = conversations.filter(team_id=wanted.team_id)
    if wanted.state == "":
        conversations = conversations.filter(state__in=ACTIVE_STATES)
    elif wanted.state != "all":
        conversations = conversations.filter(state=wanted.state)
    if wanted.assigned == "me":
        conversations = conversations.filter(assigned_to_id=user.pk)
    elif wanted.assigned == "none":
        conversations = conversations.filter(assigned_to__isnull=True)
    if wanted.label_id is not None:
        conversations = conversations.filter(labels__id=wanted.label_id)
    if wanted.search:
        matches = Q()
        label_matches = Q()
        for variant in _case_variants(wanted.search):
            matches |= Q(pseudonym__icontains=variant)
            label_matches |= Q(label__name__icontains=variant)
        # A subquery, not a join: a conversation with two matching labels is one row.
        labelled = Conversation.labels.through.objects.filter(label_matches).values(
            "conversation_id"
        )
        conversations = conversations.filter(matches | Q(pk__in=labelled))
    return (
        conversations.select_related("team__facility", "assigned_to")
        .prefetch_related("labels")
        .annotate(unread=unread_client_messages())
        .order_by("-last_activity_at", "-pk")
    )


def filter_teams(user: User) -> QuerySet[Team]:
    """The teams the team filter offers: those whose conversations the person sees."""
    return Team.objects.filter(pk__in=staff_access.content_team_ids(user)).select_related(
        "facility"
    )


def organisation_labels(organisation_id: int | None) -> QuerySet[Label]:
    if organisation_id is None:
        return Label.objects.none()
    return Label.objects.filter(organisation_id=organisation_id).order_by("name")


def usable_replies(user: User) -> QuerySet[CannedReply]:
    """The organisation's shared canned replies and the person's own, shared first."""
    organisation_id = user.organisation_id
    if organisation_id is None:
        return CannedReply.objects.none()
    return (
        CannedReply.objects.filter(organisation_id=organisation_id)
        .filter(Q(owner__isnull=True) | Q(owner=user))
        .order_by("owner_id", "title")
    )


def labels_with_usage(organisation_id: int) -> QuerySet[Label]:
    return organisation_labels(organisation_id).annotate(used=Count("conversations"))


# -- start-page panels --------------------------------------------------------------------


def inbox_panel(request: HttpRequest) -> dict[str, Any]:
    """Counsellor and volunteer start page: what waits in the person's inbox."""
    user = request.user
    if not isinstance(user, User):
        return {}
    visible = visible_conversations(user)
    figures = visible.aggregate(
        new=Count("pk", filter=Q(state=State.NEW)),
        mine=Count("pk", filter=Q(assigned_to_id=user.pk) & ~Q(state=State.CLOSED)),
        unassigned=Count("pk", filter=Q(assigned_to__isnull=True) & ~Q(state=State.CLOSED)),
    )
    figures["unread"] = (
        visible.filter(state__in=ACTIVE_STATES)
        .annotate(unread=unread_client_messages())
        .filter(unread__gt=0)
        .count()
    )
    return figures


@dataclass(frozen=True)
class TeamCounts:
    team: Team
    cells: list[int]  # one per State, in the order of ``State.choices``

    @property
    def total(self) -> int:
        return sum(self.cells)


def leadership_panel(request: HttpRequest) -> dict[str, Any]:
    """Leadership start page: conversations per team and state. Numbers, never content."""
    user = request.user
    if not isinstance(user, User) or user.organisation_id is None:
        return {}
    teams = list(
        Team.objects.filter(facility__organisation_id=user.organisation_id)
        .select_related("facility")
        .order_by("facility__name", "name")
    )
    counts: dict[int, dict[str, int]] = {team.pk: dict.fromkeys(State.values, 0) for team in teams}
    rows = (
        Conversation.objects.filter(team_id__in=counts)
        .order_by()
        .values("team_id", "state")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["team_id"]][row["state"]] = row["n"]
    return {
        "states": State.choices,
        "team_counts": [
            TeamCounts(team, [counts[team.pk][state] for state in State.values]) for team in teams
        ],
    }
