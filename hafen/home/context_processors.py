from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from hafen.accounts import access
from hafen.home.roles import ROLE_PAGES


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The role pages the person may open, in a stable order, for the main navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": []}
    held = access.roles_of(user)
    return {"nav_roles": [page for role, page in ROLE_PAGES.items() if role in held]}
