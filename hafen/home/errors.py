"""Error pages in the user's language, in the Hafen layout, without details."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _page(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    return render(request, "error.html", {"title": title, "text": text}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400, _("Bad request"), _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 403, _("Not allowed"), _("You do not have access to this page."))


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, _("Not found"), _("This page does not exist (any more)."))


def server_error(request: HttpRequest) -> HttpResponse:
    # No template context processors here: the database may be what failed.
    from django.template import loader

    body = loader.get_template("error_500.html").render()
    return HttpResponse(body, status=500)
