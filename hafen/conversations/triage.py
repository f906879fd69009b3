"""The team inbox's write actions: take, assign, transfer, states, labels, canned replies.

Who may do what. ``access.access_conversation`` has already decided that the person
may read the conversation at all (team member, assigned, or break-glass); this
module adds what each of them may change:

- **Counsellors of the conversation's team**, and whoever holds an active
  break-glass grant for that team, may do everything: read and write internal notes,
  see transfers and their reasons, assign the conversation to a colleague, transfer
  it to another team. The assigned person may too if they are a counsellor in the
  organisation (an assignment can outlive a change of team).
- **Volunteers** (Ehrenamt) read and answer the conversations of their own team, take
  one for themselves or give it back, change its state, set labels and use canned
  replies. They do not see or write internal notes or transfer reasons, do not assign
  colleagues and do not transfer: notes hold the professionals' assessments, which
  fall under professional secrecy (StGB §203) and stay with them, and handing a
  client to another team is a professional decision. This is the default of every
  organisation until it can configure what its volunteers may do.
- **Leadership** sees counts per team and state (its start-page panel), never content:
  the conversation pages answer 404, like for the DPO, communications, admins and
  staff of other organisations.

Every change is audited (never content) and followed, after commit, by an inbox event
of kind "state" for the teams concerned.

Several tabs and several counsellors: every change is a conditional update against
what the person's page showed (``WHERE assigned_to IS NULL`` for taking, the assignee
the form saw for assigning, the team it saw for a transfer) or runs under a row lock,
so exactly one of two competing clicks wins and the other gets a clear message. State
changes and labels are idempotent: doing the same twice changes nothing the second
time and says so.

The seam for case files: ``CASE_LINKERS`` (see there).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Case, F, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from hafen.accounts.models import CONTENT_ROLES, BreakGlass, Membership, Role, Team, User
from hafen.conversations import events
from hafen.conversations.actions import ConversationGone
from hafen.conversations.models import (
    CannedReply,
    Conversation,
    Label,
    State,
    Transfer,
)
from hafen.privacy import audit

MIN_REASON_CHARS = 10
MAX_REASON_CHARS = 500
# States staff set by hand; "new" only ever comes from a client or a transfer.
SETTABLE_STATES = (State.OPEN, State.WAITING, State.CLOSED)


class TriageError(Exception):
    """A change that was not made; ``str(error)`` tells the person why, in their language."""


class AlreadyTaken(TriageError):
    """Somebody else took the conversation first."""


class Stale(TriageError):
    """The page the person acted on no longer shows how things are; nothing changed."""


class NotAllowed(TriageError):
    """The person may read the conversation but not make this change."""


# -- who may do what --------------------------------------------------------------------


@dataclass(frozen=True)
class Rights:
    """What a person who may read a conversation may also do with it."""

    professional: bool  # notes, transfers, assigning colleagues

    @property
    def notes(self) -> bool:
        return self.professional

    @property
    def transfer(self) -> bool:
        return self.professional

    @property
    def assign_others(self) -> bool:
        return self.professional


def rights(user: User, conversation: Conversation) -> Rights:
    """The person's rights on a conversation they may read (``access_conversation`` said so)."""
    team_id = conversation.team_id
    counsellor_teams = set(
        Membership.objects.filter(user=user, role=Role.COUNSELLOR).values_list("team_id", flat=True)
    )
    professional = (
        team_id in counsellor_teams
        or (conversation.assigned_to_id == user.pk and bool(counsellor_teams))
        or BreakGlass.objects.filter(
            user=user, team_id=team_id, expires_at__gt=timezone.now()
        ).exists()
    )
    return Rights(professional=professional)


def _require_professional(user: User, conversation: Conversation) -> None:
    if not rights(user, conversation).professional:
        raise NotAllowed(_("Only counsellors of the team can do this."))


def assignable_colleagues(team_id: int) -> QuerySet[User]:
    """Who may be assigned a conversation of this team: its active counsellors and volunteers.

    Break-glass holders are not offered: an assignment would outlast their grant.
    """
    return (
        User.objects.filter(
            is_active=True,
            memberships__team_id=team_id,
            memberships__role__in=sorted(CONTENT_ROLES),
        )
        .distinct()
        .order_by("display_name", "username")
    )


def manages_organisation(user: User, organisation_id: int) -> bool:
    """Leadership and admins manage the organisation's labels and shared canned replies."""
    return Membership.objects.filter(
        user=user,
        organisation_id=organisation_id,
        team__isnull=True,
        role__in=[Role.LEADERSHIP, Role.ADMIN],
    ).exists()


