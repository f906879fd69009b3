"""Background work of public communication (run by `hafen worker`): thin wrappers of actions."""

from __future__ import annotations

from django_tasks import task

from hafen.lib.periodic import every
from hafen.publishing import newsletter
from hafen.publishing.actions import delivering


@every(minutes=1)
@task()
def publish_due_deliveries() -> int:
    """Publish every approved post whose time has come; catches up after a pause."""
    return delivering.publish_due()


@task()
def send_newsletter_confirmation(subscriber_id: int) -> bool:
    """The double opt-in mail of one new subscription."""
    return newsletter.send_confirmation(subscriber_id)


@every(minutes=10)
@task()
def newsletter_housekeeping() -> list[int]:
    """Confirmation mails that failed for a passing reason; unconfirmed addresses forgotten."""
    return list(newsletter.housekeeping())
