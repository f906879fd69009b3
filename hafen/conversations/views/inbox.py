"""The team inbox: the list of a person's conversations, one conversation, its triage.

Every view about one conversation asks ``access.access_conversation`` first (404 for
whoever may not know it exists); what the person may change is ``triage.rights``
(see the rules at the top of ``triage``). Everything works without JavaScript:
filters are a GET form, changes are POST forms that redirect back with a message;
``inbox.js`` makes the list and the triage panel follow changes in realtime.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from hafen.accounts.models import Team
from hafen.conversations import (
    access,
    actions,
    forms,
    inbox_forms,
    inbox_queries,
    queries,
    triage,
)
from hafen.conversations.models import Conversation, Label
from hafen.conversations.views import attachments as uploads
from hafen.conversations.views.door import new_client_id, thread_texts
from hafen.lib.http import StaffRequest

logger = logging.getLogger(__name__)

PER_PAGE = 50

# -- the list -----------------------------------------------------------------------------


def _list_context(request: StaffRequest) -> tuple[dict[str, Any], int]:
    form = inbox_forms.InboxFilterForm(request.user, request.GET or None)
    status = 400 if form.is_bound and not form.is_valid() else 200
    conversations = inbox_queries.inbox_list(request.user, form.wanted())
    page = Paginator(conversations, PER_PAGE).get_page(request.GET.get("seite"))
    query = request.GET.copy()
    query.pop("seite", None)
    # Where the list's buttons come back to: the inbox page, also when inbox.js fetched
    # the list from its fragment address.
    here = reverse("conversations:inbox")
    if request.GET:
        here += "?" + request.GET.urlencode()
    return {
        "filter_form": form,
        "filtered": bool(query),
        "page": page,
        "conversations": page.object_list,
        "query": query.urlencode(),
        "here": here,
        "inbox_texts": _texts(),
    }, status


def _texts() -> dict[str, str]:
    """The words inbox.js shows, in the page's language (a JSON block, no inline script)."""
    return {
        "updated": _("Updated."),
        "offline": _(
            "No live connection. The page may be out of date; it updates again "
            "as soon as the connection is back."
        ),
        "expired": _("Your session has ended. Please reload the page."),
        "gone": _("This conversation is no longer in your inbox. Please go back to the inbox."),
    }


@never_cache
@login_required
@require_GET
def inbox(request: StaffRequest) -> HttpResponse:
    context, status = _list_context(request)
    context["teams"] = context["filter_form"].fields["team"].queryset
    context["manages"] = request.user.organisation_id is not None and triage.manages_organisation(
        request.user, request.user.organisation_id
    )
    return render(request, "conversations/inbox.html", context, status=status)


@never_cache
@login_required
@require_GET
def inbox_list(request: StaffRequest) -> HttpResponse:
    """The list alone, for inbox.js to swap in after a realtime event."""
    context, status = _list_context(request)
    return render(request, "conversations/_inbox_list.html", context, status=status)


# -- one conversation ---------------------------------------------------------------------


def _triage_context(request: StaffRequest, conversation: Conversation) -> dict[str, Any]:
    rights = triage.rights(request.user, conversation)
    labels = list(conversation.labels.all())
    on = {label.pk for label in labels}
    return {
        "conversation": conversation,
        "rights": rights,
        "labels": labels,
        "addable_labels": [
            label
            for label in inbox_queries.organisation_labels(conversation.organisation_id)
            if label.pk not in on
        ],
        "assign_form": inbox_forms.AssignForm(conversation) if rights.assign_others else None,
        "settable_states": triage.SETTABLE_STATES,
    }


def _prefill(request: StaffRequest) -> str:
    """The text of the canned reply named by ?vorlage=<id>, if the person may use it."""
    raw = request.GET.get("vorlage", "")
    if not raw:
        return ""
    reply = (
        inbox_queries.usable_replies(request.user).filter(pk=int(raw)).first()
        if raw.isdigit() and len(raw) < 12
        else None
    )
    if reply is None:
        flash.warning(request, _("This canned reply does not exist (any more)."))
        return ""
    return reply.body


