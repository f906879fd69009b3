"""Reminders before a review is due go out once, through the task framework, to the
responsible staff; the to-do list shows due reviews and open action items."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from hafen.cases import actions, queries
from hafen.cases.models import Notice, NoticeKind, PlanKind, Review
from hafen.cases.validation import today
from hafen.privacy.models import AuditEntry

REMIND_TASK = "hafen.cases.tasks.remind_due_reviews"


def _plan(user, case):
    return actions.create_plan(user, case, kind=PlanKind.HELP_PLAN, title="Hilfeplan")


@pytest.mark.django_db
def test_a_review_due_within_a_week_is_reminded_once(
    case, counsellor, colleague, django_capture_on_commit_callbacks
) -> None:
    plan = _plan(counsellor, case)
    soon = actions.schedule_review(counsellor, plan, today() + timedelta(days=5))
    later = actions.schedule_review(counsellor, plan, today() + timedelta(days=30))
    counsellor.email = "jonas@example.org"
    counsellor.save(update_fields=["email"])

    with django_capture_on_commit_callbacks(execute=True):
        assert actions.send_review_reminders() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.send_review_reminders() == 0

    notice = Notice.objects.get()
    assert (notice.recipient, notice.kind, notice.review_id) == (
        counsellor,
        NoticeKind.REVIEW_DUE,
        soon.pk,
    )
    assert Review.objects.get(pk=soon.pk).reminded_at is not None
    assert Review.objects.get(pk=later.pk).reminded_at is None
    assert [m.to for m in mail.outbox] == [["jonas@example.org"]]
    assert case.reference in mail.outbox[0].body and "Leon" not in mail.outbox[0].body
    assert "Hilfeplan" not in mail.outbox[0].body  # the plan's title is content
    reminded = AuditEntry.objects.get(action="case.review_reminded")
    assert reminded.actor_id is None and reminded.details["recipients"] == 1


@pytest.mark.django_db
def test_the_horizon_can_be_chosen_and_held_or_closed_ones_are_left_alone(
    case, counsellor, time_machine
) -> None:
    plan = _plan(counsellor, case)
    far = actions.schedule_review(counsellor, plan, today() + timedelta(days=20))
    held = actions.schedule_review(counsellor, plan, today() + timedelta(days=2))
    actions.record_review(counsellor, held, held_on=today(), ratings={})

    assert actions.send_review_reminders() == 0
    assert actions.send_review_reminders(days=21) == 1
    assert Review.objects.get(pk=far.pk).reminded_at is not None

    other = actions.schedule_review(counsellor, plan, today() + timedelta(days=3))
    actions.update_case(counsellor, case, status="closed")
    assert actions.send_review_reminders() == 0
    assert Review.objects.get(pk=other.pk).reminded_at is None


@pytest.mark.django_db
def test_without_responsible_staff_the_teams_counsellors_are_reminded(
    case, counsellor, colleague
) -> None:
    plan = _plan(counsellor, case)
    actions.schedule_review(counsellor, plan, today() + timedelta(days=1))
    actions.update_case(counsellor, case, responsible=[])

    actions.send_review_reminders()

    assert set(Notice.objects.values_list("recipient__username", flat=True)) == {
        "fachkraft",
        "lena",
    }


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_reminders_that_fell_due_while_it_was_down(org, time_machine) -> None:
    from hafen.accounts.models import Team, User
    from hafen.cases.tests.conftest import open_case

    counsellor = User.objects.get(username="fachkraft")
    case = open_case(counsellor, Team.objects.get(slug="jugendberatung"))
    plan = _plan(counsellor, case)
    review = actions.schedule_review(counsellor, plan, today() + timedelta(days=20))

    call_command("worker", once=True)
    assert not Notice.objects.exists()

    # Three weeks later the review is even overdue; nobody was reminded yet.
    time_machine.move_to(timezone.now() + timedelta(days=21))
    call_command("worker", once=True)

    assert Notice.objects.get().review_id == review.pk
    runs = DBTaskResult.objects.filter(task_path=REMIND_TASK, status=TaskResultStatus.SUCCESSFUL)
    assert runs.count() == 2

    time_machine.move_to(timezone.now() + timedelta(hours=2))
    call_command("worker", once=True)
    assert Notice.objects.count() == 1


@pytest.mark.django_db
def test_due_reviews_are_in_the_to_do_list_of_the_responsible(case, counsellor, colleague):
    plan = _plan(counsellor, case)
    soon = actions.schedule_review(counsellor, plan, today() + timedelta(days=3))
    actions.schedule_review(counsellor, plan, today() + timedelta(days=60))

    todo = queries.due_reviews(counsellor)

    assert [(t.review_id, t.case_reference, t.overdue) for t in todo] == [
        (soon.pk, case.reference, False)
    ]
    # Lena is in the team but Jonas is responsible: not hers.
    assert queries.due_reviews(colleague) == []

    actions.record_review(counsellor, soon, held_on=today(), ratings={})
    assert queries.due_reviews(counsellor) == []


@pytest.mark.django_db
def test_notices_are_marked_read_by_their_recipient_only(case, counsellor, colleague) -> None:
    plan = _plan(counsellor, case)
    actions.schedule_review(counsellor, plan, today() + timedelta(days=3))
    actions.send_review_reminders()
    notice = queries.unread_notices(counsellor)[0]

    assert not actions.mark_notice_read(colleague, notice.pk)
    assert actions.mark_notice_read(counsellor, notice.pk)
    assert queries.unread_notices(counsellor) == []
