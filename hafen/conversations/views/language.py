"""The client door's language buttons, without JavaScript.

Django's ``set_language`` sets the language cookie and sends the client back to the
page (``next``); this view lets through only the languages the door offers, and the
open conversation takes the choice over, so that automatic answers come in it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from hafen.conversations import access, languages

# Pages that exist only as the answer to a form (a mistake shown after sending): the
# language switch leads back to the page that form was on, not to a POST-only address.
FORM_PAGES = {
    "conversations:start": "conversations:door",
    "conversations:send": "conversations:chat",
}


@never_cache
@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    if request.POST.get("language", "") not in settings.HAFEN_DOOR_LANGUAGES:
        # Nothing the buttons send: back to the page, nothing changed.
        return HttpResponseRedirect(_safe_next(request))
    response = set_language(request)
    if isinstance(response, HttpResponseRedirect):
        response["Location"] = _page_of_form(response["Location"])
    conversation_id = access.client_conversation_id(request.session)
    if conversation_id is not None:
        languages.remember_choice(conversation_id, request.POST["language"])
    return response


def _page_of_form(url: str) -> str:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return url
    page = FORM_PAGES.get(match.view_name)
    return reverse(page, kwargs=match.kwargs) if page else url


def _safe_next(request: HttpRequest) -> str:
    candidate = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"
