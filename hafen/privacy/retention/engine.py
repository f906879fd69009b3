"""The retention run: what is due (``plan_run``, the dry run) and deleting it (``apply_run``).

A record is due when its kind's period has passed (conversations: since the last
message; case files: since closing) and nothing blocks it (``blockers``). Open or
paused cases are never due. Audit entries past their period are removed from the
start of the chain, leaving a checkpoint (where verification starts) anchored by an
``audit.pruned`` entry, so the chain still verifies afterwards.

``apply_run`` deletes one record per transaction, checking again under a row lock
that it is still due, so a run that is interrupted, repeated, or overlaps with a
hold placed meanwhile deletes nothing it should not. Every deletion writes a
content-free ``DeletionLog`` row and an audit entry as proof.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.utils import timezone

from hafen.privacy import audit
from hafen.privacy.models import AuditCheckpoint, AuditEntry, AuditHead, prune_audit_entries
from hafen.privacy.retention import erase
from hafen.privacy.retention.blockers import case_blockers
from hafen.privacy.retention.models import (
    CategoryStatute,
    DeletionCause,
    DeletionLog,
    LegalHold,
    ProcessingRestriction,
    RetentionFacts,
    RetentionKind,
    RetentionRun,
)
from hafen.privacy.retention.rules import DEFAULTS, Period, periods_of

if TYPE_CHECKING:
    from hafen.accounts.models import User
    from hafen.cases.models import Case
    from hafen.conversations.models import Conversation

BATCH_SIZE = 500

# A closed case as the plan sees it: id, category id, closing date.
Candidate = tuple[int, int | None, date | None]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Planned:
    kind: str
    record_id: int
    organisation_id: int
    period_days: int
    legal_basis: str
    rule_id: int | None  # None: the default of the kind


@dataclass
class RunReport:
    planned: int = 0
    deleted: Counter[str] = field(default_factory=Counter)
    # Due in the plan but not any more when its turn came (a hold, a new message).
    skipped: list[tuple[str, int]] = field(default_factory=list)
    failed: list[tuple[str, int]] = field(default_factory=list)

    @property
    def total_deleted(self) -> int:
        return sum(self.deleted.values())


def _organisation_ids() -> set[int]:
    from hafen.accounts.models import Organisation

    return set(Organisation.objects.values_list("pk", flat=True))


def _planned(kind: str, record_id: int, org_id: int, period: Period) -> Planned:
    return Planned(kind, record_id, org_id, period.days, str(period.legal_basis), period.rule_id)


# -- conversations -------------------------------------------------------------------------


def _due_conversations(org_id: int, period: Period, now: datetime) -> models.QuerySet[Conversation]:
    from hafen.conversations.models import Conversation

    cutoff = now - timedelta(days=period.days)
    # A conversation linked to a case file is part of it and kept with it.
    return Conversation.objects.filter(
        team__facility__organisation_id=org_id, last_activity_at__lte=cutoff
    ).exclude(case_links__isnull=False)


def _plan_conversations(now: datetime) -> Iterator[Planned]:
    kind = RetentionKind.CONVERSATION
    for org_id, period in sorted(periods_of(_organisation_ids(), kind).items()):
        ids = _due_conversations(org_id, period, now).order_by("pk").values_list("pk", flat=True)
        for pk in ids.iterator(chunk_size=BATCH_SIZE):
            yield _planned(kind, pk, org_id, period)


# -- case files ----------------------------------------------------------------------------


def _blocked_case_ids(candidates: list[Candidate], today: date) -> set[int]:
    """Which of (case id, category id, closed on) a hold, restriction or statute keeps."""
    case_ids = [pk for pk, _category, _closed in candidates]
    held = set(
        LegalHold.objects.filter(case_id__in=case_ids, lifted_at__isnull=True).values_list(
            "case_id", flat=True
        )
    )
    restricted = set(
        ProcessingRestriction.objects.filter(
            case_id__in=case_ids, lifted_at__isnull=True
        ).values_list("case_id", flat=True)
    )
    statutes = dict(
        CategoryStatute.objects.filter(
            category_id__in={category for _pk, category, _closed in candidates}
        ).values_list("category_id", "statute")
    )
    births = dict(
        RetentionFacts.objects.filter(case_id__in=case_ids).values_list("case_id", "birth_date")
    )
    return {
        pk
        for pk, category, closed_on in candidates
        if case_blockers(
            held=pk in held,
            restricted=pk in restricted,
            statute=statutes.get(category) if category else None,
            closed_on=closed_on,
            birth_date=births.get(pk),
            today=today,
        )
    }


def _due_cases(org_id: int, period: Period, today: date) -> models.QuerySet[Case]:
    from hafen.cases.models import Case, CaseStatus

    cutoff = today - timedelta(days=period.days)
    return Case.objects.filter(
        organisation_id=org_id, status=CaseStatus.CLOSED, closed_on__lte=cutoff
    )


def _plan_cases(today: date) -> Iterator[Planned]:
    kind = RetentionKind.CASE
    for org_id, period in sorted(periods_of(_organisation_ids(), kind).items()):
        rows = (
            _due_cases(org_id, period, today)
            .order_by("pk")
            .values_list("pk", "category_id", "closed_on")
        )
        batch: list[Candidate] = []
        for row in rows.iterator(chunk_size=BATCH_SIZE):
            batch.append(row)
            if len(batch) == BATCH_SIZE:
                yield from _unblocked(batch, today, org_id, period)
                batch = []
        yield from _unblocked(batch, today, org_id, period)


def _unblocked(
    batch: list[Candidate], today: date, org_id: int, period: Period
) -> Iterator[Planned]:
    if not batch:
        return
    blocked = _blocked_case_ids(batch, today)
    for pk, _category, _closed in batch:
        if pk not in blocked:
            yield _planned(RetentionKind.CASE, pk, org_id, period)


# -- audit entries -------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditPlan:
    """Audit entries up to ``up_to_seq`` are past their period (``count`` of them)."""

    up_to_seq: int
    count: int
    period: Period


def audit_period() -> Period:
    """The chain is one for the installation, so its oldest entries go only when every
    organisation's period has passed: the longest period applies (with one organisation,
    simply its own)."""
    periods = list(periods_of(_organisation_ids(), RetentionKind.AUDIT).values())
    return max(periods, key=lambda p: p.days) if periods else DEFAULTS[RetentionKind.AUDIT]


def plan_audit(now: datetime | None = None) -> AuditPlan | None:
    now = now or timezone.now()
    period = audit_period()
    cutoff = now - timedelta(days=period.days)
    old = AuditEntry.objects.filter(at__lte=cutoff)
    found = old.aggregate(last=models.Max("seq"), count=models.Count("seq"))
    if not found["last"]:
        return None
    return AuditPlan(found["last"], found["count"], period)


def _prune_audit(plan: AuditPlan, now: datetime) -> int:
    """Remove the old entries, leave a checkpoint where the chain now starts, and anchor
    it with an ``audit.pruned`` entry; all in one transaction under the chain's lock."""
    with transaction.atomic():
        AuditHead.objects.select_for_update().filter(pk=1).first()
        last = AuditEntry.objects.filter(seq=plan.up_to_seq).first()
        if last is None:  # pruned by an overlapping run meanwhile
            return 0
        first_seq = AuditEntry.objects.order_by("seq").values_list("seq", flat=True).first()
        AuditCheckpoint.objects.create(seq=last.seq, entry_hash=last.entry_hash)
        removed = prune_audit_entries(last.seq)
        audit.record(
            "audit.pruned",
            up_to=last.seq,
            hash=last.entry_hash,
            count=removed,
            period_days=plan.period.days,
        )
        DeletionLog.objects.create(
            kind=RetentionKind.AUDIT,
            record_id=f"{first_seq}-{last.seq}",
            cause=DeletionCause.RETENTION,
            rule_period_days=plan.period.days,
            legal_basis=str(plan.period.legal_basis),
            deleted_at=now,
        )
    return removed


