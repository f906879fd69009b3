"""The one door to case files, plans and minutes: views, exports and tasks ask here.

Who may read and write a case file (need-to-know, DESIGN "Privacy model"):

- **counsellors of the case's team** read and write;
- **responsible staff** (``Case.responsible``) read and write, from whatever team;
- **volunteers** of the team read, but only if the organisation allows it
  (``CaseSettings.volunteers_see_cases``, off by default), and never write: case
  documentation is professional work;
- **break-glass**: whoever holds an active grant for the case's team
  (``accounts.access.break_glass``, reasoned, time-limited, audited; for cases via
  ``actions.break_glass_case``, which also notifies the data-protection officer)
  reads and writes until the grant ends;
- **leadership** sees figures (``queries.case_figures``), not content, unless also
  responsible; the DPO, communications, admins, other teams and other
  organisations see nothing: every door answers 404, so nobody learns which ids exist.

Below the case: entries entrusted to the author personally (§65 SGB VIII, §203
StGB) and third-party information are readable only by their author and the named
substitute — not by the team, not by break-glass. Everybody else sees that such an
entry exists and that it is withheld (``entry_visible``), nothing of its text.

**Restriction of processing** (Art. 18 DSGVO, § 84 SGB X, placed by the DPO): the
case stays stored, but even its team reads it only after stating the purpose
(``privacy.retention.actions.open_restricted``: a short, audited ``RestrictedRead``),
and nobody writes to it until the restriction is lifted. Without that step the doors
raise ``CaseRestricted``, which the privacy middleware turns into the page that asks
for the reason.

Every read of case content is audited (``record_case_read``), never the content.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from hafen.accounts.models import BreakGlass, Membership, Role, User
from hafen.cases.models import (
    RESTRICTED,
    ActionItem,
    Case,
    CaseEntry,
    CaseSettings,
    Meeting,
    Plan,
)
from hafen.privacy import audit
from hafen.privacy.retention.models import ProcessingRestriction, RestrictedRead


@dataclass(frozen=True)
class CaseRights:
    read: bool = False
    write: bool = False
    # Why: "team", "responsible", "break_glass" or "volunteer" (for the audit log).
    via: str = ""
    # Processing is restricted: ``read`` only through a stated purpose, never ``write``.
    restricted: bool = False


class CaseRestricted(PermissionDenied):
    """The person may see the case, but its processing is restricted (Art. 18 DSGVO):
    reading needs the reasoned step first."""

    def __init__(self, case: Case) -> None:
        super().__init__("Processing of this case file is restricted.")
        self.case = case


NO_RIGHTS = CaseRights()


def _staff(user: object) -> User | None:
    if isinstance(user, User) and user.is_active and user.organisation_id is not None:
        return user
    return None


def _organisation_id(staff: User) -> int:
    assert staff.organisation_id is not None  # _staff let only organisation staff through
    return staff.organisation_id


def volunteers_see_cases(organisation_id: int) -> bool:
    return CaseSettings.objects.filter(
        organisation_id=organisation_id, volunteers_see_cases=True
    ).exists()


def active_grant_team_ids(user: User) -> set[int]:
    return set(
        BreakGlass.objects.filter(user=user, expires_at__gt=timezone.now()).values_list(
            "team_id", flat=True
        )
    )


def case_rights(user: object, case: Case) -> CaseRights:
    """What ``user`` may do with ``case``; a few queries, independent of the case's size."""
    rights = _plain_rights(user, case)
    if not rights.read or not _is_restricted(case.pk):
        return rights
    assert isinstance(user, User)  # only staff have rights
    return CaseRights(
        read=_has_restricted_read(user, case.pk), write=False, via=rights.via, restricted=True
    )


def _is_restricted(case_id: int) -> bool:
    return ProcessingRestriction.objects.filter(case_id=case_id, lifted_at__isnull=True).exists()


def _has_restricted_read(user: User, case_id: int) -> bool:
    return RestrictedRead.objects.filter(
        case_id=case_id, user=user, expires_at__gt=timezone.now()
    ).exists()


