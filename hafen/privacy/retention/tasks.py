"""The daily retention run (``hafen worker``): a thin wrapper of the engine.

Registered when ``hafen.privacy.tasks`` imports this module (the worker imports each
app's ``tasks`` module).
"""

from __future__ import annotations

from django_tasks import task

from hafen.lib.periodic import every
from hafen.privacy.retention import engine


@every(hours=24)
@task()
def apply_retention() -> int:
    """Delete what the retention rules say is due; returns how many records went."""
    return engine.apply_run().total_deleted
