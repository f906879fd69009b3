"""The client door: public pages that work without JavaScript and without an account.

Every page here is for an anonymous client. Nothing about the client is stored but
what the conversation needs; responses are never cached (``no-store``), so that the
back button of a shared phone does not show a conversation after leaving.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hafen.accounts.models import Team
from hafen.conversations import access, actions, exports, forms, hours, queries, throttle
from hafen.conversations.models import Conversation
from hafen.conversations.views import attachments as uploads
from hafen.privacy.consent import queries as consent_queries

logger = logging.getLogger(__name__)

NEW_CODE = "door_new_code"


def _team(slug: str) -> Team:
    return get_object_or_404(Team.objects.select_related("facility__organisation"), slug=slug)


def _door_context(team: Team) -> dict[str, Any]:
    door = hours.public_door(team.pk)
    return {
        "team": team,
        "door": door,
        "open_now": hours.is_open_at(door),
        "next_opening": hours.next_opening(door),
        "office_hours": hours.weekly_table(door),
    }


def new_client_id() -> str:
    return secrets.token_urlsafe(16)


def thread_texts(side: str) -> dict[str, str]:
    """The words door.js shows, in the page's language (no inline script: a JSON block)."""
    return {
        "side": side,
        "you": _("You"),
        "other": _("Team") if side == "client" else _("Client"),
        "automatic": _("Automatic answer"),
        "sending": _("sending …"),
        "sent": _("sent"),
        "delivered": _("delivered"),
        "read": _("read"),
        "offline": _(
            "No connection. Your message is kept and sent as soon as the connection is back."
        ),
        "empty": _("Please write a message."),
        "deleted": _("This conversation was deleted."),
        "expired": _("Your session has ended. Please reload the page."),
        "uploading": _("The file is being sent …"),
        "upload_failed": _(
            "The file could not be sent. Please check the connection and press Send again."
        ),
    }


def privacy_notice(request: HttpRequest, team: Team) -> consent_queries.DoorNotice:
    """The organisation's privacy notice in the client's language (else German)."""
    language = getattr(request, "LANGUAGE_CODE", "") or ""
    return consent_queries.door_notice(team.facility.organisation_id, language)


@never_cache
@require_GET
def door(request: HttpRequest, team_slug: str) -> HttpResponse:
    team = _team(team_slug)
    current = access.client_conversation(request.session)
    context = _door_context(team)
    notice = privacy_notice(request, team)
    context.update(
        {
            "form": forms.StartForm(initial={"notice": notice.number}),
            "privacy_notice": notice,
            "current": current if current is not None and current.team_id == team.pk else None,
        }
    )
    return render(request, "conversations/door.html", context)


@never_cache
@require_POST
def start(request: HttpRequest, team_slug: str) -> HttpResponse:
    team = _team(team_slug)
    context = _door_context(team)
    form = forms.StartForm(request.POST)
    if not context["door"].is_open:
        form.add_error(None, _("This team takes no new conversations at the moment."))
    elif throttle.starts_blocked(request):
        form.add_error(None, _("Too many new conversations from here. Please try again later."))
    if not form.is_valid() or form.errors:
        notice = privacy_notice(request, team)
        context.update({"form": form, "current": None, "privacy_notice": notice})
        return render(request, "conversations/door.html", context, status=400)
    throttle.record_start(request)
    new = actions.start_conversation(
        team,
        passphrase=form.cleaned_data["passphrase"],
        language=getattr(request, "LANGUAGE_CODE", ""),
        notice_number=form.cleaned_data["notice"],
    )
    access.open_for_client(request.session, new.conversation)
    request.session[NEW_CODE] = new.code
    return redirect("conversations:chat")


def _client_conversation(request: HttpRequest) -> Conversation:
    conversation = access.client_conversation(request.session)
    if conversation is None:
        raise Http404
    return conversation


def _chat_context(request: HttpRequest, conversation: Conversation, **extra: Any) -> dict[str, Any]:
    messages = queries.messages_after(conversation, 0, viewer="client", limit=10_000)
    payloads = [queries.message_payload(conversation, m, viewer="client") for m in messages]
    context = _door_context(conversation.team)
    context.update(
        {
            "conversation": conversation,
            "thread_messages": payloads,
            "last_seq": payloads[-1]["seq"] if payloads else 0,
            "form": forms.MessageForm(initial={"client_id": new_client_id()}),
            "new_code": request.session.get(NEW_CODE, ""),
            "quick_exit_url": settings.HAFEN_QUICK_EXIT_URL,
            "max_chars": forms.MAX_MESSAGE_CHARS,
            "thread_texts": thread_texts("client"),
        }
    )
    context.update(extra)
    return context


