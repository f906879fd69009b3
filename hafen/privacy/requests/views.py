"""The DSB's pages for data-subject requests: the list by deadline, a new request, one
request with its steps (extend, export, erase, restrict, close).

Only the data-protection officer of the request's organisation gets past the door;
everybody else gets 404, so nobody learns which requests exist. A refused step shows
its reason and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hafen.accounts import access
from hafen.lib.http import StaffRequest
from hafen.privacy.requests import actions, forms, queries
from hafen.privacy.requests.models import EXPORT_KINDS, RequestKind, SubjectRequest

View = Callable[..., HttpResponse]


def officer_only(view: View) -> View:
    """Logged in, and the data-protection officer of an organisation; 404 otherwise."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return access.redirect_to_login(request)
        if not actions.is_officer(request.user, getattr(request.user, "organisation_id", None)):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _page(
    request: StaffRequest, subject: SubjectRequest, status: int = 200, **forms_: Any
) -> HttpResponse:
    context = {
        "row": queries.row(subject),
        "subject": subject,
        "may_export": subject.kind in EXPORT_KINDS,
        "may_erase": subject.kind == RequestKind.ERASURE and subject.erased_at is None,
        "may_restrict": actions.may_restrict(subject) and subject.restriction_id is None,
        "extend_form": forms_.get("extend_form") or forms.ExtendForm(),
        "erase_form": forms_.get("erase_form") or forms.EraseForm(),
        "close_form": forms_.get("close_form") or forms.CloseForm(),
    }
    return render(request, "privacy/requests/request.html", context, status=status)


def _refused(request: StaffRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@never_cache
@officer_only
@require_GET
def request_list(request: StaffRequest) -> HttpResponse:
    organisation_id = request.user.organisation_id
    assert organisation_id is not None  # officer_only
    context = {
        "rows": queries.open_requests(organisation_id),
        "done": queries.done_requests(organisation_id),
    }
    return render(request, "privacy/requests/list.html", context)


@never_cache
@officer_only
@require_http_methods(["GET", "POST"])
def request_new(request: StaffRequest) -> HttpResponse:
    form = forms.NewRequestForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                made = actions.record_request(
                    request.user,
                    kind=data["kind"],
                    file_number=data["file_number"],
                    received_on=data["received_on"],
                    identity_check=data["identity_check"],
                    notes=data["notes"],
                    form_token=data["form_token"],
                )
            except ValidationError as error:
                field = {"no_case": "file_number", "future": "received_on"}.get(
                    getattr(error, "code", "") or ""
                )
                for message in error.messages:
                    form.add_error(field, message)
            else:
                messages.success(request, _("The request is recorded."))
                return redirect("privacy:request", request_id=made.pk)
    return render(request, "privacy/requests/new.html", {"form": form}, status=status)


@never_cache
@officer_only
@require_GET
def request_page(request: StaffRequest, request_id: int) -> HttpResponse:
    return _page(request, queries.request_for(request.user, request_id))


@officer_only
@require_POST
def request_extend(request: StaffRequest, request_id: int) -> HttpResponse:
    subject = queries.request_for(request.user, request_id)
    form = forms.ExtendForm(request.POST)
    if not form.is_valid():
        return _page(request, subject, 400, extend_form=form)
    try:
        actions.extend_deadline(
            request.user,
            subject,
            months=form.cleaned_data["months"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The deadline is extended."))
    return redirect("privacy:request", request_id=subject.pk)


@never_cache
@officer_only
@require_POST
def request_export(request: StaffRequest, request_id: int) -> HttpResponse:
    subject = queries.request_for(request.user, request_id)
    try:
        export = actions.export_case(request.user, subject)
    except ValidationError as error:
        _refused(request, error)
        return redirect("privacy:request", request_id=subject.pk)
    response = HttpResponse(export.data, content_type="application/zip")
    response["Content-Disposition"] = (
        content_disposition_header(True, export.filename) or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@officer_only
@require_POST
def request_erase(request: StaffRequest, request_id: int) -> HttpResponse:
    subject = queries.request_for(request.user, request_id)
    form = forms.EraseForm(request.POST)
    if not form.is_valid():
        return _page(request, subject, 400, erase_form=form)
    try:
        result = actions.erase_for_request(request.user, subject)
    except ValidationError as error:
        _refused(request, error)
    else:
        if result.erased:
            messages.success(
                request, _("The case file is erased. The deletion is logged; the request stays.")
            )
        else:
            messages.error(
                request,
                _(
                    "The case file must not be erased yet; the reasons are recorded as the "
                    "request's exceptions. You can restrict processing instead."
                ),
            )
    return redirect("privacy:request", request_id=subject.pk)


@officer_only
@require_POST
def request_restrict(request: StaffRequest, request_id: int) -> HttpResponse:
    subject = queries.request_for(request.user, request_id)
    try:
        actions.restrict_for_request(request.user, subject)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Processing of the case file is restricted."))
    return redirect("privacy:request", request_id=subject.pk)


@officer_only
@require_POST
def request_close(request: StaffRequest, request_id: int) -> HttpResponse:
    subject = queries.request_for(request.user, request_id)
    form = forms.CloseForm(request.POST)
    if not form.is_valid():
        return _page(request, subject, 400, close_form=form)
    try:
        actions.close_request(
            request.user,
            subject,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The request is closed."))
    return redirect("privacy:request", request_id=subject.pk)
