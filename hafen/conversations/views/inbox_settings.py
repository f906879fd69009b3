"""What the inbox is sorted and answered with: the organisation's labels, canned replies.

Labels: leadership and admins manage the organisation's list (others get 403; a label
of another organisation is 404). Canned replies: shared ones are managed by
leadership and admins, personal ones by their owner only; anybody else gets 404.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from hafen.conversations import inbox_forms, inbox_queries, triage
from hafen.conversations.models import CannedReply, Label
from hafen.lib.http import StaffRequest


def _organisation_id(request: StaffRequest) -> int:
    if request.user.organisation_id is None:
        raise Http404
    return request.user.organisation_id


# -- canned replies -----------------------------------------------------------------------


def _reply(request: StaffRequest, reply_id: int) -> CannedReply:
    reply = CannedReply.objects.filter(pk=reply_id).first()
    if reply is None or not triage.may_manage_reply(request.user, reply):
        raise Http404
    return reply


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def replies(request: StaffRequest) -> HttpResponse:
    organisation_id = _organisation_id(request)
    may_share = triage.manages_organisation(request.user, organisation_id)
    form = inbox_forms.CannedReplyForm(
        request.POST if request.method == "POST" else None, may_share=may_share
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            triage.create_reply(
                request.user,
                form.cleaned_data["title"],
                form.cleaned_data["body"],
                shared=bool(form.cleaned_data.get("shared")),
            )
            flash.success(request, _("Canned reply saved."))
            return redirect("conversations:replies")
        status = 400
    usable = list(inbox_queries.usable_replies(request.user))
    return render(
        request,
        "conversations/inbox_replies.html",
        {
            "shared": [reply for reply in usable if reply.owner_id is None],
            "personal": [reply for reply in usable if reply.owner_id is not None],
            "may_share": may_share,
            "form": form,
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def edit_reply(request: StaffRequest, reply_id: int) -> HttpResponse:
    reply = _reply(request, reply_id)
    form = inbox_forms.CannedReplyForm(
        request.POST if request.method == "POST" else None,
        initial={"title": reply.title, "body": reply.body},
    )
    if request.method == "POST":
        if form.is_valid():
            changed = triage.update_reply(
                request.user, reply, form.cleaned_data["title"], form.cleaned_data["body"]
            )
            if changed:
                flash.success(request, _("Canned reply saved."))
            else:
                flash.info(request, _("Nothing changed."))
            return redirect("conversations:replies")
        return render(
            request,
            "conversations/inbox_reply_edit.html",
            {"reply": reply, "form": form},
            status=400,
        )
    return render(request, "conversations/inbox_reply_edit.html", {"reply": reply, "form": form})


@never_cache
@login_required
@require_POST
def delete_reply(request: StaffRequest, reply_id: int) -> HttpResponse:
    reply = _reply(request, reply_id)
    triage.delete_reply(request.user, reply)
    flash.success(request, _("Canned reply deleted."))
    return redirect("conversations:replies")


# -- labels -------------------------------------------------------------------------------


def _manager(request: StaffRequest) -> int:
    organisation_id = _organisation_id(request)
    if not triage.manages_organisation(request.user, organisation_id):
        raise PermissionDenied
    return organisation_id


def _label(request: StaffRequest, label_id: int) -> Label:
    organisation_id = _manager(request)
    label = Label.objects.filter(pk=label_id, organisation_id=organisation_id).first()
    if label is None:
        raise Http404
    return label


def _labels_page(
    request: StaffRequest, organisation_id: int, form: inbox_forms.LabelNameForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "conversations/inbox_labels.html",
        {"labels": inbox_queries.labels_with_usage(organisation_id), "form": form},
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def labels(request: StaffRequest) -> HttpResponse:
    organisation_id = _manager(request)
    if request.method != "POST":
        return _labels_page(request, organisation_id, inbox_forms.LabelNameForm())
    form = inbox_forms.LabelNameForm(request.POST)
    if form.is_valid():
        try:
            triage.create_label(request.user, organisation_id, form.cleaned_data["name"])
        except triage.TriageError as error:
            form.add_error("name", str(error))
        else:
            flash.success(request, _("Label saved."))
            return redirect("conversations:labels")
    return _labels_page(request, organisation_id, form, status=400)


@never_cache
@login_required
@require_POST
def rename_label(request: StaffRequest, label_id: int) -> HttpResponse:
    label = _label(request, label_id)
    form = inbox_forms.LabelNameForm(request.POST)
    if not form.is_valid():
        flash.error(request, " ".join(str(e) for e in form.errors.get("name", [])))
        return redirect("conversations:labels")
    try:
        changed = triage.rename_label(request.user, label, form.cleaned_data["name"])
    except triage.TriageError as error:
        flash.error(request, str(error))
    else:
        if changed:
            flash.success(request, _("Label renamed."))
        else:
            flash.info(request, _("Nothing changed."))
    return redirect("conversations:labels")


@never_cache
@login_required
@require_POST
def delete_label(request: StaffRequest, label_id: int) -> HttpResponse:
    label = _label(request, label_id)
    triage.delete_label(request.user, label)
    flash.success(request, _("Label deleted."))
    return redirect("conversations:labels")
