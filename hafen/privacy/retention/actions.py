"""Writes of retention, each checked and audited: rules, legal holds, restriction, facts.

Only the data-protection officer and leadership of the record's organisation may
change these; the audit entries name the record and never carry a reason's text.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hafen.accounts.access import has_role
from hafen.accounts.models import Role, User
from hafen.cases.models import Case, CaseCategory
from hafen.privacy import audit
from hafen.privacy.retention.models import (
    MAX_LEGAL_BASIS_CHARS,
    MAX_REASON_CHARS,
    CategoryStatute,
    LegalHold,
    ProcessingRestriction,
    RestrictedRead,
    RetentionFacts,
    RetentionRule,
    Statute,
)
from hafen.privacy.retention.rules import validate_period

MIN_REASON_CHARS = 10

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrOrPromise


def _require_privacy_role(user: User, organisation_id: int | None) -> None:
    if (
        organisation_id is None
        or user.organisation_id != organisation_id
        or not has_role(user, Role.DPO, Role.LEADERSHIP)
    ):
        raise PermissionDenied


def _text(raw: object, *, limit: int, minimum: int, message: StrOrPromise) -> str:
    text = raw.strip() if isinstance(raw, str) else ""
    if len(text) < minimum:
        raise ValidationError(message, code="required")
    if len(text) > limit:
        raise ValidationError(
            _("Please keep it under %(limit)s characters."),
            code="too_long",
            params={"limit": limit},
        )
    return text


def set_rule(user: User, kind: str, days: object, legal_basis: object) -> RetentionRule:
    """Create or change the user's organisation's rule for a kind of data."""
    organisation_id = user.organisation_id
    _require_privacy_role(user, organisation_id)
    assert organisation_id is not None  # checked above
    period = validate_period(organisation_id, kind, days)
    basis = _text(
        legal_basis,
        limit=MAX_LEGAL_BASIS_CHARS,
        minimum=1,
        message=_("Please name the legal basis of the period."),
    )
    with transaction.atomic():
        rule, _created = RetentionRule.objects.update_or_create(
            organisation_id=organisation_id,
            kind=kind,
            defaults={"period_days": period, "legal_basis": basis, "updated_by": user},
        )
        audit.record(
            "retention.rule_set",
            actor=user,
            target=rule,
            organisation_id=organisation_id,
            kind=kind,
            period_days=period,
        )
    return rule


def place_hold(user: User, case: Case, reason: object) -> LegalHold:
    """A Löschsperre on the case: nothing deletes it until the hold is lifted."""
    _require_privacy_role(user, case.organisation_id)
    text = _text(
        reason,
        limit=MAX_REASON_CHARS,
        minimum=MIN_REASON_CHARS,
        message=_("Please give the reason for the legal hold (at least 10 characters)."),
    )
    with transaction.atomic():
        hold = LegalHold.objects.create(case=case, reason=text, placed_by=user)
        audit.record(
            "retention.hold_placed", actor=user, target=case, organisation_id=case.organisation_id
        )
    return hold


def lift_hold(user: User, hold: LegalHold, now: datetime | None = None) -> bool:
    """Lift the hold; False if it was lifted already (a second click changes nothing)."""
    case = Case.objects.get(pk=hold.case_id)
    _require_privacy_role(user, case.organisation_id)
    with transaction.atomic():
        lifted = LegalHold.objects.filter(pk=hold.pk, lifted_at__isnull=True).update(
            lifted_at=now or timezone.now(), lifted_by=user
        )
        if lifted:
            audit.record(
                "retention.hold_lifted",
                actor=user,
                target=case,
                organisation_id=case.organisation_id,
            )
    return bool(lifted)


def restrict_processing(user: User, case: Case, reason: object) -> ProcessingRestriction:
    """Restrict processing of the case (Art. 18 DSGVO, § 84 SGB X)."""
    _require_privacy_role(user, case.organisation_id)
    text = _text(
        reason,
        limit=MAX_REASON_CHARS,
        minimum=MIN_REASON_CHARS,
        message=_("Please give the reason for the restriction (at least 10 characters)."),
    )
    with transaction.atomic():
        restriction = ProcessingRestriction.objects.create(
            case=case, reason=text, restricted_by=user
        )
        audit.record(
            "retention.restricted", actor=user, target=case, organisation_id=case.organisation_id
        )
    return restriction


def lift_restriction(
    user: User, restriction: ProcessingRestriction, now: datetime | None = None
) -> bool:
    """End the restriction; False if it had ended already."""
    case = Case.objects.get(pk=restriction.case_id)
    _require_privacy_role(user, case.organisation_id)
    with transaction.atomic():
        lifted = ProcessingRestriction.objects.filter(
            pk=restriction.pk, lifted_at__isnull=True
        ).update(lifted_at=now or timezone.now(), lifted_by=user)
        if lifted:
            audit.record(
                "retention.restriction_lifted",
                actor=user,
                target=case,
                organisation_id=case.organisation_id,
            )
    return bool(lifted)


def set_birth_date(user: User, case: Case, birth_date: date | None) -> RetentionFacts:
    """Record the client's date of birth, which § 9b SGB VIII periods depend on."""
    _require_privacy_role(user, case.organisation_id)
    if birth_date is not None and birth_date > timezone.localdate():
        raise ValidationError(_("The date of birth cannot be in the future."), code="future")
    with transaction.atomic():
        facts, _created = RetentionFacts.objects.update_or_create(
            case=case, defaults={"birth_date": birth_date}
        )
        audit.record(
            "retention.birth_date_set",
            actor=user,
            target=case,
            organisation_id=case.organisation_id,
        )
    return facts


def mark_category(user: User, category: CaseCategory, statute: str | None) -> None:
    """Say which statutory minimum the files of a category fall under (None: none)."""
    _require_privacy_role(user, category.organisation_id)
    if statute is not None and statute not in Statute.values:
        raise ValidationError(_("Unknown statute."), code="statute")
    with transaction.atomic():
        if statute is None:
            CategoryStatute.objects.filter(category=category).delete()
        else:
            CategoryStatute.objects.update_or_create(
                category=category, defaults={"statute": statute}
            )
        audit.record(
            "retention.category_marked",
            actor=user,
            target=category,
            organisation_id=category.organisation_id,
            statute=statute or "",
        )


RESTRICTED_READ_MINUTES = 60


def open_restricted(user: User, case: Case, reason: object) -> RestrictedRead:
    """The reasoned step to read a restricted case (Art. 18 Abs. 2 DSGVO): for one hour,
    for this person only, audited with the time it ends (never the reason's text).

    Only who could read the case without the restriction may take it; writing stays
    closed until the DPO lifts the restriction.
    """
    from hafen.cases import access

    rights = access.case_rights(user, case)
    if not rights.restricted:
        raise PermissionDenied
    text = _text(
        reason,
        limit=MAX_REASON_CHARS,
        minimum=MIN_REASON_CHARS,
        message=_("Please state why you must read the restricted file (at least 10 characters)."),
    )
    with transaction.atomic():
        grant = RestrictedRead.objects.create(
            case=case,
            user=user,
            reason=text,
            expires_at=timezone.now() + timedelta(minutes=RESTRICTED_READ_MINUTES),
        )
        audit.record(
            "retention.restricted_read",
            actor=user,
            target=case,
            organisation_id=case.organisation_id,
            minutes=RESTRICTED_READ_MINUTES,
            via=rights.via,
        )
    return grant
