"""Downloading attachments, and the answers of the send endpoints for scripts.

Downloads: a client only from the conversation of its own session, staff only
through ``access.access_conversation`` (404 for everybody else, as if the file did
not exist). A file is always a download, never shown in Hafen's origin: the
response carries the real type, ``nosniff``, ``no-store`` and a sandboxing CSP, so
that even a hostile PDF cannot run script with the rights of a logged-in counsellor.

The send endpoints (``door.send``, ``inbox.reply``) take the message form with an
optional file as ``multipart/form-data``. A script (``fetch`` with ``FormData`` of
the composer form, which includes the CSRF token) asks for JSON with the header
``Accept: application/json`` and gets ``{"seq": 5, "duplicate": false}``, or status
400 with ``{"errors": {"attachment": ["…"]}}``, or 404 with ``{"error": "gone"}``
when the conversation no longer exists, or 503 with ``{"error": "unavailable"}`` when
the message could not be stored (see ``NOT_STORED``); without that header the answer
is the usual redirect or page.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import Error as DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hafen.accounts.models import User
from hafen.conversations import access, actions
from hafen.conversations.attachments import AttachmentUnavailable, Download, open_attachment
from hafen.conversations.forms import MessageForm
from hafen.conversations.models import Conversation
from hafen.lib.http import StaffRequest

logger = logging.getLogger(__name__)

# Nothing in the file may load, run or navigate, should a browser ever render it.
SANDBOX_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'"


def _file_response(download: Download) -> HttpResponse:
    response = HttpResponse(download.data, content_type=download.content_type)
    response["Content-Disposition"] = (
        content_disposition_header(True, download.name) or "attachment"
    )
    response["Content-Length"] = str(len(download.data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def _open(conversation: Conversation, seq: int) -> Download:
    try:
        return open_attachment(conversation, seq)
    except AttachmentUnavailable:
        raise Http404 from None


@never_cache
@require_GET
def client_attachment(request: HttpRequest, seq: int) -> HttpResponse:
    conversation = access.client_conversation(request.session)
    if conversation is None:
        raise Http404
    return _file_response(_open(conversation, seq))


@never_cache
@login_required
@require_GET
def staff_attachment(request: StaffRequest, conversation_id: int, seq: int) -> HttpResponse:
    conversation = access.access_conversation(request.user, conversation_id)
    download = _open(conversation, seq)
    actions.record_attachment_download(request.user, conversation, seq)
    return _file_response(download)


# The send endpoints: posting a checked form, answering a browser or a script.


def wants_json(request: HttpRequest) -> bool:
    """A script asked for JSON; a browser's form (``text/html``, ``*/*``) did not."""
    preferred = request.get_preferred_type(["text/html", "application/json"])
    return preferred == "application/json"


def post_client(conversation_id: int, cleaned: dict[str, Any]) -> actions.Posted:
    if cleaned.get("attachment"):
        return actions.post_client_attachment(
            conversation_id, cleaned["attachment"], cleaned["body"], cleaned["client_id"]
        )
    return actions.post_client_message(conversation_id, cleaned["body"], cleaned["client_id"])


def post_staff(user: User, conversation_id: int, cleaned: dict[str, Any]) -> actions.Posted:
    if cleaned.get("attachment"):
        return actions.post_staff_attachment(
            user, conversation_id, cleaned["attachment"], cleaned["body"], cleaned["client_id"]
        )
    return actions.post_staff_message(user, conversation_id, cleaned["body"], cleaned["client_id"])


def posted_json(posted: actions.Posted) -> JsonResponse:
    return JsonResponse({"seq": posted.message.seq, "duplicate": not posted.created})


def sent(request: HttpRequest, posted: actions.Posted, redirect_to: str) -> HttpResponse:
    return posted_json(posted) if wants_json(request) else HttpResponseRedirect(redirect_to)


def invalid_json(form: MessageForm) -> JsonResponse:
    errors = {
        field: [str(message) for message in messages] for field, messages in form.errors.items()
    }
    return JsonResponse({"errors": errors}, status=400)


# What a full disk, a read-only or restarting database raise while a message is stored.
# The message's transaction is rolled back whole and its file removed again
# (``actions._post_with_attachment``): nothing is half-written, and a retry with the
# same client id stores it once.
NOT_STORED = (DatabaseError, OSError)
# 503: the request was fine, the server could not do it now. Django also skips saving
# the session for a 5xx answer, which would fail the same way.
NOT_STORED_STATUS = 503


def not_stored_text() -> str:
    return _("Your message could not be saved just now. Please try again in a moment.")


def not_stored_json() -> JsonResponse:
    return JsonResponse(
        {"error": "unavailable", "message": not_stored_text()}, status=NOT_STORED_STATUS
    )


def gone(request: HttpRequest, redirect_to: str) -> HttpResponse:
    """The conversation of the session no longer exists (deleted, or the session ended)."""
    if wants_json(request):
        message = _("This conversation was deleted or your session has ended.")
        return JsonResponse({"error": "gone", "message": message}, status=404)
    return HttpResponseRedirect(redirect_to)
