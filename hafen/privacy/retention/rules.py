"""Retention periods per organisation and kind: the defaults, the rule in force, validation."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hafen.privacy.retention.models import CategoryStatute, RetentionKind, RetentionRule
from hafen.privacy.retention.statutes import MINIMUMS

# Longer than any statute asks for (the 100th birthday of a newborn) by a margin:
# a period beyond this is a typing error, not a decision.
MAX_PERIOD_DAYS = 200 * 366


@dataclass(frozen=True)
class Period:
    kind: str
    days: int
    legal_basis: str | Promise
    is_default: bool
    rule_id: int | None = None


DEFAULTS: dict[str, Period] = {
    RetentionKind.CONVERSATION: Period(
        RetentionKind.CONVERSATION,
        90,
        _(
            "Art. 5 Abs. 1 lit. e, Art. 17 Abs. 1 lit. a DSGVO: the anonymous counselling "
            "ends when nobody writes any more."
        ),
        is_default=True,
    ),
    RetentionKind.CASE: Period(
        RetentionKind.CASE,
        3653,
        _(
            "Art. 5 Abs. 1 lit. e DSGVO, § 84 Abs. 2 SGB X: ten years after closing, for "
            "questions and claims about the help given."
        ),
        is_default=True,
    ),
    RetentionKind.AUDIT: Period(
        RetentionKind.AUDIT,
        3 * 365 + 1,
        _("Art. 5 Abs. 2 DSGVO, § 78a SGB X: proof of lawful processing for three years."),
        is_default=True,
    ),
}


def period_for(organisation_id: int, kind: str) -> Period:
    rule = RetentionRule.objects.filter(organisation_id=organisation_id, kind=kind).first()
    if rule is None:
        return DEFAULTS[kind]
    return Period(kind, rule.period_days, rule.legal_basis, is_default=False, rule_id=rule.pk)


def periods_of(organisation_ids: set[int], kind: str) -> dict[int, Period]:
    """The period in force for each organisation (one query)."""
    found = {
        rule.organisation_id: Period(
            kind, rule.period_days, rule.legal_basis, is_default=False, rule_id=rule.pk
        )
        for rule in RetentionRule.objects.filter(organisation_id__in=organisation_ids, kind=kind)
    }
    return {org_id: found.get(org_id, DEFAULTS[kind]) for org_id in organisation_ids}


def validate_period(organisation_id: int | None, kind: str, days: object) -> int:
    """The period as a number of days, or ValidationError with a message for the DSB."""
    if kind not in RetentionKind.values:
        raise ValidationError(_("This kind of data has no retention period."), code="kind")
    if isinstance(days, bool) or not isinstance(days, int):
        try:
            days = int(str(days).strip())
        except ValueError:
            raise ValidationError(
                _("Please give the period as a whole number of days."), code="not_a_number"
            ) from None
    if days <= 0:
        raise ValidationError(_("The period must be at least one day."), code="too_short")
    if days > MAX_PERIOD_DAYS:
        raise ValidationError(
            _("A period of more than 200 years is not a retention period."), code="too_long"
        )
    if kind == RetentionKind.CASE and organisation_id is not None:
        _check_statutes(organisation_id, days)
    return days


def _check_statutes(organisation_id: int, days: int) -> None:
    """A rule for closed case files may not be shorter than a fixed statutory minimum
    that applies to one of the organisation's categories."""
    marked = CategoryStatute.objects.filter(
        category__organisation_id=organisation_id
    ).select_related("category")
    for marking in marked:
        minimum = MINIMUMS[marking.statute]
        years = minimum.years_after_closing
        if years is not None and days < years * 365:
            raise ValidationError(
                _(
                    "Files of the category %(category)s must be kept at least %(years)s "
                    "years after closing (%(citation)s)."
                ),
                code="statutory_minimum",
                params={
                    "category": marking.category.name,
                    "years": years,
                    "citation": minimum.citation,
                },
            )