def _changed(conversation: Conversation, *team_ids: int) -> None:
    for team_id in dict.fromkeys(team_ids):
        events.conversation_changed(conversation.pk, team_id, kind="state")


def _locked(conversation_id: int) -> Conversation:
    try:
        return (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("team__facility", "data_key")
            .get(pk=conversation_id)
        )
    except Conversation.DoesNotExist:
        raise ConversationGone from None


# -- assignment ---------------------------------------------------------------------------


@transaction.atomic
def take(user: User, conversation: Conversation) -> bool:
    """Assign an unassigned conversation to oneself; False if it was already one's own.

    One UPDATE ... WHERE assigned_to IS NULL: of two people clicking at once, the
    database lets exactly one row change; the other learns who was faster.
    """
    updated = Conversation.objects.filter(pk=conversation.pk, assigned_to__isnull=True).update(
        assigned_to=user,
        # Taking a new conversation means somebody is on it now.
        state=Case(When(state=State.NEW, then=Value(State.OPEN)), default=F("state")),
    )
    if not updated:
        current = (
            Conversation.objects.select_related("assigned_to").filter(pk=conversation.pk).first()
        )
        if current is None:
            raise ConversationGone
        if current.assigned_to_id == user.pk:
            return False
        if current.assigned_to is None:  # given back in the same instant: let them retry
            raise Stale(_("The conversation changed meanwhile. Please try again."))
        raise AlreadyTaken(
            _("%(name)s has already taken this conversation.") % {"name": current.assigned_to}
        )
    audit.record(
        "conversation.taken",
        actor=user,
        target=conversation,
        organisation_id=conversation.organisation_id,
    )
    _changed(conversation, conversation.team_id)
    return True


@transaction.atomic
def assign(
    user: User, conversation: Conversation, assignee: User | None, *, expected: int | None
) -> bool:
    """Assign to a colleague (or to nobody); ``expected`` is the assignee the form showed.

    False if the conversation already was assigned that way. Raises ``Stale`` if the
    assignment changed since the form was shown, so nobody overrides a colleague's
    decision they have not seen.
    """
    releasing_own = assignee is None and expected == user.pk
    if not releasing_own:
        _require_professional(user, conversation)
    if (
        assignee is not None
        and not assignable_colleagues(conversation.team_id).filter(pk=assignee.pk).exists()
    ):
        raise TriageError(_("%(name)s cannot see this team's conversations.") % {"name": assignee})
    new_id = assignee.pk if assignee is not None else None
    if new_id == expected:
        current_id = (
            Conversation.objects.filter(pk=conversation.pk)
            .values_list("assigned_to_id", flat=True)
            .first()
        )
        if current_id == new_id:
            return False
    rows = Conversation.objects.filter(pk=conversation.pk)
    rows = (
        rows.filter(assigned_to__isnull=True)
        if expected is None
        else rows.filter(assigned_to_id=expected)
    )
    if not rows.update(assigned_to_id=new_id):
        current = (
            Conversation.objects.select_related("assigned_to").filter(pk=conversation.pk).first()
        )
        if current is None:
            raise ConversationGone
        if current.assigned_to_id == new_id:
            return False
        raise Stale(
            _(
                "Meanwhile the conversation was assigned to %(name)s. Nothing was changed; "
                "please check and try again."
            )
            % {"name": current.assigned_to or _("nobody")}
        )
    audit.record(
        "conversation.assigned",
        actor=user,
        target=conversation,
        organisation_id=conversation.organisation_id,
        assignee=new_id,
        previous=expected,
    )
    _changed(conversation, conversation.team_id)
    return True


def release(user: User, conversation: Conversation) -> bool:
    """Give one's own conversation back to the team (nobody assigned)."""
    return assign(user, conversation, None, expected=user.pk)


# -- transfer -----------------------------------------------------------------------------


def transfer_targets(conversation: Conversation) -> QuerySet[Team]:
    """The other teams of the conversation's organisation."""
    return (
        Team.objects.filter(facility__organisation_id=conversation.organisation_id)
        .exclude(pk=conversation.team_id)
        .select_related("facility")
    )


