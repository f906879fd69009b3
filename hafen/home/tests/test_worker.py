"""Background and scheduled work through django-tasks: `hafen worker` finds what is due."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from hafen.lib import periodic

pytestmark = pytest.mark.django_db(transaction=True)

SESSIONS_TASK = "hafen.accounts.tasks.clear_expired_sessions"


def _session(expire_in: timedelta) -> Session:
    return Session.objects.create(
        session_key=f"k{Session.objects.count()}x" * 4,
        session_data="e30:",
        expire_date=timezone.now() + expire_in,
    )


def test_the_worker_runs_the_due_housekeeping_and_schedules_the_next_run() -> None:
    expired = _session(-timedelta(minutes=5))
    alive = _session(timedelta(minutes=20))

    call_command("worker", once=True)

    assert not Session.objects.filter(pk=expired.pk).exists()
    assert Session.objects.filter(pk=alive.pk).exists()
    runs = DBTaskResult.objects.filter(task_path=SESSIONS_TASK)
    assert runs.filter(status=TaskResultStatus.SUCCESSFUL).count() == 1
    assert runs.filter(status=TaskResultStatus.READY).count() == 0

    periodic.schedule_due()
    upcoming = runs.get(status=TaskResultStatus.READY)
    assert upcoming.run_after >= timezone.now() + timedelta(minutes=59)


def test_scheduling_twice_enqueues_once() -> None:
    periodic.load_task_modules()

    periodic.schedule_due()
    periodic.schedule_due()

    assert DBTaskResult.objects.filter(task_path=SESSIONS_TASK).count() == 1


def test_a_worker_that_was_down_catches_up_at_once() -> None:
    call_command("worker", once=True)
    periodic.schedule_due()
    stale = _session(timedelta(minutes=30))

    # The worker was down for a day; the hourly run is overdue and runs now.
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        call_command("worker", once=True)
        assert not Session.objects.filter(pk=stale.pk).exists()
    assert (
        DBTaskResult.objects.filter(
            task_path=SESSIONS_TASK, status=TaskResultStatus.SUCCESSFUL
        ).count()
        == 2
    )