# -- the run -------------------------------------------------------------------------------


def plan_run(now: datetime | None = None) -> list[Planned]:
    """The dry run: every record the next run would delete, with the rule that deletes it."""
    now = now or timezone.now()
    return [*_plan_conversations(now), *_plan_cases(timezone.localdate(now))]


def _period(item: Planned) -> Period:
    return Period(item.kind, item.period_days, item.legal_basis, False, item.rule_id)


def _conversation_still_due(item: Planned, now: datetime) -> Conversation | None:
    """The conversation, locked, if it is still due under the planned rule."""
    rows = _due_conversations(item.organisation_id, _period(item), now)
    # Lock only the conversation, not the team and facility rows of the join.
    return rows.select_for_update(of=("self",)).filter(pk=item.record_id).first()


def _case_still_due(item: Planned, now: datetime) -> Case | None:
    """The case, locked, if it is still due and nothing blocks it (a hold placed meanwhile)."""
    today = timezone.localdate(now)
    rows = _due_cases(item.organisation_id, _period(item), today)
    case = rows.select_for_update().filter(pk=item.record_id).first()
    if case is None or _blocked_case_ids([(case.pk, case.category_id, case.closed_on)], today):
        return None
    return case


def _prove(item: Planned, record: models.Model, data_key_id: uuid.UUID, now: datetime) -> None:
    """The content-free proof: an audit entry and a row of the deletion log."""
    audit.record(
        "retention.deleted",
        target=record,
        organisation_id=item.organisation_id,
        kind=item.kind,
        period_days=item.period_days,
        rule_id=item.rule_id,
    )
    DeletionLog.objects.create(
        kind=item.kind,
        record_id=str(item.record_id),
        organisation_id=item.organisation_id,
        data_key_id=data_key_id,
        cause=DeletionCause.RETENTION,
        rule_period_days=item.period_days,
        legal_basis=item.legal_basis,
        deleted_at=now,
    )


