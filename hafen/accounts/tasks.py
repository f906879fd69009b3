"""Scheduled housekeeping of the accounts app (run by `hafen worker`)."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks import task

from hafen.lib.periodic import every


@every(hours=1)
@task()
def clear_expired_sessions() -> int:
    """Expired sessions are personal data without a purpose: remove them."""
    deleted, _ = Session.objects.filter(expire_date__lte=timezone.now()).delete()
    return deleted
