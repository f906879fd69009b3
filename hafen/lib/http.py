"""Request types for views behind a login decorator, and the way back after a form."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

if TYPE_CHECKING:
    from hafen.accounts.models import User


class StaffRequest(HttpRequest):
    """A request whose user a decorator has already checked to be logged-in staff."""

    user: User


def posted_next(request: HttpRequest) -> str:
    """The page a form asked to return to (``next``), if it is one of this site's."""
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return ""