def _delete_one(item: Planned, now: datetime) -> bool:
    """Delete one planned record in its own transaction; False when it is no longer due."""
    with transaction.atomic():
        if item.kind == RetentionKind.CONVERSATION:
            conversation = _conversation_still_due(item, now)
            if conversation is None:
                return False
            _prove(item, conversation, conversation.data_key_id, now)
            erase.erase_conversation(conversation)
        else:
            case = _case_still_due(item, now)
            if case is None:
                return False
            _prove(item, case, case.data_key_id, now)
            erase.erase_case(case)
    return True


def apply_run(now: datetime | None = None, *, started_by: User | None = None) -> RunReport:
    """Delete everything the plan names, one record per transaction; safe to repeat.

    ``started_by``: the DSB who pressed "delete now"; None for the daily schedule.
    Each run leaves a ``RetentionRun`` row with its counts, for the cockpit.
    """
    now = now or timezone.now()
    run = RetentionRun.objects.create(started_at=timezone.now(), started_by=started_by)
    report = RunReport()
    for item in plan_run(now):
        report.planned += 1
        try:
            deleted = _delete_one(item, now)
        except Exception:
            # One broken record must not stop every other deletion; the next run retries.
            logger.exception("Retention could not delete %s %s", item.kind, item.record_id)
            report.failed.append((item.kind, item.record_id))
            continue
        if deleted:
            report.deleted[item.kind] += 1
        else:
            report.skipped.append((item.kind, item.record_id))
    audit_plan = plan_audit(now)
    if audit_plan is not None:
        try:
            run.deleted_audit = _prune_audit(audit_plan, now)
        except Exception:
            logger.exception("Retention could not prune the audit log")
            report.failed.append((RetentionKind.AUDIT, audit_plan.up_to_seq))
    run.finished_at = timezone.now()
    run.planned = report.planned
    run.deleted_conversations = report.deleted[RetentionKind.CONVERSATION]
    run.deleted_cases = report.deleted[RetentionKind.CASE]
    run.skipped = len(report.skipped)
    run.failed = len(report.failed)
    run.save()
    if report.planned or run.deleted_audit:
        audit.record(
            "retention.run",
            actor=started_by,
            deleted_conversations=run.deleted_conversations,
            deleted_cases=run.deleted_cases,
            deleted_audit_entries=run.deleted_audit,
            skipped=run.skipped,
            failed=run.failed,
        )
    return report
