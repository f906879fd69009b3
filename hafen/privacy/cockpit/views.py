"""The cockpit pages; only the organisation's data-protection officer opens them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hafen.accounts import access as staff_access
from hafen.accounts.models import Role
from hafen.cases import access as case_access
from hafen.cases.models import Case
from hafen.lib.http import StaffRequest
from hafen.privacy.cockpit import forms, queries

PER_PAGE = 50


def _organisation_id(request: StaffRequest) -> int:
    if request.user.organisation_id is None:
        raise Http404
    return request.user.organisation_id


@never_cache
@staff_access.require_role(Role.DPO)
@require_GET
def cockpit(request: StaffRequest) -> HttpResponse:
    context = queries.overview(_organisation_id(request))
    return render(request, "privacy/cockpit/cockpit.html", context)


@never_cache
@staff_access.require_role(Role.DPO)
@require_GET
def audit_log(request: StaffRequest) -> HttpResponse:
    organisation_id = _organisation_id(request)
    query = request.GET.copy()
    page_number = query.pop("seite", ["1"])[-1]
    form = forms.AuditSearchForm(
        organisation_id, queries.action_groups(organisation_id), query or None
    )
    status = 400 if form.is_bound and not form.is_valid() else 200
    entries = queries.search_audit(organisation_id, form.wanted()) if status == 200 else None
    page = Paginator(entries, PER_PAGE).get_page(page_number) if entries is not None else None
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "privacy/cockpit/audit_log.html", context, status=status)


@never_cache
@login_required
@require_GET
def case_access_report(request: StaffRequest, case_id: int) -> HttpResponse:
    case = (
        Case.objects.select_related("team")
        .filter(pk=case_access.parse_id(case_id), organisation_id=_organisation_id(request))
        .first()
    )
    if case is None:
        raise Http404
    if not staff_access.has_role(request.user, Role.DPO):
        raise PermissionDenied
    return render(
        request, "privacy/cockpit/case_access.html", {"report": queries.case_access(case)}
    )
