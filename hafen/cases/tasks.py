"""Scheduled work of case documentation (run by `hafen worker`): thin wrappers of actions."""

from __future__ import annotations

from django_tasks import task

from hafen.cases.actions import reminders
from hafen.lib.periodic import every


@every(hours=1)
@task()
def remind_due_reviews() -> int:
    """Tell the responsible staff once, a few days ahead, that a plan review is due."""
    return reminders.send_review_reminders()


@every(hours=6)
@task()
def forget_old_form_tokens() -> int:
    return reminders.forget_old_form_tokens()