def _conversation_page(
    request: StaffRequest,
    conversation_id: int,
    *,
    form: forms.MessageForm | None = None,
    transfer_form: inbox_forms.TransferForm | None = None,
    status: int = 200,
) -> HttpResponse:
    conversation = access.access_conversation(request.user, conversation_id)
    actions.record_staff_read(request.user, conversation)
    messages = _messages(conversation)
    last_seq = messages[-1]["seq"] if messages else 0
    actions.mark_seen(conversation.pk, side="team", delivered=last_seq, read=last_seq)
    context = _triage_context(request, conversation)
    rights: triage.Rights = context["rights"]
    notes: list[Any] = []
    transfers: list[Any] = []
    if rights.notes:
        notes = list(conversation.notes.select_related("author"))
        transfers = list(
            conversation.transfers.select_related("by", "from_team__facility", "to_team__facility")
        )
        for record in [*notes, *transfers]:
            record.conversation = conversation  # the data key is loaded: no query per row
    replies = list(inbox_queries.usable_replies(request.user))
    if form is None:
        initial = {"client_id": new_client_id()}
        body = _prefill(request)
        if body:
            initial["body"] = body
        form = forms.MessageForm(initial=initial)
    if transfer_form is None and rights.transfer:
        transfer_form = inbox_forms.TransferForm(conversation)
    context.update(
        {
            # Not "messages": that name belongs to the flash messages of the layout.
            "thread_messages": messages,
            "last_seq": last_seq,
            "notes": notes,
            "transfers": transfers,
            "form": form,
            "note_form": forms.NoteForm() if rights.notes else None,
            "transfer_form": transfer_form,
            "thread_texts": thread_texts("staff"),
            "inbox_texts": _texts(),
            "replies": replies,
            "reply_texts": {str(reply.pk): reply.body for reply in replies},
            "case_sections": triage.case_sections(request.user, conversation),
        }
    )
    return render(request, "conversations/conversation.html", context, status=status)


def _messages(conversation: Conversation) -> list[dict[str, Any]]:
    found = queries.messages_after(conversation, 0, viewer="staff", limit=10_000)
    return [queries.message_payload(conversation, m, viewer="staff") for m in found]


@never_cache
@login_required
@require_GET
def conversation(request: StaffRequest, conversation_id: int) -> HttpResponse:
    return _conversation_page(request, conversation_id)


@never_cache
@login_required
@require_GET
def triage_panel(request: StaffRequest, conversation_id: int) -> HttpResponse:
    """State, assignment and labels alone (no content), for inbox.js after an event."""
    conversation = access.access_conversation(request.user, conversation_id)
    return render(
        request, "conversations/_inbox_triage.html", _triage_context(request, conversation)
    )


@never_cache
@login_required
@require_POST
def reply(request: StaffRequest, conversation_id: int) -> HttpResponse:
    conversation = access.access_conversation(request.user, conversation_id)
    form = forms.MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        if uploads.wants_json(request):
            return uploads.invalid_json(form)
        return _conversation_page(request, conversation_id, form=form, status=400)
    try:
        posted = uploads.post_staff(request.user, conversation.pk, form.cleaned_data)
    except actions.ConversationGone:  # the client deleted it a moment ago
        return uploads.gone(request, reverse("conversations:inbox"))
    except uploads.NOT_STORED:
        logger.warning("A counsellor's answer could not be stored.", exc_info=True)
        if uploads.wants_json(request):
            return uploads.not_stored_json()
        # Only the answer and the form, not the conversation: showing it would read
        # and audit it, which fails the same way while nothing can be written.
        form.add_error(None, uploads.not_stored_text())
        return render(
            request,
            "conversations/reply_not_saved.html",
            {"form": form, "conversation_id": conversation.pk},
            status=uploads.NOT_STORED_STATUS,
        )
    if uploads.wants_json(request):
        return uploads.posted_json(posted)
    return HttpResponseRedirect(
        reverse("conversations:conversation", args=[conversation.pk]) + "#latest"
    )


@never_cache
@login_required
@require_POST
def add_note(request: StaffRequest, conversation_id: int) -> HttpResponse:
    conversation = access.access_conversation(request.user, conversation_id)
    if not triage.rights(request.user, conversation).notes:
        flash.error(request, _("Only counsellors of the team can write internal notes."))
        return redirect("conversations:conversation", conversation.pk)
    form = forms.NoteForm(request.POST)
    if form.is_valid():
        actions.add_note(request.user, conversation, form.cleaned_data["body"])
        flash.success(request, _("Note saved. The client does not see it."))
    else:
        flash.error(request, " ".join(str(error) for error in form.errors.get("body", [])))
    return redirect("conversations:conversation", conversation.pk)


# -- triage actions -----------------------------------------------------------------------


def _back(request: StaffRequest, conversation_id: int) -> HttpResponse:
    """Back to where the person clicked (a safe local address) or to the conversation.

    The conversation page only if the person still may see it: after a transfer or
    giving an assignment back it may have left their need-to-know.
    """
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(candidate)
    if access.may_access(request.user, conversation_id):
        return redirect("conversations:conversation", conversation_id)
    return redirect("conversations:inbox")


def _say(request: StaffRequest, changed: bool, done: str, unchanged: str) -> None:
    if changed:
        flash.success(request, done)
    else:
        flash.info(request, unchanged)


