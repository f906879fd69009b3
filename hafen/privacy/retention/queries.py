"""Read side of retention for the DSB's pages: rules in force, the dry run of one
organisation, holds and restrictions, one case's privacy state. No content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from hafen.cases.models import Case, CaseCategory
from hafen.privacy.retention import engine
from hafen.privacy.retention.blockers import erasure_blockers
from hafen.privacy.retention.models import (
    CategoryStatute,
    LegalHold,
    ProcessingRestriction,
    RetentionFacts,
    RetentionKind,
    RetentionRule,
    RetentionRun,
)
from hafen.privacy.retention.rules import Period, period_for

PREVIEW_LIMIT = 500


@dataclass(frozen=True)
class RuleRow:
    kind: str
    label: str
    period: Period
    rule: RetentionRule | None


def rules_of(organisation_id: int) -> list[RuleRow]:
    rules = {
        rule.kind: rule for rule in RetentionRule.objects.filter(organisation_id=organisation_id)
    }
    return [
        RuleRow(kind, str(label), period_for(organisation_id, kind), rules.get(kind))
        for kind, label in RetentionKind.choices
    ]


@dataclass(frozen=True)
class PreviewRow:
    kind: str
    label: str
    record: str  # a conversation's number or a case's file number, never content
    period_days: int
    legal_basis: str


@dataclass(frozen=True)
class Preview:
    rows: list[PreviewRow]
    total: int
    conversations: int
    cases: int
    audit_entries: int = 0  # the oldest entries of the chain (for every organisation)

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)


def preview(organisation_id: int, now: datetime | None = None) -> Preview:
    """What the next run would delete in this organisation (the dry run), first 500 shown."""
    planned = [item for item in engine.plan_run(now) if item.organisation_id == organisation_id]
    shown = planned[:PREVIEW_LIMIT]
    case_ids = [item.record_id for item in shown if item.kind == RetentionKind.CASE]
    references = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "reference"))
    labels = dict(RetentionKind.choices)
    rows = [
        PreviewRow(
            item.kind,
            str(labels[item.kind]),
            references.get(item.record_id, "")
            if item.kind == RetentionKind.CASE
            else f"#{item.record_id}",
            item.period_days,
            item.legal_basis,
        )
        for item in shown
    ]
    kinds = [item.kind for item in planned]
    audit_plan = engine.plan_audit(now)
    return Preview(
        rows,
        len(planned),
        kinds.count(RetentionKind.CONVERSATION),
        kinds.count(RetentionKind.CASE),
        audit_plan.count if audit_plan else 0,
    )


def runs(limit: int = 10) -> QuerySet[RetentionRun]:
    """The latest retention runs (they span every organisation: counts only)."""
    return RetentionRun.objects.select_related("started_by").order_by("-started_at", "-pk")[:limit]


def active_holds(organisation_id: int) -> QuerySet[LegalHold]:
    return (
        LegalHold.objects.filter(case__organisation_id=organisation_id, lifted_at__isnull=True)
        .select_related("case", "placed_by")
        .order_by("case__reference", "-placed_at")
    )


def active_restrictions(organisation_id: int) -> QuerySet[ProcessingRestriction]:
    return (
        ProcessingRestriction.objects.filter(
            case__organisation_id=organisation_id, lifted_at__isnull=True
        )
        .select_related("case", "restricted_by")
        .order_by("case__reference", "-restricted_at")
    )


def categories(organisation_id: int) -> list[tuple[CaseCategory, str]]:
    """Every case category of the organisation with its statutory minimum ("" for none)."""
    marked = dict(
        CategoryStatute.objects.filter(category__organisation_id=organisation_id).values_list(
            "category_id", "statute"
        )
    )
    return [
        (category, marked.get(category.pk, ""))
        for category in CaseCategory.objects.filter(organisation_id=organisation_id).order_by(
            "name"
        )
    ]


def find_case(organisation_id: int, reference: str) -> Case | None:
    return Case.objects.filter(organisation_id=organisation_id, reference=reference).first()


@dataclass(frozen=True)
class CasePrivacy:
    case: Case
    blockers: list[str]
    holds: list[LegalHold]
    restrictions: list[ProcessingRestriction]
    birth_date: object
    statute: str

    @property
    def held(self) -> bool:
        return any(hold.lifted_at is None for hold in self.holds)

    @property
    def restricted(self) -> bool:
        return any(item.lifted_at is None for item in self.restrictions)


def case_privacy(case: Case) -> CasePrivacy:
    """One case's retention state for the DSB: what stops its deletion and why."""
    facts = RetentionFacts.objects.filter(case=case).first()
    statute = CategoryStatute.objects.filter(category_id=case.category_id).first()
    return CasePrivacy(
        case=case,
        blockers=[str(reason) for reason in erasure_blockers(case, today=timezone.localdate())],
        holds=list(LegalHold.objects.filter(case=case).select_related("placed_by", "lifted_by")),
        restrictions=list(
            ProcessingRestriction.objects.filter(case=case).select_related(
                "restricted_by", "lifted_by"
            )
        ),
        birth_date=facts.birth_date if facts else None,
        statute=statute.get_statute_display() if statute else "",
    )
