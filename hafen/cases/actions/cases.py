"""Writes to the case file itself: opening, changing, closing, linking conversations,
emergency access, disclosures, and the organisation's categories and settings.

Every function checks the person's rights again, validates, writes and audits in
one transaction (the audit entry names records and fields, never content).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hafen.accounts import access as staff_access
from hafen.accounts.models import Membership, Role, Team, User
from hafen.cases import access, notify
from hafen.cases.actions._common import (
    KEEP,
    Keep,
    has_org_role,
    manages_cases,
    once,
    require_case,
    require_live_key,
    staff_of,
)
from hafen.cases.models import (
    MAX_CONTACT_CHARS,
    MAX_NAME_CHARS,
    MAX_PSEUDONYM_CHARS,
    MAX_REASON_CHARS,
    Case,
    CaseCategory,
    CaseConversationLink,
    CaseSettings,
    CaseStatus,
    Disclosure,
    DisclosureKind,
    ReferenceCounter,
)
from hafen.cases.validation import (
    choice,
    clean_line,
    clean_text,
    not_before,
    not_in_future,
    require_date,
    today,
)
from hafen.conversations import access as conversation_access
from hafen.conversations.models import Conversation
from hafen.privacy import audit, crypto

# Who may be responsible for a case file: professionals, and leadership when it
# takes a case on itself (DESIGN: leadership sees content only when assigned).
RESPONSIBLE_ROLES = (Role.COUNSELLOR, Role.LEADERSHIP)
MIN_REASON_CHARS = 10


# -- the organisation's configuration ---------------------------------------------------


def _require_manager(user: User) -> int:
    if not manages_cases(user):
        raise PermissionDenied
    assert user.organisation_id is not None
    return user.organisation_id


@transaction.atomic
def create_category(user: User, name: str) -> CaseCategory:
    organisation_id = _require_manager(user)
    name = clean_line(name, label=_("Name"), limit=120)
    if CaseCategory.objects.filter(organisation_id=organisation_id, name__iexact=name).exists():
        raise ValidationError(_("A category with this name exists already."), code="duplicate")
    try:
        with transaction.atomic():
            category = CaseCategory.objects.create(organisation_id=organisation_id, name=name)
    except IntegrityError:
        raise ValidationError(
            _("A category with this name exists already."), code="duplicate"
        ) from None
    audit.record(
        "case_category.created", actor=user, target=category, organisation_id=organisation_id
    )
    return category


@transaction.atomic
def set_category_active(user: User, category: CaseCategory, active: bool) -> bool:
    organisation_id = _require_manager(user)
    if category.organisation_id != organisation_id:
        raise PermissionDenied
    if category.is_active == active:
        return False
    category.is_active = active
    category.save(update_fields=["is_active"])
    audit.record(
        "case_category.changed",
        actor=user,
        target=category,
        organisation_id=organisation_id,
        active=active,
    )
    return True


@transaction.atomic
def set_case_settings(user: User, *, volunteers_see_cases: bool) -> CaseSettings:
    organisation_id = _require_manager(user)
    settings, _created = CaseSettings.objects.select_for_update().get_or_create(
        organisation_id=organisation_id
    )
    if settings.volunteers_see_cases != volunteers_see_cases:
        settings.volunteers_see_cases = volunteers_see_cases
        settings.save(update_fields=["volunteers_see_cases"])
        audit.record(
            "case_settings.changed",
            actor=user,
            target=settings,
            organisation_id=organisation_id,
            volunteers_see_cases=volunteers_see_cases,
        )
    return settings


# -- opening and changing a case --------------------------------------------------------


def _next_reference(organisation_id: int, year: int) -> str:
    """F-2026-0042: the next free number of the year, under a row lock on the counter."""
    try:
        with transaction.atomic():
            ReferenceCounter.objects.get_or_create(organisation_id=organisation_id, year=year)
    except IntegrityError:  # made by a parallel request in the same instant
        pass
    counter = ReferenceCounter.objects.select_for_update().get(
        organisation_id=organisation_id, year=year
    )
    while True:
        counter.last += 1
        reference = f"F-{year}-{counter.last:04d}"
        if not Case.objects.filter(organisation_id=organisation_id, reference=reference).exists():
            break
    counter.save(update_fields=["last"])
    return reference


def _category(organisation_id: int, category: CaseCategory | None) -> CaseCategory | None:
    if category is None:
        return None
    if category.organisation_id != organisation_id or not category.is_active:
        raise ValidationError(_("Please choose one of the offered categories."), code="category")
    return category


def _responsible(organisation_id: int, users: Iterable[User]) -> list[User]:
    return staff_of(organisation_id, list(users), roles=RESPONSIBLE_ROLES)


def open_case(
    user: User,
    team: Team,
    *,
    pseudonym: str,
    name: str = "",
    contact: str = "",
    category: CaseCategory | None = None,
    opened_on: date | None = None,
    responsible: Iterable[User] | None = None,
    form_token: str = "",
) -> Case:
    """A new case file in ``team``; its opener is responsible unless others are named."""
    if not Membership.objects.filter(user=user, team=team, role=Role.COUNSELLOR).exists():
        raise PermissionDenied
    organisation_id = team.organisation_id
    pseudonym = clean_line(pseudonym, label=_("Pseudonym"), limit=MAX_PSEUDONYM_CHARS)
    name = clean_line(name, label=_("Name"), limit=MAX_NAME_CHARS, required=False)
    contact = clean_text(contact, label=_("Contact"), limit=MAX_CONTACT_CHARS, required=False)
    opened = not_in_future(
        require_date(opened_on or today(), label=_("Opened on")), label=_("Opened on")
    )
    chosen = _category(organisation_id, category)
    people = _responsible(organisation_id, [user] if responsible is None else responsible)

    @transaction.atomic
    def create() -> Case:
        case = Case(
            organisation_id=organisation_id,
            team=team,
            data_key=crypto.create_data_key("case"),
            reference=_next_reference(organisation_id, today().year),
            pseudonym=pseudonym,
            category=chosen,
            opened_on=opened,
            created_by=user,
        )
        case.name_sealed = None
        case.contact_sealed = None
        if name:
            case.name = name
        if contact:
            case.contact = contact
        case.save(force_insert=True)
        case.responsible.set(people)
        audit.record(
            "case.opened",
            actor=user,
            target=case,
            organisation_id=organisation_id,
            team=team.pk,
            responsible=len(people),
        )
        return case

    return once(user, form_token, Case, create)


def _lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("data_key", "team__facility")
        .get(pk=case.pk)
    )


@transaction.atomic
def update_case(
    user: User,
    case: Case,
    *,
    pseudonym: str | Keep = KEEP,
    name: str | Keep = KEEP,
    contact: str | Keep = KEEP,
    category: CaseCategory | Keep | None = KEEP,
    responsible: Iterable[User] | Keep = KEEP,
    status: str | Keep = KEEP,
    closed_on: date | None = None,
) -> list[str]:
    """Change what is given; returns the names of the fields that changed.

    Closing takes ``closed_on`` (default today): not before the opening, not in the
    future. Reopening or pausing clears the closing date.
    """
    require_case(user, case, write=True)
    locked = _lock(case)
    changed: list[str] = []
    if not isinstance(pseudonym, Keep):
        value = clean_line(pseudonym, label=_("Pseudonym"), limit=MAX_PSEUDONYM_CHARS)
        if value != locked.pseudonym:
            locked.pseudonym = value
            changed.append("pseudonym")
    for field, raw, limit, label in (
        ("name", name, MAX_NAME_CHARS, _("Name")),
        ("contact", contact, MAX_CONTACT_CHARS, _("Contact")),
    ):
        if isinstance(raw, Keep):
            continue
        cleaner = clean_line if field == "name" else clean_text
        value = cleaner(raw, label=label, limit=limit, required=False)
        if value != getattr(locked, field):
            if value:
                setattr(locked, field, value)
            else:
                setattr(locked, f"{field}_sealed", None)
            changed.append(field)
    if not isinstance(category, Keep):
        chosen = category
        if category is not None and category.pk != locked.category_id:
            chosen = _category(locked.organisation_id, category)
        if (chosen.pk if chosen else None) != locked.category_id:
            locked.category = chosen
            changed.append("category")
    if not isinstance(status, Keep):
        changed += _set_status(locked, status, closed_on)
    fields = [f"{f}_sealed" if f in ("name", "contact") else f for f in changed]
    if fields:
        locked.save(update_fields=fields)
    if not isinstance(responsible, Keep):
        people = _responsible(locked.organisation_id, responsible)
        if {p.pk for p in people} != set(locked.responsible.values_list("pk", flat=True)):
            locked.responsible.set(people)
            changed.append("responsible")
    if changed:
        audit.record(
            "case.changed",
            actor=user,
            target=locked,
            organisation_id=locked.organisation_id,
            fields=",".join(changed),
            status=locked.status,
        )
    return changed


def _set_status(case: Case, status: str, closed_on: date | None) -> list[str]:
    status = choice(status, CaseStatus, label=_("Status"))
    if status == CaseStatus.CLOSED:
        closing = require_date(closed_on or today(), label=_("Closed on"))
        not_in_future(closing, label=_("Closed on"))
        not_before(
            closing, case.opened_on, label=_("Closed on"), earliest_label=_("the opening date")
        )
        if case.status == status and case.closed_on == closing:
            return []
        case.status, case.closed_on = status, closing
        return ["status", "closed_on"]
    if case.status == status:
        return []
    case.status, case.closed_on = status, None
    return ["status", "closed_on"]


# -- conversations ----------------------------------------------------------------------


def _linkable(user: User, case: Case, conversation: Conversation) -> None:
    require_case(user, case, write=True)
    if not conversation_access.may_access(user, conversation.pk) or (
        conversation.team.facility.organisation_id != case.organisation_id
    ):
        raise ValidationError(_("This conversation cannot be linked."), code="conversation")


@transaction.atomic
def link_conversation(user: User, case: Case, conversation: Conversation) -> bool:
    """Link a chat conversation to the case; False if it was linked already.

    The person must be able to write the case and read the conversation.
    """
    _linkable(user, case, conversation)
    try:
        with transaction.atomic():
            _link, created = CaseConversationLink.objects.get_or_create(
                case=case, conversation=conversation, defaults={"linked_by": user}
            )
    except IntegrityError:  # the same link made in another tab at the same moment
        created = False
    if created:
        audit.record(
            "case.conversation_linked",
            actor=user,
            target=case,
            organisation_id=case.organisation_id,
            conversation=conversation.pk,
        )
    return created


@transaction.atomic
def unlink_conversation(user: User, case: Case, conversation: Conversation) -> bool:
    require_case(user, case, write=True)
    deleted, _rows = CaseConversationLink.objects.filter(
        case=case, conversation=conversation
    ).delete()
    if deleted:
        audit.record(
            "case.conversation_unlinked",
            actor=user,
            target=case,
            organisation_id=case.organisation_id,
            conversation=conversation.pk,
        )
    return bool(deleted)


# -- emergency access and disclosures ---------------------------------------------------


def _reason(raw: object, *, required: bool = True) -> str:
    reason = clean_text(raw, label=_("Reason"), limit=MAX_REASON_CHARS, required=required)
    if reason and len(reason) < MIN_REASON_CHARS:
        raise ValidationError(
            _("Please give a reason of at least %(min)d characters.") % {"min": MIN_REASON_CHARS},
            code="reason",
        )
    return reason


@transaction.atomic
def break_glass_case(user: User, reference: str, reason: str, minutes: int = 60) -> Case:
    """Emergency access to the case file with this number, for a while, with a reason.

    Uses the platform's break-glass (a grant for the case's team, audited there); the
    case-level audit entry says which case it was for, and every data-protection
    officer of the organisation gets a notice (in Hafen, and by e-mail if they have one).
    Counsellors and leadership may ask for it; the reason is kept with the grant.
    """
    organisation_id = user.organisation_id
    if organisation_id is None or not has_org_role(
        user, organisation_id, Role.COUNSELLOR, Role.LEADERSHIP
    ):
        raise PermissionDenied
    reason = _reason(reason)
    if len(reason) > 500:
        raise ValidationError(_("Reason is too long: at most 500 characters."), code="too_long")
    wanted = " ".join(str(reference).split()).upper()[:20]
    case = (
        Case.objects.select_related("team__facility")
        .filter(organisation_id=organisation_id, reference=wanted)
        .first()
    )
    if case is None:
        raise ValidationError(_("There is no case file with this number."), code="reference")
    if access.case_rights(user, case).read:
        raise ValidationError(_("You can already open this case file."), code="needless")
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise ValidationError(_("Please give the duration in minutes."), code="minutes")
    minutes = max(1, min(minutes, staff_access.BREAK_GLASS_MAX_MINUTES))
    grant = staff_access.break_glass(user, case.team, reason, minutes)
    audit.record(
        "case.break_glass",
        actor=user,
        target=case,
        organisation_id=organisation_id,
        grant=grant.pk,
        minutes=minutes,
    )
    dpos = User.objects.filter(
        is_active=True,
        memberships__organisation_id=organisation_id,
        memberships__role=Role.DPO,
    ).distinct()
    notify.break_glass(grant, case, user, dpos)
    return case


@transaction.atomic
def record_disclosure(
    user: User, case: Case, *, kind: str, include_restricted: bool, reason: str = ""
) -> Disclosure:
    """Record that the case leaves Hafen (a PDF export, a referral), before it does.

    Entries entrusted to the person or from third parties go along only with a
    recorded reason (§65 SGB VIII); the export then shows only those the person may read.
    """
    require_case(user, case, write=False)
    require_live_key(case.data_key)
    kind = choice(kind, DisclosureKind, label=_("Kind"))
    reason = _reason(reason, required=include_restricted)
    disclosure = Disclosure(case=case, kind=kind, includes_restricted=include_restricted, by=user)
    disclosure.reason_sealed = None
    if reason:
        disclosure.reason = reason
    disclosure.save(force_insert=True)
    audit.record(
        "case.disclosed",
        actor=user,
        target=case,
        organisation_id=case.organisation_id,
        kind=kind,
        includes_restricted=include_restricted,
        disclosure=disclosure.pk,
    )
    return disclosure