def _triage_view(request: StaffRequest, conversation_id: int, act: Any) -> HttpResponse:
    """Run one triage change; a refusal or a stale page becomes a message, never a 500."""
    conversation = access.access_conversation(request.user, conversation_id)
    try:
        act(conversation)
    except triage.TriageError as error:
        flash.error(request, str(error))
    except actions.ConversationGone:
        raise Http404 from None
    return _back(request, conversation_id)


@never_cache
@login_required
@require_POST
def take(request: StaffRequest, conversation_id: int) -> HttpResponse:
    def act(conversation: Conversation) -> None:
        _say(
            request,
            triage.take(request.user, conversation),
            _("You took %(name)s.") % {"name": conversation.pseudonym},
            _("This conversation is already yours."),
        )

    return _triage_view(request, conversation_id, act)


@never_cache
@login_required
@require_POST
def release(request: StaffRequest, conversation_id: int) -> HttpResponse:
    def act(conversation: Conversation) -> None:
        _say(
            request,
            triage.release(request.user, conversation),
            _("You gave %(name)s back to the team.") % {"name": conversation.pseudonym},
            _("This conversation is not assigned to you."),
        )

    return _triage_view(request, conversation_id, act)


@never_cache
@login_required
@require_POST
def assign(request: StaffRequest, conversation_id: int) -> HttpResponse:
    def act(conversation: Conversation) -> None:
        form = inbox_forms.AssignForm(conversation, request.POST)
        if not form.is_valid():
            raise triage.TriageError(_("Please choose a colleague from the list."))
        assignee = form.cleaned_data["assignee"]
        changed = triage.assign(
            request.user, conversation, assignee, expected=form.cleaned_data["expected"]
        )
        _say(
            request,
            changed,
            _("Assigned to %(name)s.") % {"name": assignee}
            if assignee
            else _("Nobody is assigned now."),
            _("Nothing changed: it already was assigned so."),
        )

    return _triage_view(request, conversation_id, act)


@never_cache
@login_required
@require_POST
def set_state(request: StaffRequest, conversation_id: int) -> HttpResponse:
    def act(conversation: Conversation) -> None:
        form = inbox_forms.StateForm(request.POST)
        if not form.is_valid():
            raise triage.TriageError(_("This state cannot be set by hand."))
        state = form.cleaned_data["state"]
        label = dict(form.fields["state"].choices)[state]  # type: ignore[attr-defined]
        _say(
            request,
            triage.set_state(request.user, conversation, state),
            _("The conversation is now: %(state)s.") % {"state": label},
            _("Nothing changed: the conversation already was %(state)s.") % {"state": label},
        )

    return _triage_view(request, conversation_id, act)


@never_cache
@login_required
@require_POST
def label(request: StaffRequest, conversation_id: int) -> HttpResponse:
    def act(conversation: Conversation) -> None:
        form = inbox_forms.ConversationLabelForm(conversation.organisation_id, request.POST)
        if not form.is_valid():
            raise triage.TriageError(_("Please choose a label from the list."))
        chosen: Label = form.cleaned_data["label"]
        if form.cleaned_data["op"] == "add":
            _say(
                request,
                triage.add_label(request.user, conversation, chosen),
                _("Label “%(label)s” added.") % {"label": chosen},
                _("The conversation already has the label “%(label)s”.") % {"label": chosen},
            )
        else:
            _say(
                request,
                triage.remove_label(request.user, conversation, chosen),
                _("Label “%(label)s” removed.") % {"label": chosen},
                _("The conversation did not have the label “%(label)s”.") % {"label": chosen},
            )

    return _triage_view(request, conversation_id, act)


@never_cache
@login_required
@require_POST
def transfer(request: StaffRequest, conversation_id: int) -> HttpResponse:
    conversation = access.access_conversation(request.user, conversation_id)
    if not triage.rights(request.user, conversation).transfer:
        flash.error(request, _("Only counsellors of the team can do this."))
        return redirect("conversations:conversation", conversation.pk)
    form = inbox_forms.TransferForm(conversation, request.POST)
    if not form.is_valid():
        return _conversation_page(request, conversation.pk, transfer_form=form, status=400)
    team: Team = form.cleaned_data["team"]
    try:
        triage.transfer(
            request.user,
            conversation,
            team,
            form.cleaned_data["reason"],
            expected_team=form.cleaned_data["expected_team"],
        )
    except triage.TriageError as error:
        flash.error(request, str(error))
    except actions.ConversationGone:
        raise Http404 from None
    else:
        flash.success(
            request,
            _("%(name)s went to %(team)s.") % {"name": conversation.pseudonym, "team": team.name},
        )
    if access.may_access(request.user, conversation.pk):
        return redirect("conversations:conversation", conversation.pk)
    return redirect("conversations:inbox")
