"""Background work of public communication (run by `hafen worker`): thin wrappers of actions."""

from __future__ import annotations

from django_tasks import task

from hafen.lib.periodic import every
from hafen.publishing.actions import delivering


@every(minutes=1)
@task()
def publish_due_deliveries() -> int:
    """Publish every approved post whose time has come; catches up after a pause."""
    return delivering.publish_due()
