"""The network on the start page (registered in ``apps.NetworkConfig.ready``): the
person's cooperation agreements due for review, and the next events."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from hafen.accounts.models import User
from hafen.network import access, queries
from hafen.network.reminders import REMINDER_DAYS


def network_panel(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not isinstance(user, User) or not access.may_read(user):
        return {}
    assert user.organisation_id is not None
    return {
        "agreements": queries.agreements_due(user, days=REMINDER_DAYS),
        "events": list(queries.upcoming_events(user.organisation_id)[:3]),
    }
