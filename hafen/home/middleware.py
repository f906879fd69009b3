from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class PermissionsPolicyMiddleware:
    """Hafen needs no camera, microphone, location or payment: the browser may refuse them."""

    header = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response
