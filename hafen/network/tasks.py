"""Scheduled work of the partner network (run by `hafen worker`): thin wrappers."""

from __future__ import annotations

from django_tasks import task

from hafen.lib.periodic import every
from hafen.network import reminders, retention


@every(hours=24)
@task()
def remind_agreement_reviews() -> int:
    """Tell the responsible person once, two weeks ahead, that an agreement is due."""
    return reminders.send_agreement_reminders()


@every(hours=24)
@task()
def delete_expired_contacts() -> int:
    """Delete contact persons nobody confirmed for longer than the retention rule."""
    return retention.delete_expired_contacts()
