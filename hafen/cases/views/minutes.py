"""Minutes of team meetings and case conferences, and their action items.

The list shows what the person may open (no content); a meeting page decrypts and
audits the read (``queries.meeting_page``). Counsellors of the team write minutes;
attendees may complete them; an action item's owner can mark it done, also from
the to-do list on the start page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hafen.cases import access, actions, queries
from hafen.cases.actions import KEEP
from hafen.cases.forms_minutes import ActionItemForm, MeetingEditForm, MeetingForm
from hafen.cases.forms_plans import add_domain_error
from hafen.cases.models import Meeting, TemplateKind
from hafen.cases.views.plans import template_text
from hafen.lib.http import StaffRequest, posted_next

PER_PAGE = 50


@never_cache
@login_required
@require_GET
def meetings(request: StaffRequest) -> HttpResponse:
    page = Paginator(queries.meeting_list(request.user), PER_PAGE).get_page(
        request.GET.get("seite")
    )
    return render(
        request,
        "cases/meetings.html",
        {
            "page": page,
            "meetings": page.object_list,
            "may_write": queries.minutes_teams(request.user).exists(),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: StaffRequest) -> HttpResponse:
    if not queries.minutes_teams(request.user).exists():
        raise PermissionDenied  # only counsellors (or break-glass holders) write minutes
    status = 200
    if request.method == "POST":
        form = MeetingForm(request.user, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = actions.create_meeting(
                    request.user,
                    data["team"],
                    kind=data["kind"],
                    held_on=data["held_on"],
                    agenda=data["agenda"],
                    decisions=data["decisions"],
                    guests=data["guests"],
                    attendees=list(data["attendees"]),
                    case_references=data["cases"],
                    form_token=data["form_token"],
                )
            except ValidationError as error:
                add_domain_error(form, error, "cases" if error.code == "reference" else None)
            else:
                flash.success(request, _("The minutes are saved."))
                return redirect("cases:meeting", meeting.pk)
        status = 400
    else:
        initial: dict[str, Any] = {"agenda": template_text(request, TemplateKind.MINUTES)}
        form = MeetingForm(request.user, initial=initial)
    return render(
        request,
        "cases/meeting_new.html",
        {
            "form": form,
            "templates": queries.offered_templates(request.user, TemplateKind.MINUTES),
        },
        status=status,
    )


def _meeting_page(
    request: StaffRequest,
    meeting: Meeting,
    *,
    item_form: ActionItemForm | None = None,
    status: int = 200,
) -> HttpResponse:
    page = queries.meeting_page(request.user, meeting)
    writable = page.rights.write and not meeting.data_key.is_shredded
    context = {
        "page": page,
        "meeting": meeting,
        "writable": writable,
        "item_form": item_form or (ActionItemForm(meeting) if writable else None),
        "open_items": [item for item in page.action_items if item.done_at is None],
        "done_items": [item for item in page.action_items if item.done_at is not None],
    }
    return render(request, "cases/meeting.html", context, status=status)


@never_cache
@login_required
@require_GET
def meeting(request: StaffRequest, meeting_id: int) -> HttpResponse:
    return _meeting_page(request, access.access_meeting(request.user, meeting_id))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: StaffRequest, meeting_id: int) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id, write=True)
    page = queries.meeting_page(request.user, meeting)
    if meeting.data_key.is_shredded:
        raise Http404
    status = 200
    if request.method == "POST":
        form = MeetingEditForm(request.user, meeting, page.case_references, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                changed = actions.update_meeting(
                    request.user,
                    meeting,
                    agenda=data["agenda"],
                    decisions=data["decisions"],
                    guests=data["guests"],
                    attendees=list(data["attendees"]),
                    case_references=data["cases"] if form.cases_editable else KEEP,
                )
            except ValidationError as error:
                add_domain_error(form, error, "cases" if error.code == "reference" else None)
            else:
                if changed:
                    flash.success(request, _("The minutes are saved."))
                else:
                    flash.info(request, _("Nothing changed."))
                return redirect("cases:meeting", meeting.pk)
        status = 400
    else:
        form = MeetingEditForm(
            request.user,
            meeting,
            page.case_references,
            initial={
                "agenda": page.agenda,
                "decisions": page.decisions,
                "guests": page.guests,
                "attendees": page.attendees,
                "cases": page.case_references,
            },
        )
    return render(
        request,
        "cases/meeting_edit.html",
        {"meeting": meeting, "page": page, "form": form},
        status=status,
    )


@never_cache
@login_required
@require_POST
def action_item_add(request: StaffRequest, meeting_id: int) -> HttpResponse:
    meeting = access.access_meeting(request.user, meeting_id, write=True)
    form = ActionItemForm(meeting, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_action_item(
                request.user,
                meeting,
                text=data["text"],
                owner=data["owner"],
                due_on=data["due_on"],
                form_token=data["form_token"],
            )
        except ValidationError as error:
            add_domain_error(form, error, "due_on" if error.code == "order" else None)
        else:
            flash.success(request, _("The action item is added."))
            return redirect(reverse("cases:meeting", args=[meeting.pk]) + "#aufgaben")
    return _meeting_page(request, meeting, item_form=form, status=400)


@never_cache
@login_required
@require_POST
def action_item_done(request: StaffRequest, item_id: int) -> HttpResponse:
    """Mark an action item done, from the minutes or from the start page's to-do list."""
    item = access.access_action_item(request.user, item_id)
    if actions.complete_action_item(request.user, item):
        flash.success(request, _("Done: the action item is off the to-do list."))
    else:
        flash.info(request, _("This action item was done already."))
    back = posted_next(request)
    if back:
        return HttpResponseRedirect(back)
    if access.meeting_rights(request.user, item.meeting).read:
        return redirect(reverse("cases:meeting", args=[item.meeting_id]) + "#aufgaben")
    return redirect("home:start")