def _restricted_unread(staff: User) -> QuerySet[ProcessingRestriction]:
    """Restrictions in force on cases that ``staff`` has not opened by the reasoned step."""
    opened = RestrictedRead.objects.filter(user=staff, expires_at__gt=timezone.now())
    return ProcessingRestriction.objects.filter(lifted_at__isnull=True).exclude(
        case_id__in=opened.values("case_id")
    )


def _plain_rights(user: object, case: Case) -> CaseRights:
    staff = _staff(user)
    if staff is None or staff.organisation_id != case.organisation_id:
        return NO_RIGHTS
    roles = set(
        Membership.objects.filter(user=staff, team_id=case.team_id).values_list("role", flat=True)
    )
    if Role.COUNSELLOR in roles:
        return CaseRights(read=True, write=True, via="team")
    if Case.responsible.through.objects.filter(case_id=case.pk, user_id=staff.pk).exists():
        return CaseRights(read=True, write=True, via="responsible")
    if case.team_id in active_grant_team_ids(staff):
        return CaseRights(read=True, write=True, via="break_glass")
    if Role.VOLUNTEER in roles and volunteers_see_cases(case.organisation_id):
        return CaseRights(read=True, write=False, via="volunteer")
    return NO_RIGHTS


def _team_ids(staff: User, role: str) -> set[int]:
    return set(
        Membership.objects.filter(user=staff, role=role, team__isnull=False).values_list(
            "team_id", flat=True
        )
    )


def _cases(staff: User, *, write: bool) -> QuerySet[Case]:
    team_ids = _team_ids(staff, Role.COUNSELLOR) | active_grant_team_ids(staff)
    if not write and volunteers_see_cases(_organisation_id(staff)):
        team_ids |= _team_ids(staff, Role.VOLUNTEER)
    responsible = Case.responsible.through.objects.filter(user_id=staff.pk).values("case_id")
    # A subquery, not a join over the responsible table: no duplicates, no DISTINCT.
    return Case.objects.filter(organisation_id=_organisation_id(staff)).filter(
        Q(team_id__in=team_ids) | Q(pk__in=responsible)
    )


def cases_listed_for(user: object) -> QuerySet[Case]:
    """Every case ``user`` may find in a list (file number, pseudonym), restricted ones too."""
    staff = _staff(user)
    return Case.objects.none() if staff is None else _cases(staff, write=False)


def cases_visible_to(user: object) -> QuerySet[Case]:
    """Every case whose content ``user`` may read (the same rule as ``case_rights``):
    a restricted case only after the reasoned step."""
    staff = _staff(user)
    if staff is None:
        return Case.objects.none()
    return _cases(staff, write=False).exclude(pk__in=_restricted_unread(staff).values("case_id"))


def cases_writable_by(user: object) -> QuerySet[Case]:
    staff = _staff(user)
    if staff is None:
        return Case.objects.none()
    restricted = ProcessingRestriction.objects.filter(lifted_at__isnull=True)
    return _cases(staff, write=True).exclude(pk__in=restricted.values("case_id"))


def parse_id(value: object) -> int:
    """An id from a URL or a form; anything that is not one is simply not found."""
    if isinstance(value, bool):
        raise Http404
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < number < 2**63:
        raise Http404
    return number


def require(rights: CaseRights, *, write: bool, case: Case | None = None) -> None:
    """404 for who may not read; 403 for who reads but may not write (a volunteer, or
    anybody while processing is restricted); ``CaseRestricted`` for who would read a
    restricted case without the reasoned step."""
    if rights.restricted and not rights.read and case is not None:
        raise CaseRestricted(case)
    if not rights.read:
        raise Http404
    if write and not rights.write:
        raise PermissionDenied


def access_case(user: object, case_id: object, *, write: bool = False) -> Case:
    """The case if ``user`` may read it (and write it, with ``write``); Http404 otherwise."""
    case = (
        Case.objects.select_related("team__facility", "data_key", "category")
        .filter(pk=parse_id(case_id))
        .first()
    )
    if case is None:
        raise Http404
    require(case_rights(user, case), write=write, case=case)
    return case


