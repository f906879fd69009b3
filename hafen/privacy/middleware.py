"""Turns a read of a restricted case file into the page that asks for the purpose."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from hafen.cases.access import CaseRestricted


class RestrictedCaseMiddleware:
    """``cases.access`` raises ``CaseRestricted`` wherever a restricted case is read
    without the reasoned step (page, entry, plan, download); every such door leads to
    the one form (``privacy:restricted_read``), and back to the page asked for."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, CaseRestricted):
            return None
        url = reverse("privacy:restricted_read", args=[exception.case.pk])
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(url)
