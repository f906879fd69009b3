from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


class RequireTwoFactorMiddleware:
    """Where the organisation requires two-factor login, a session without a confirmed
    second factor can only reach the security page (to set one up or confirm it),
    logout, language switching and static files."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.organisation_id is not None
            and user.organisation.require_two_factor
            and not user.is_verified()
        ):
            allowed = (
                reverse("accounts:security"),
                reverse("accounts:logout"),
                reverse("set_language"),
                "/static/",
            )
            if not request.path.startswith(allowed):
                return redirect("accounts:security")
        return self.get_response(request)
