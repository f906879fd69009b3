"""Start-page panels of the bridge (registered in ``apps.BridgeConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from hafen.bridge import queries


def funnel_panel(request: HttpRequest) -> dict[str, Any]:
    """The last 30 days' funnel totals of the person's organisation: counts only."""
    organisation_id = getattr(request.user, "organisation_id", None)
    if organisation_id is None:
        return {}
    return {"funnel": queries.funnel(organisation_id, *queries.period())}
