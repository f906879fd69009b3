"""Writes to minutes: meetings, their texts, action items and their completion.

A case conference names its cases by their file numbers only. Whoever writes the
minutes may only name cases they may see themselves; a number that does not exist
and a number of a case the person may not see get the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hafen.accounts.models import Membership, Role, Team, User
from hafen.cases import access
from hafen.cases.actions._common import KEEP, Keep, once, require_live_key, staff_of
from hafen.cases.models import (
    MAX_ACTION_CHARS,
    MAX_MINUTES_CHARS,
    ActionItem,
    Case,
    Meeting,
    MeetingKind,
)
from hafen.cases.validation import choice, clean_text, not_before, require_date
from hafen.privacy import audit, crypto

MAX_CASES_PER_MEETING = 50


def _cases(user: User, references: Iterable[str]) -> list[Case]:
    wanted = list(dict.fromkeys(" ".join(str(r).split()).upper() for r in references if r))
    if len(wanted) > MAX_CASES_PER_MEETING:
        raise ValidationError(
            _("At most %(limit)d case files per meeting.") % {"limit": MAX_CASES_PER_MEETING},
            code="too_many",
        )
    found = {
        case.reference: case for case in access.cases_visible_to(user).filter(reference__in=wanted)
    }
    unknown = [reference for reference in wanted if reference not in found]
    if unknown:
        raise ValidationError(
            _("No case file that you can open has the number %(reference)s.")
            % {"reference": unknown[0][:20]},
            code="reference",
        )
    return [found[reference] for reference in wanted]


def _texts(agenda: str, decisions: str, guests: str) -> dict[str, str]:
    return {
        "agenda": clean_text(agenda, label=_("Agenda"), limit=MAX_MINUTES_CHARS, required=False),
        "decisions": clean_text(
            decisions, label=_("Decisions"), limit=MAX_MINUTES_CHARS, required=False
        ),
        "guests": clean_text(guests, label=_("Guests"), limit=MAX_ACTION_CHARS, required=False),
    }


def _seal(meeting: Meeting, texts: dict[str, str]) -> None:
    for field, value in texts.items():
        if value:
            setattr(meeting, field, value)
        else:
            setattr(meeting, f"{field}_sealed", None)


def create_meeting(
    user: User,
    team: Team,
    *,
    kind: str,
    held_on: date,
    agenda: str = "",
    decisions: str = "",
    guests: str = "",
    attendees: Iterable[User] = (),
    case_references: Iterable[str] = (),
    form_token: str = "",
) -> Meeting:
    """Minutes of a team meeting or case conference of ``team`` (its counsellors write them)."""
    if not (
        Membership.objects.filter(user=user, team=team, role=Role.COUNSELLOR).exists()
        or team.pk in access.active_grant_team_ids(user)
    ):
        raise PermissionDenied
    organisation_id = team.organisation_id
    kind = choice(kind, MeetingKind, label=_("Kind"))
    day = require_date(held_on, label=_("Date"))
    texts = _texts(agenda, decisions, guests)
    people = staff_of(organisation_id, list(attendees))
    cases = _cases(user, case_references)

    @transaction.atomic
    def create() -> Meeting:
        meeting = Meeting(
            organisation_id=organisation_id,
            team=team,
            data_key=crypto.create_data_key("meeting"),
            kind=kind,
            held_on=day,
            created_by=user,
        )
        _seal(meeting, texts)
        meeting.save(force_insert=True)
        meeting.attendees.set(people)
        meeting.cases.set(cases)
        audit.record(
            "meeting.created",
            actor=user,
            target=meeting,
            organisation_id=organisation_id,
            team=team.pk,
            kind=kind,
            cases=len(cases),
        )
        return meeting

    return once(user, form_token, Meeting, create)


@transaction.atomic
def update_meeting(
    user: User,
    meeting: Meeting,
    *,
    agenda: str | Keep = KEEP,
    decisions: str | Keep = KEEP,
    guests: str | Keep = KEEP,
    attendees: Iterable[User] | Keep = KEEP,
    case_references: Iterable[str] | Keep = KEEP,
) -> list[str]:
    """Complete or correct the minutes; returns the names of the fields that changed."""
    locked = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("data_key")
        .get(pk=meeting.pk)
    )
    access.require(access.meeting_rights(user, locked), write=True)
    require_live_key(locked.data_key)
    changed: list[str] = []
    given = {
        field: value
        for field, value in (("agenda", agenda), ("decisions", decisions), ("guests", guests))
        if not isinstance(value, Keep)
    }
    cleaned = _texts(**{"agenda": "", "decisions": "", "guests": "", **given})
    texts = {field: cleaned[field] for field in given if cleaned[field] != getattr(locked, field)}
    if texts:
        _seal(locked, texts)
        locked.save(update_fields=[f"{field}_sealed" for field in texts])
        changed += list(texts)
    if not isinstance(attendees, Keep):
        people = staff_of(locked.organisation_id, list(attendees))
        if {p.pk for p in people} != set(locked.attendees.values_list("pk", flat=True)):
            locked.attendees.set(people)
            changed.append("attendees")
    if not isinstance(case_references, Keep):
        cases = _cases(user, case_references)
        if {c.pk for c in cases} != set(locked.cases.values_list("pk", flat=True)):
            locked.cases.set(cases)
            changed.append("cases")
    if changed:
        audit.record(
            "meeting.changed",
            actor=user,
            target=locked,
            organisation_id=locked.organisation_id,
            fields=",".join(changed),
        )
    return changed


@transaction.atomic
def add_action_item(
    user: User,
    meeting: Meeting,
    *,
    text: str,
    owner: User,
    due_on: date | None = None,
    form_token: str = "",
) -> ActionItem:
    """Who does what by when; it stays in the owner's to-do list until done."""
    access.require(access.meeting_rights(user, meeting), write=True)
    require_live_key(meeting.data_key)
    text = clean_text(text, label=_("Action item"), limit=MAX_ACTION_CHARS)
    staff_of(meeting.organisation_id, [owner])
    due = None
    if due_on is not None:
        due = not_before(
            require_date(due_on, label=_("Due on")),
            meeting.held_on,
            label=_("Due on"),
            earliest_label=_("the meeting"),
        )

    def create() -> ActionItem:
        item = ActionItem(meeting=meeting, owner=owner, due_on=due)
        item.text = text
        item.save(force_insert=True)
        audit.record(
            "meeting.action_item_added",
            actor=user,
            target=meeting,
            organisation_id=meeting.organisation_id,
            item=item.pk,
            owner=owner.pk,
        )
        return item

    return once(user, form_token, ActionItem, create)


@transaction.atomic
def complete_action_item(user: User, item: ActionItem) -> bool:
    """Done; False if it was done already (another tab, a colleague)."""
    if item.owner_id != user.pk:
        access.require(access.meeting_rights(user, item.meeting), write=True)
    done = ActionItem.objects.filter(pk=item.pk, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=user
    )
    if not done:
        return False
    audit.record(
        "meeting.action_item_done",
        actor=user,
        target=item.meeting,
        organisation_id=item.meeting.organisation_id,
        item=item.pk,
    )
    return True
