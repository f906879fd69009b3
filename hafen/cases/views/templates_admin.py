"""The organisation's templates for entries, plans and minutes.

Leadership and administrators write and change them (``actions.create_template``,
``update_template``); every colleague reads them here and uses them in the forms
(an entry template through "?vorlage=<id>" on the new-entry page). A template of
another organisation is not found (404); a colleague who may not manage gets 403.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from hafen.cases import access, actions, forms_files
from hafen.cases.actions._common import manages_cases
from hafen.cases.models import Template, TemplateKind
from hafen.cases.views.files import posted, require_staff, show_errors
from hafen.lib.http import StaffRequest


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def templates(request: StaffRequest) -> HttpResponse:
    organisation_id = require_staff(request)
    manages = manages_cases(request.user)
    if request.method == "POST" and not manages:
        raise PermissionDenied
    form = forms_files.TemplateForm(posted(request)) if manages else None
    status = 200
    if form is not None and request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.create_template(
                    request.user,
                    kind=data["kind"],
                    title=data["title"],
                    body=data["body"],
                    entry_kind=data["entry_kind"],
                )
            except ValidationError as error:
                show_errors(
                    form, error, "title" if getattr(error, "code", "") == "duplicate" else None
                )
            else:
                flash.success(request, _("Template saved."))
                return redirect("cases:templates")
    found = Template.objects.filter(organisation_id=organisation_id).select_related("created_by")
    if not manages:
        found = found.filter(is_active=True)
    groups = [
        (label, [template for template in found if template.kind == kind])
        for kind, label in TemplateKind.choices
    ]
    context = {"groups": groups, "form": form, "manages": manages}
    return render(request, "cases/templates.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def edit_template(request: StaffRequest, template_id: int) -> HttpResponse:
    organisation_id = require_staff(request)
    template = Template.objects.filter(
        pk=access.parse_id(template_id), organisation_id=organisation_id
    ).first()
    if template is None:
        raise Http404
    if not manages_cases(request.user):
        raise PermissionDenied
    initial = {
        "title": template.title,
        "body": template.body,
        "entry_kind": template.entry_kind,
        "is_active": template.is_active,
    }
    form = forms_files.TemplateForm(posted(request), initial=initial, editing=True)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                changed = actions.update_template(
                    request.user,
                    template,
                    title=data["title"],
                    body=data["body"],
                    entry_kind=data["entry_kind"],
                    is_active=data["is_active"],
                )
            except ValidationError as error:
                show_errors(form, error)
            else:
                flash.success(request, _("Template saved.") if changed else _("Nothing changed."))
                return redirect("cases:templates")
    context = {"form": form, "template": template}
    return render(request, "cases/template_edit.html", context, status=status)
