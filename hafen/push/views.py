"""The client's switch for notifications, and the service worker that shows them.

The two endpoints take JSON from ``push.js`` and act on the conversation of this
browser session only (``conversations.access``); there is no other way to name one.
Answers are JSON with a message in the client's language.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from hafen.conversations import access
from hafen.conversations.models import Conversation
from hafen.push import actions, validation, vapid


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"ok": False, "error": message}, status=status)


def _session_conversation(request: HttpRequest) -> Conversation | JsonResponse:
    conversation = access.client_conversation(request.session)
    if conversation is None:
        return _error(_("Your session has ended. Please reload the page."), 404)
    if vapid.keys() is None:
        return _error(_("Notifications are not available here."), 404)
    return conversation


@never_cache
@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    conversation = _session_conversation(request)
    if isinstance(conversation, JsonResponse):
        return conversation
    try:
        subscription = validation.clean_subscription(validation.parse_body(request.body))
    except ValidationError as error:
        return _error(error.messages[0], 400)
    try:
        actions.subscribe(conversation, subscription)
    except actions.ConversationGone:
        return _error(_("This conversation was deleted."), 404)
    return JsonResponse(
        {"ok": True, "message": _("Notifications are on for this device.")}, status=201
    )


@never_cache
@require_POST
def unsubscribe(request: HttpRequest) -> HttpResponse:
    conversation = _session_conversation(request)
    if isinstance(conversation, JsonResponse):
        return conversation
    try:
        endpoint = validation.clean_unsubscription(validation.parse_body(request.body))
    except ValidationError as error:
        return _error(error.messages[0], 400)
    try:
        actions.unsubscribe(conversation, endpoint)
    except actions.ConversationGone:
        return _error(_("This conversation was deleted."), 404)
    return JsonResponse({"ok": True, "message": _("Notifications are off for this device.")})


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The worker script, at the site root because a worker's scope is limited to its path.

    ``?lang=`` is the language of the page that registered it (push.js sets it), so the
    notice is in the client's language; otherwise the request's. It caches nothing.
    """
    if vapid.keys() is None:
        raise Http404
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        language = translation.get_language()
    with translation.override(language):
        texts = {
            "title": "Hafen",
            # Neutral on purpose: a locked screen must not tell anybody it is counselling.
            "body": _("There is a new answer."),
            "url": reverse("conversations:chat"),
        }
    response = render(
        request,
        "push/sw.js",
        {"texts": json.dumps(texts)},
        content_type="text/javascript; charset=utf-8",
    )
    # Browsers check for a new worker on navigation; no-cache keeps that check honest.
    response["Cache-Control"] = "no-cache"
    return response
