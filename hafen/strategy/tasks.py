"""Scheduled work of the strategy (run by `hafen worker`): thin wrappers of actions."""

from __future__ import annotations

from django_tasks import task

from hafen.lib.periodic import every
from hafen.strategy import actions
from hafen.strategy.figures import tally


@every(days=1)
@task()
def remind_strategy_reviews() -> int:
    """Tell leadership once when the review date of the signed strategy has come."""
    return actions.send_review_reminders()


@every(days=1)
@task()
def count_closed_months() -> int:
    """Count and keep the figures of each team's recently closed months, so that the first
    figures page of a new month reads them instead of counting a year of messages."""
    return tally.tally_closed_months()


@every(minutes=10)
@task()
def count_open_months() -> int:
    """Recount every team's open months, so that figures pages read instead of count."""
    return tally.refresh_open_months()