@never_cache
@require_GET
def chat(request: HttpRequest) -> HttpResponse:
    conversation = access.client_conversation(request.session)
    if conversation is None:
        return redirect("conversations:return")
    context = _chat_context(request, conversation)
    # The page shows everything: the client has received and read it.
    actions.mark_seen(
        conversation.pk, side="client", delivered=context["last_seq"], read=context["last_seq"]
    )
    return render(request, "conversations/chat.html", context)


@never_cache
@require_POST
def send(request: HttpRequest) -> HttpResponse:
    conversation = access.client_conversation(request.session)
    if conversation is None:
        return uploads.gone(request, reverse("conversations:return"))
    form = forms.MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        if uploads.wants_json(request):
            return uploads.invalid_json(form)
        context = _chat_context(request, conversation, form=form)
        return render(request, "conversations/chat.html", context, status=400)
    try:
        posted = uploads.post_client(conversation.pk, form.cleaned_data)
    except actions.ConversationGone:
        return uploads.gone(request, reverse("conversations:return"))
    except uploads.NOT_STORED:
        logger.warning("A client's message could not be stored.", exc_info=True)
        if uploads.wants_json(request):
            return uploads.not_stored_json()
        # The page again with the typed text and the same client id: "Send" once more
        # stores the message once, however often the first try got through.
        form.add_error(None, uploads.not_stored_text())
        context = _chat_context(request, conversation, form=form)
        return render(request, "conversations/chat.html", context, status=uploads.NOT_STORED_STATUS)
    return uploads.sent(request, posted, reverse("conversations:chat") + "#latest")


@never_cache
@require_POST
def code_noted(request: HttpRequest) -> HttpResponse:
    """The client confirms the code is written down: it is never shown again."""
    request.session.pop(NEW_CODE, None)
    return redirect("conversations:chat")


def _too_many_guesses(request: HttpRequest, form: forms.ReturnForm) -> HttpResponse:
    form.add_error(
        None, _("Too many attempts. For your safety, please wait 15 minutes and try again.")
    )
    return render(request, "conversations/return.html", {"form": form}, status=429)


@never_cache
@require_http_methods(["GET", "POST"])
def come_back(request: HttpRequest) -> HttpResponse:
    form = forms.ReturnForm(forms.posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if throttle.code_guesses_blocked(request):
            return _too_many_guesses(request, form)
        if form.is_valid():
            # Counted before the lookup, so that parallel guesses cannot all get through.
            if not throttle.take_code_guess(request):
                return _too_many_guesses(request, form)
            conversation = actions.find_by_code(
                form.cleaned_data["code"], form.cleaned_data["passphrase"]
            )
            if conversation is not None:
                throttle.give_back_code_guess(request)
                access.open_for_client(request.session, conversation)
                actions.record_return(conversation)
                return redirect("conversations:chat")
            # One answer for every failure: nobody learns whether a conversation exists.
            form.add_error(None, _("We could not open a conversation with this code."))
    return render(request, "conversations/return.html", {"form": form}, status=status)


@never_cache
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    conversation = _client_conversation(request)
    return exports.client_download(conversation)


@never_cache
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    conversation = _client_conversation(request)
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            return render(
                request,
                "conversations/delete.html",
                {"conversation": conversation, "error": _("Please confirm the deletion.")},
                status=400,
            )
        team_slug = conversation.team.slug
        actions.delete_by_client(conversation.pk)
        access.close_for_client(request.session)
        return render(request, "conversations/deleted.html", {"team_slug": team_slug})
    return render(request, "conversations/delete.html", {"conversation": conversation})


# No CSRF check: ending one's own session from anywhere harms nobody, and a stale
# form must never keep a client on the page in a hurry.
@csrf_exempt
@never_cache
@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    """Quick exit without JavaScript: end the session, go to a neutral page at once."""
    access.close_for_client(request.session)
    response = HttpResponseRedirect(settings.HAFEN_QUICK_EXIT_URL)
    # The language choice would tell that this browser was at a counselling door.
    response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response
