"""Reminders before a review is due, notices, and housekeeping (run by ``tasks``).

A review is reminded once: the conditional UPDATE of ``reminded_at`` lets exactly one
of two workers (or two runs) send it. Reviews are found by the partial index of
pending, unreminded reviews, so a worker that was down catches up on its next run:
a review already overdue and never reminded is reminded then.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hafen.accounts.models import Role, User
from hafen.cases import notify
from hafen.cases.models import LIVE_PLAN_STATES, Case, CaseStatus, Notice, Review, SubmittedForm
from hafen.privacy import audit

BATCH = 200
FORM_TOKENS_KEPT = timedelta(days=2)


def reminder_days() -> int:
    return int(settings.HAFEN_REVIEW_REMINDER_DAYS)


def review_recipients(case: Case) -> list[User]:
    """The case's responsible staff; if it has none (left, deactivated), its team's counsellors."""
    responsible = list(case.responsible.filter(is_active=True))
    if responsible:
        return responsible
    return list(
        User.objects.filter(
            is_active=True, memberships__team_id=case.team_id, memberships__role=Role.COUNSELLOR
        ).distinct()
    )


def pending_reminders(now: datetime | None = None, days: int | None = None) -> Q:
    """Reviews of live plans in open or paused cases, not held, not reminded, due soon."""
    day = timezone.localdate(now)
    horizon = day + timedelta(days=reminder_days() if days is None else days)
    return Q(
        held_on__isnull=True,
        reminded_at__isnull=True,
        due_on__lte=horizon,
        plan__status__in=LIVE_PLAN_STATES,
        plan__case__status__in=[CaseStatus.OPEN, CaseStatus.PAUSED],
    )


def send_review_reminders(*, now: datetime | None = None, days: int | None = None) -> int:
    """Notify the responsible staff of every review due within ``days``; returns how many."""
    now = now or timezone.now()
    condition = pending_reminders(now, days)
    sent = 0
    while True:
        batch = list(
            Review.objects.filter(condition)
            .select_related("plan__case")
            .order_by("due_on", "pk")[:BATCH]
        )
        if not batch:
            return sent
        for review in batch:
            if _remind(review, now):
                sent += 1


@transaction.atomic
def _remind(review: Review, now: datetime) -> bool:
    claimed = Review.objects.filter(pk=review.pk, reminded_at__isnull=True).update(reminded_at=now)
    if not claimed:
        return False  # another worker was faster
    case = review.plan.case
    recipients = review_recipients(case)
    notify.review_due(review, case, recipients)
    audit.record(
        "case.review_reminded",
        target=case,
        organisation_id=case.organisation_id,
        review=review.pk,
        recipients=len(recipients),
    )
    return True


@transaction.atomic
def mark_notice_read(user: User, notice_id: int) -> bool:
    return bool(
        Notice.objects.filter(pk=notice_id, recipient=user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    )


def forget_old_form_tokens(now: datetime | None = None) -> int:
    """Tokens only guard against a form sent twice within minutes; keep them two days."""
    cutoff = (now or timezone.now()) - FORM_TOKENS_KEPT
    deleted, _rows = SubmittedForm.objects.filter(created_at__lt=cutoff).delete()
    return deleted
