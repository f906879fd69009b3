"""The start-page panel of the strategy (registered in ``apps.StrategyConfig.ready``).

Every staff member sees the signed strategy's goals and who signed it; leadership and
communications staff also see a draft waiting, and leadership a review date that came.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from hafen.accounts.models import User
from hafen.strategy import access, queries
from hafen.strategy.models import Goal

PANEL_GOALS = 5


def strategy_panel(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not isinstance(user, User) or user.organisation_id is None:
        return {}
    signed = queries.signed_version(user.organisation_id)
    may_edit = access.may_edit(user)
    context: dict[str, Any] = {"shown": True, "signed": signed, "may_edit": may_edit}
    if signed is not None:
        context["goals"] = list(
            Goal.objects.filter(version=signed, facility__isnull=True).order_by("position", "pk")[
                :PANEL_GOALS
            ]
        )
        context["review_due"] = (
            access.may_sign(user)
            and signed.review_on is not None
            and signed.review_on <= timezone.localdate()
        )
    if may_edit:
        context["draft"] = queries.draft_version(user.organisation_id)
    return context
