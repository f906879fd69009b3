"""Periodic tasks on top of django-tasks, which has none of its own.

A task marked ``@every(hours=1)`` is enqueued by ``hafen worker`` with ``run_after``
set to one interval after its last finished run. Due work is found from the task
table itself, so a worker that was down catches up at once, and several workers
never enqueue the same periodic task twice (one pending row at a time, checked
under a lock on PostgreSQL and by SQLite's single writer).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

T = TypeVar("T", bound=Task[Any, Any])

REGISTRY: dict[str, tuple[Task[Any, Any], timedelta]] = {}


def every(**interval: float) -> Callable[[T], T]:
    def register(task: T) -> T:
        REGISTRY[task.module_path] = (task, timedelta(**interval))
        return task

    return register


def schedule_due(now: datetime | None = None) -> int:
    """Enqueue every periodic task that has no pending run; returns how many were enqueued."""
    now = now or timezone.now()
    enqueued = 0
    for path, (task, interval) in REGISTRY.items():
        with transaction.atomic():
            rows = DBTaskResult.objects.select_for_update().filter(task_path=path)
            pending = rows.filter(
                status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
            ).exists()
            if pending:
                continue
            last = rows.filter(finished_at__isnull=False).order_by("-finished_at").first()
            run_after = now if last is None else max(now, last.finished_at + interval)
            task.using(run_after=run_after).enqueue()
            enqueued += 1
    return enqueued


def load_task_modules() -> None:
    """Import every app's tasks module so that its periodic tasks register."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("hafen.") and find_spec(f"{config.name}.tasks"):
            import_module(f"{config.name}.tasks")
