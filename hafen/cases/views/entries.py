"""The case history: writing an entry (from a template), correcting it, its versions,
its attachments.

An entry is never changed in place: "correct" adds a version, and the history page
shows every version with who and when. Entries entrusted to a colleague are not
found here at all (``access.access_entry`` answers 404), as if they did not exist.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from hafen.cases import access, actions, forms_files, queries
from hafen.cases.models import Case, CaseEntry, Template, TemplateKind
from hafen.cases.views.files import posted, show_errors
from hafen.conversations.views.attachments import SANDBOX_POLICY
from hafen.lib.http import StaffRequest


def entry_url(entry: CaseEntry | int, case_id: int) -> str:
    pk = entry if isinstance(entry, int) else entry.pk
    return reverse("cases:case", args=[case_id]) + f"#eintrag-{pk}"


def _template_draft(request: StaffRequest) -> actions.Draft | None:
    """The template named by ?vorlage=<id>, if it is an offered one of the organisation."""
    raw = request.GET.get("vorlage", "")
    if not raw:
        return None
    try:
        return actions.apply_template(request.user, raw, kind=TemplateKind.ENTRY)
    except Http404:
        flash.warning(request, _("This template does not exist (any more)."))
        return None


def _entry_templates(case: Case) -> list[Template]:
    return list(
        Template.objects.filter(
            organisation_id=case.organisation_id, kind=TemplateKind.ENTRY, is_active=True
        ).order_by("title")
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def new_entry(request: StaffRequest, case_id: int) -> HttpResponse:
    case = access.access_case(request.user, case_id, write=True)
    initial: dict[str, object] = {}
    draft = _template_draft(request) if request.method == "GET" else None
    if draft is not None:
        initial["text"] = draft.text
        if draft.entry_kind:
            initial["kind"] = draft.entry_kind
    form = forms_files.EntryForm(
        case, request.user, posted(request), request.FILES or None, initial=initial
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = actions.add_entry(
                    request.user,
                    case,
                    text=data["text"],
                    kind=data["kind"],
                    occurred_on=data["occurred_on"],
                    confidentiality=data["confidentiality"],
                    substitute=data["substitute"],
                    form_token=data["form_token"],
                )
                if data["attachment"] is not None and not entry.attachments.exists():
                    entry = access.access_entry(request.user, entry.pk, write=True)
                    actions.add_attachment(request.user, entry, data["attachment"])
            except ValidationError as error:
                show_errors(form, error)
            else:
                flash.success(request, _("Entry saved."))
                return redirect(entry_url(entry, case.pk))
    context = {
        "case": case,
        "form": form,
        "templates": _entry_templates(case),
        "chosen": request.GET.get("vorlage", ""),
    }
    return render(request, "cases/entry_new.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def correct_entry(request: StaffRequest, entry_id: int) -> HttpResponse:
    entry = access.access_entry(request.user, entry_id, write=True)
    case = entry.case
    shown = queries.display_entry(request.user, entry)
    if request.method == "GET":  # the form shows the entry's text
        rights = access.case_rights(request.user, case)
        access.record_case_read(request.user, case, part="entry", via=rights.via)
    if not shown.may_correct:
        flash.error(request, _("This entry cannot be corrected."))
        return redirect(entry_url(entry, case.pk))
    form = forms_files.CorrectionForm(
        case,
        posted(request),
        initial={
            "text": shown.text,
            "kind": shown.kind,
            "occurred_on": shown.occurred_on,
            "expected_version": shown.version,
        },
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                correction = actions.correct_entry(
                    request.user,
                    entry,
                    text=data["text"],
                    kind=data["kind"],
                    occurred_on=data["occurred_on"],
                    reason=data["reason"],
                    expected_version=data["expected_version"],
                )
            except ValidationError as error:
                show_errors(form, error)
            else:
                if correction.created:
                    flash.success(
                        request,
                        _("Entry corrected; the earlier version stays in its history."),
                    )
                else:
                    flash.info(request, _("Nothing changed: the text is the same."))
                return redirect(entry_url(entry, case.pk))
    context = {"case": case, "entry": shown, "form": form}
    return render(request, "cases/entry_correct.html", context, status=status)


@never_cache
@login_required
@require_GET
def entry_history(request: StaffRequest, entry_id: int) -> HttpResponse:
    entry = access.access_entry(request.user, entry_id)
    versions = queries.entry_history(request.user, entry)
    context = {
        "case": entry.case,
        "entry": entry,
        "versions": list(reversed(versions)),
        "back": entry_url(entry, entry.case_id),
    }
    return render(request, "cases/entry_history.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def add_attachment(request: StaffRequest, entry_id: int) -> HttpResponse:
    """A photo or PDF on an entry afterwards (a scanned letter that came later)."""
    entry = access.access_entry(request.user, entry_id, write=True)
    shown = queries.display_entry(request.user, entry)
    if not shown.may_correct:
        flash.error(request, _("Nothing can be attached to this entry."))
        return redirect(entry_url(entry, entry.case_id))
    form = forms_files.AttachmentForm(posted(request), request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                actions.add_attachment(request.user, entry, form.cleaned_data["attachment"])
            except ValidationError as error:
                show_errors(form, error, "attachment")
            else:
                flash.success(request, _("File attached."))
                return redirect(entry_url(entry, entry.case_id))
    context = {"case": entry.case, "entry": shown, "form": form}
    return render(request, "cases/entry_attach.html", context, status=status)


@never_cache
@login_required
@require_GET
def attachment(request: StaffRequest, attachment_id: int) -> HttpResponse:
    try:
        download = queries.open_attachment(request.user, attachment_id)
    except queries.AttachmentUnavailable:
        raise Http404 from None
    return file_response(download.data, download.content_type, download.name)


def file_response(data: bytes, content_type: str, name: str) -> HttpResponse:
    """Always a download, never shown in Hafen's origin (see the inbox's attachments)."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