@transaction.atomic
def transfer(
    user: User, conversation: Conversation, to_team: Team, reason: str, *, expected_team: int
) -> Transfer:
    """Hand the conversation to another team of the organisation, with a reason.

    The old team no longer sees it (need-to-know follows the team). The assignment
    stays only if the assignee works in the new team (by membership, not by a
    break-glass grant that will end); otherwise it is cleared and the conversation
    is "new" for the receiving team, unless it was closed.
    """
    _require_professional(user, conversation)
    reason = reason.strip()
    if not MIN_REASON_CHARS <= len(reason) <= MAX_REASON_CHARS:
        raise TriageError(
            _("Please give a reason of %(min)d to %(max)d characters.")
            % {"min": MIN_REASON_CHARS, "max": MAX_REASON_CHARS}
        )
    locked = _locked(conversation.pk)
    if locked.team_id != expected_team:
        raise Stale(_("This conversation was transferred meanwhile. Nothing was changed."))
    if to_team.pk == locked.team_id:
        raise TriageError(_("The conversation is already with this team."))
    if to_team.organisation_id != locked.organisation_id:
        raise TriageError(_("Conversations can only go to teams of the same organisation."))
    from_team_id = locked.team_id
    fields = ["team"]
    cleared = locked.assigned_to_id is not None and not (
        Membership.objects.filter(
            user_id=locked.assigned_to_id,
            team=to_team,
            role__in=sorted(CONTENT_ROLES),
            user__is_active=True,
        ).exists()
    )
    locked.team = to_team
    if cleared:
        locked.assigned_to = None
        fields.append("assigned_to")
    if locked.assigned_to_id is None and locked.state != State.CLOSED:
        locked.state = State.NEW
        fields.append("state")
    locked.save(update_fields=fields)
    record = Transfer(conversation=locked, from_team_id=from_team_id, to_team=to_team, by=user)
    record.reason = reason
    record.save(force_insert=True)
    audit.record(
        "conversation.transferred",
        actor=user,
        target=locked,
        organisation_id=locked.organisation_id,
        from_team=from_team_id,
        to_team=to_team.pk,
        assignment_cleared=cleared,
    )
    # The old team's inboxes drop it, the new team's show it.
    _changed(locked, from_team_id, to_team.pk)
    return record


# -- states -------------------------------------------------------------------------------


@transaction.atomic
def set_state(user: User, conversation: Conversation, state: str) -> bool:
    """Close, reopen or mark as waiting for the client; False if it already was so."""
    if state not in SETTABLE_STATES:
        raise TriageError(_("This state cannot be set by hand."))
    locked = _locked(conversation.pk)
    previous = locked.state
    if previous == state:
        return False
    locked.state = state
    locked.save(update_fields=["state"])
    audit.record(
        "conversation.state_changed",
        actor=user,
        target=locked,
        organisation_id=locked.organisation_id,
        previous=previous,
        state=state,
    )
    _changed(locked, locked.team_id)
    return True


# -- labels -------------------------------------------------------------------------------


def _check_label(conversation: Conversation, label: Label) -> None:
    if label.organisation_id != conversation.organisation_id:
        raise TriageError(_("This label does not exist."))


@transaction.atomic
def add_label(user: User, conversation: Conversation, label: Label) -> bool:
    """Put a label on a conversation; False if it already had it."""
    _check_label(conversation, label)
    through = Conversation.labels.through
    try:
        with transaction.atomic():
            _, created = through.objects.get_or_create(conversation=conversation, label=label)
    except IntegrityError:  # another tab added it in the same instant
        created = False
    if not created:
        return False
    audit.record(
        "conversation.label_added",
        actor=user,
        target=conversation,
        organisation_id=conversation.organisation_id,
        label=label.pk,
    )
    _changed(conversation, conversation.team_id)
    return True


@transaction.atomic
def remove_label(user: User, conversation: Conversation, label: Label) -> bool:
    """Take a label off a conversation; False if it did not have it."""
    _check_label(conversation, label)
    deleted, _rows = Conversation.labels.through.objects.filter(
        conversation=conversation, label=label
    ).delete()
    if not deleted:
        return False
    audit.record(
        "conversation.label_removed",
        actor=user,
        target=conversation,
        organisation_id=conversation.organisation_id,
        label=label.pk,
    )
    _changed(conversation, conversation.team_id)
    return True


def _label_name_taken(organisation_id: int, name: str, *, exclude: int | None = None) -> bool:
    labels = Label.objects.filter(organisation_id=organisation_id, name__iexact=name)
    if exclude is not None:
        labels = labels.exclude(pk=exclude)
    return labels.exists()


def _require_manager(user: User, organisation_id: int) -> None:
    if not manages_organisation(user, organisation_id):
        raise NotAllowed(_("Only leadership and administrators can do this."))


