from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

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


class RejectInvalidUtf8Middleware:
    """A form body that is not UTF-8 gets a clear 400 instead of being read as Latin-1.

    Django would otherwise decode it leniently and store mojibake (a user name
    "lvogel\xff") that nobody typed. Checked before any view sees the form.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            try:
                unquote_to_bytes(request.body.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                from hafen.home.errors import bad_request

                return bad_request(request)
        return self.get_response(request)
