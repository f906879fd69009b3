"""What forbids deleting a record: legal holds, restriction, statutory minimums.

``erasure_blockers`` answers an erasure request (Art. 17 DSGVO) and the retention
engine alike, so a rule and a request are stopped by the same reasons.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from hafen.privacy.retention.models import (
    CategoryStatute,
    LegalHold,
    ProcessingRestriction,
    RetentionFacts,
)
from hafen.privacy.retention.statutes import MINIMUMS, kept_until


def has_legal_hold(case: models.Model) -> bool:
    return LegalHold.objects.filter(case_id=case.pk, lifted_at__isnull=True).exists()


def is_restricted(case: models.Model) -> bool:
    """Processing of the case is restricted (Art. 18 DSGVO, § 84 SGB X)."""
    return ProcessingRestriction.objects.filter(case_id=case.pk, lifted_at__isnull=True).exists()


def statutory_blockers(
    statute: str | None, *, closed_on: date | None, birth_date: date | None, today: date
) -> list[str]:
    """The legal reason a statute still keeps the file on ``today``, if any."""
    if statute is None:
        return []
    minimum = MINIMUMS[statute]
    until = kept_until(minimum, closed_on=closed_on, birth_date=birth_date)
    if until is not None and until <= today:
        return []
    reasons = [str(minimum.reason)]
    if minimum.until_age is not None and birth_date is None:
        # No birth date known: the 100th birthday cannot be computed, so the file stays.
        reasons.append(_("The date of birth is not recorded, so the end of the period is unknown."))
    return reasons


def case_blockers(
    *,
    held: bool,
    restricted: bool,
    statute: str | None,
    closed_on: date | None,
    birth_date: date | None,
    today: date,
) -> list[str]:
    reasons = []
    if held:
        reasons.append(_("A legal hold (Löschsperre) is in place."))
    if restricted:
        reasons.append(_("Processing is restricted (Art. 18 DSGVO, § 84 SGB X)."))
    reasons += statutory_blockers(statute, closed_on=closed_on, birth_date=birth_date, today=today)
    return reasons


def erasure_blockers(record: models.Model, *, today: date | None = None) -> list[str]:
    """Why ``record`` (a case or a conversation) must not be erased now; empty = it may be."""
    today = today or timezone.localdate()
    label = record._meta.label
    if label == "conversations.Conversation":
        if record.case_links.exists():  # type: ignore[attr-defined]
            return [_("The conversation belongs to a case file and is kept with it.")]
        return []
    if label != "cases.Case":
        raise TypeError(f"No erasure rules for {label}.")
    marking = CategoryStatute.objects.filter(category_id=record.category_id).first()  # type: ignore[attr-defined]
    facts = RetentionFacts.objects.filter(case_id=record.pk).first()
    return case_blockers(
        held=has_legal_hold(record),
        restricted=is_restricted(record),
        statute=marking.statute if marking else None,
        closed_on=record.closed_on,  # type: ignore[attr-defined]
        birth_date=facts.birth_date if facts else None,
        today=today,
    )
