"""Scheduled work of the strategy (run by `hafen worker`): thin wrappers of actions."""

from __future__ import annotations

from django_tasks import task

from hafen.lib.periodic import every
from hafen.strategy import actions


@every(days=1)
@task()
def remind_strategy_reviews() -> int:
    """Tell leadership once when the review date of the signed strategy has come."""
    return actions.send_review_reminders()