def entry_visible(user: object, entry: CaseEntry) -> bool:
    """May ``user`` read this entry's text? The caller has checked access to the case."""
    if entry.confidentiality not in RESTRICTED:
        return True
    staff = _staff(user)
    return staff is not None and staff.pk in (entry.author_id, entry.substitute_id)


def may_correct(user: object, entry: CaseEntry, rights: CaseRights) -> bool:
    return rights.write and entry_visible(user, entry)


def access_entry(user: object, entry_id: object, *, write: bool = False) -> CaseEntry:
    """An entry whose text ``user`` may read; a withheld entry is not found (404)."""
    entry = (
        CaseEntry.objects.select_related("case__team__facility", "case__data_key")
        .filter(pk=parse_id(entry_id))
        .first()
    )
    if entry is None:
        raise Http404
    require(case_rights(user, entry.case), write=write, case=entry.case)
    if not entry_visible(user, entry):
        raise Http404
    return entry


def access_plan(user: object, plan_id: object, *, write: bool = False) -> Plan:
    plan = (
        Plan.objects.select_related("case__team__facility", "case__data_key")
        .filter(pk=parse_id(plan_id))
        .first()
    )
    if plan is None:
        raise Http404
    require(case_rights(user, plan.case), write=write, case=plan.case)
    return plan


# -- minutes ----------------------------------------------------------------------------


def meeting_rights(user: object, meeting: Meeting) -> CaseRights:
    """Counsellors of the team, the attendees and break-glass holders read and write."""
    staff = _staff(user)
    if staff is None or staff.organisation_id != meeting.organisation_id:
        return NO_RIGHTS
    if meeting.team_id in _team_ids(staff, Role.COUNSELLOR):
        return CaseRights(read=True, write=True, via="team")
    if Meeting.attendees.through.objects.filter(meeting_id=meeting.pk, user_id=staff.pk).exists():
        return CaseRights(read=True, write=True, via="attendee")
    if meeting.team_id in active_grant_team_ids(staff):
        return CaseRights(read=True, write=True, via="break_glass")
    return NO_RIGHTS


def meetings_visible_to(user: object) -> QuerySet[Meeting]:
    staff = _staff(user)
    if staff is None:
        return Meeting.objects.none()
    team_ids = _team_ids(staff, Role.COUNSELLOR) | active_grant_team_ids(staff)
    attended = Meeting.attendees.through.objects.filter(user_id=staff.pk).values("meeting_id")
    return Meeting.objects.filter(organisation_id=_organisation_id(staff)).filter(
        Q(team_id__in=team_ids) | Q(pk__in=attended)
    )


def access_meeting(user: object, meeting_id: object, *, write: bool = False) -> Meeting:
    meeting = (
        Meeting.objects.select_related("team__facility", "data_key")
        .filter(pk=parse_id(meeting_id))
        .first()
    )
    if meeting is None:
        raise Http404
    require(meeting_rights(user, meeting), write=write)
    return meeting


def access_action_item(user: object, item_id: object) -> ActionItem:
    """An action item for its owner, or for whoever may write the meeting's minutes."""
    item = (
        ActionItem.objects.select_related("meeting__data_key", "meeting__team__facility")
        .filter(pk=parse_id(item_id))
        .first()
    )
    if item is None:
        raise Http404
    staff = _staff(user)
    if staff is not None and item.owner_id == staff.pk:
        return item
    require(meeting_rights(user, item.meeting), write=True)
    return item


# -- the audit of reads -----------------------------------------------------------------


@transaction.atomic
def record_case_read(user: User, case: Case, *, part: str = "page", via: str = "") -> None:
    """``user`` read content of ``case`` (its page, history, a plan, a search hit, a file)."""
    audit.record(
        "case.read",
        actor=user,
        target=case,
        organisation_id=case.organisation_id,
        part=part,
        via=via,
    )