@transaction.atomic
def create_label(user: User, organisation_id: int, name: str) -> Label:
    _require_manager(user, organisation_id)
    name = name.strip()
    if _label_name_taken(organisation_id, name):
        raise TriageError(_("A label with this name exists already."))
    try:
        with transaction.atomic():
            label = Label.objects.create(organisation_id=organisation_id, name=name)
    except IntegrityError:
        raise TriageError(_("A label with this name exists already.")) from None
    audit.record("label.created", actor=user, target=label, organisation_id=organisation_id)
    return label


@transaction.atomic
def rename_label(user: User, label: Label, name: str) -> bool:
    _require_manager(user, label.organisation_id)
    name = name.strip()
    if name == label.name:
        return False
    if _label_name_taken(label.organisation_id, name, exclude=label.pk):
        raise TriageError(_("A label with this name exists already."))
    label.name = name
    label.save(update_fields=["name"])
    audit.record("label.renamed", actor=user, target=label, organisation_id=label.organisation_id)
    return True


@transaction.atomic
def delete_label(user: User, label: Label) -> None:
    """Delete a label; it disappears from every conversation that had it.

    No inbox event: open lists show the change with their next event or reload, and
    one event per labelled conversation would flood every inbox for a tidy-up.
    """
    _require_manager(user, label.organisation_id)
    used = label.conversations.count()
    audit.record(
        "label.deleted",
        actor=user,
        target=label,
        organisation_id=label.organisation_id,
        conversations=used,
    )
    label.delete()


# -- canned replies -----------------------------------------------------------------------


def may_manage_reply(user: User, reply: CannedReply) -> bool:
    """Personal replies belong to their owner; shared ones to leadership and admins."""
    if reply.organisation_id != user.organisation_id:
        return False
    if reply.owner_id is not None:
        return reply.owner_id == user.pk
    return manages_organisation(user, reply.organisation_id)


@transaction.atomic
def create_reply(user: User, title: str, body: str, *, shared: bool) -> CannedReply:
    """A new canned reply: shared with the organisation (leadership, admin) or personal."""
    if user.organisation_id is None:
        raise NotAllowed(_("Only staff of an organisation have canned replies."))
    if shared:
        _require_manager(user, user.organisation_id)
    reply = CannedReply.objects.create(
        organisation_id=user.organisation_id,
        owner=None if shared else user,
        title=title.strip(),
        body=body,
    )
    audit.record(
        "canned_reply.created",
        actor=user,
        target=reply,
        organisation_id=reply.organisation_id,
        shared=shared,
    )
    return reply


@transaction.atomic
def update_reply(user: User, reply: CannedReply, title: str, body: str) -> bool:
    if not may_manage_reply(user, reply):
        raise NotAllowed(_("You cannot change this canned reply."))
    title = title.strip()
    if (title, body) == (reply.title, reply.body):
        return False
    reply.title, reply.body = title, body
    reply.save(update_fields=["title", "body"])
    audit.record(
        "canned_reply.changed", actor=user, target=reply, organisation_id=reply.organisation_id
    )
    return True


@transaction.atomic
def delete_reply(user: User, reply: CannedReply) -> None:
    if not may_manage_reply(user, reply):
        raise NotAllowed(_("You cannot delete this canned reply."))
    audit.record(
        "canned_reply.deleted", actor=user, target=reply, organisation_id=reply.organisation_id
    )
    reply.delete()


# -- the seam for case files --------------------------------------------------------------


@dataclass(frozen=True)
class CaseLinker:
    """How another app (case documentation) joins a conversation page.

    The cases app appends one at start-up::

        from hafen.conversations.triage import CASE_LINKERS, CaseLinker
        CASE_LINKERS.append(CaseLinker("cases", render_case_link))

    ``render(user, conversation)`` returns the HTML of its part of the conversation
    page (for example ``render_to_string`` of a template that names the linked case
    and offers a form to link one), or "" when it has nothing to show. It is called
    only after ``access_conversation`` allowed ``user`` to read the conversation; it
    must still ask its own access rules before naming a case, audit what it reads,
    and do its writes in its own actions (a link is a change of both records). A
    plain ``str`` is escaped; return ``SafeString`` (what templates render) for HTML.

    With no linker registered, the conversation page shows nothing about cases.
    """

    name: str
    render: Callable[[User, Conversation], str]


CASE_LINKERS: list[CaseLinker] = []


def case_sections(user: User, conversation: Conversation) -> list[str]:
    """The parts the registered case linkers add to a conversation page (may be empty)."""
    sections = []
    for linker in CASE_LINKERS:
        html = linker.render(user, conversation)
        if html:
            sections.append(html)
    return sections
