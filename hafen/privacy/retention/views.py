"""The DSB's retention pages: rules, the dry run and "delete now", holds and
restrictions, one case's retention state, and the reasoned step to read a restricted case.

Views are thin: a form, one action from ``actions``, a message, a redirect. The DSB
and leadership of the organisation change rules, holds and restrictions; nobody here
sees client content (file numbers only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hafen.accounts import access as staff_access
from hafen.accounts.models import Role, User
from hafen.cases import access as case_access
from hafen.cases.models import Case, CaseCategory
from hafen.lib.http import StaffRequest, posted_next
from hafen.privacy.retention import actions, engine, forms, queries
from hafen.privacy.retention.models import LegalHold, ProcessingRestriction, RetentionKind

KEEPERS = (Role.DPO, Role.LEADERSHIP)


def _organisation_id(request: StaffRequest) -> int:
    organisation_id = request.user.organisation_id
    if organisation_id is None:
        raise Http404
    return organisation_id


def _form_error(form: Any, error: ValidationError, field: str | None) -> None:
    for message in error.messages:
        form.add_error(field, message)


def _require_keeper(request: StaffRequest) -> None:
    """After the object was found: 403 for staff of the organisation without the role.
    (Objects of another organisation were 404 before this: their ids reveal nothing.)"""
    if not staff_access.has_role(request.user, *KEEPERS):
        raise PermissionDenied


def _own_case(request: StaffRequest, case_id: object) -> Case:
    """A case of the user's organisation, by id, for the DPO or leadership; 404 for a
    case of another organisation (no content is shown here)."""
    case = (
        Case.objects.select_related("category", "team")
        .filter(pk=case_access.parse_id(case_id), organisation_id=_organisation_id(request))
        .first()
    )
    if case is None:
        raise Http404
    _require_keeper(request)
    return case


# -- rules and the dry run ------------------------------------------------------------------


@never_cache
@staff_access.require_role(*KEEPERS)
@require_GET
def overview(request: StaffRequest) -> HttpResponse:
    organisation_id = _organisation_id(request)
    context = {
        "rules": queries.rules_of(organisation_id),
        "preview": queries.preview(organisation_id),
        "runs": queries.runs(5),
        "holds": queries.active_holds(organisation_id),
        "restrictions": queries.active_restrictions(organisation_id),
        "categories": queries.categories(organisation_id),
        "statute_form": forms.CategoryStatuteForm(),
        "find_form": forms.FindCaseForm(),
    }
    return render(request, "privacy/retention/overview.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def edit_rule(request: StaffRequest, data_kind: str) -> HttpResponse:
    kind = data_kind
    # 404, not 403, for who may not set rules: the URL names a kind, and the role
    # matrix keeps every parametrised URL silent to outsiders.
    if kind not in RetentionKind.values or not staff_access.has_role(request.user, *KEEPERS):
        raise Http404
    organisation_id = _organisation_id(request)
    row = next(row for row in queries.rules_of(organisation_id) if row.kind == kind)
    initial = {"period_days": row.period.days, "legal_basis": str(row.period.legal_basis)}
    form = forms.RuleForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.set_rule(request.user, kind, data["period_days"], data["legal_basis"])
            except ValidationError as error:
                basis = getattr(error, "code", "") == "required"
                _form_error(form, error, "legal_basis" if basis else "period_days")
            else:
                flash.success(request, _("The retention rule is saved."))
                return redirect("privacy:retention")
    context = {"row": row, "form": form}
    return render(request, "privacy/retention/rule.html", context, status=status)


@never_cache
@staff_access.require_role(*KEEPERS)
@require_http_methods(["GET", "POST"])
def preview(request: StaffRequest) -> HttpResponse:
    """The dry run, and the button that runs retention now (with a confirmation)."""
    organisation_id = _organisation_id(request)
    form = forms.ConfirmRunForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            report = engine.apply_run(started_by=request.user)
            flash.success(
                request,
                _("Retention ran: %(count)d records deleted, %(skipped)d no longer due.")
                % {"count": report.total_deleted, "skipped": len(report.skipped)},
            )
            if report.failed:
                flash.error(
                    request,
                    _("%(count)d records could not be deleted; the next run tries again.")
                    % {"count": len(report.failed)},
                )
            return redirect("privacy:retention_preview")
    context = {"preview": queries.preview(organisation_id), "form": form}
    return render(request, "privacy/retention/preview.html", context, status=status)


@login_required
@require_POST
def mark_category(request: StaffRequest, category_id: int) -> HttpResponse:
    category = CaseCategory.objects.filter(
        pk=case_access.parse_id(category_id), organisation_id=_organisation_id(request)
    ).first()
    if category is None:
        raise Http404
    _require_keeper(request)
    form = forms.CategoryStatuteForm(request.POST)
    if not form.is_valid():
        flash.error(request, _("Please choose a statute from the list."))
    else:
        actions.mark_category(request.user, category, form.cleaned_data["statute"] or None)
        flash.success(request, _("Saved for the category %(name)s.") % {"name": category.name})
    return redirect(reverse("privacy:retention") + "#categories")


# -- one case --------------------------------------------------------------------------------


@never_cache
@staff_access.require_role(*KEEPERS)
@require_GET
def find_case(request: StaffRequest) -> HttpResponse:
    form = forms.FindCaseForm(request.GET or None)
    if form.is_valid():
        case = queries.find_case(_organisation_id(request), form.cleaned_data["reference"])
        if case is not None:
            return redirect("privacy:case", case.pk)
        form.add_error("reference", _("There is no case file with this number."))
    status = 400 if form.is_bound else 200
    return render(request, "privacy/retention/find_case.html", {"form": form}, status=status)


def _case_context(request: StaffRequest, case: Case, **forms_in: Any) -> dict[str, Any]:
    return {
        "state": queries.case_privacy(case),
        "hold_form": forms_in.get("hold_form") or forms.ReasonForm(prefix="hold"),
        "restrict_form": forms_in.get("restrict_form") or forms.ReasonForm(prefix="restrict"),
        "birth_form": forms_in.get("birth_form")
        or forms.BirthDateForm(
            prefix="birth", initial={"birth_date": queries.case_privacy(case).birth_date}
        ),
        "is_dpo": staff_access.has_role(request.user, Role.DPO),
    }


@never_cache
@login_required
@require_GET
def case_page(request: StaffRequest, case_id: int) -> HttpResponse:
    case = _own_case(request, case_id)
    return render(request, "privacy/retention/case.html", _case_context(request, case))


@never_cache
@login_required
@require_POST
def case_change(request: StaffRequest, case_id: int, what: str) -> HttpResponse:
    """Place a hold, restrict processing, or record the date of birth of one case."""
    case = _own_case(request, case_id)
    action: Callable[[User, Case, object], object]
    if what == "sperre":
        form: Any = forms.ReasonForm(request.POST, prefix="hold")
        action, done = actions.place_hold, _("The legal hold is in place.")
        key = "hold_form"
    elif what == "einschraenkung":
        form = forms.ReasonForm(request.POST, prefix="restrict")
        action, done = actions.restrict_processing, _("Processing of the file is restricted.")
        key = "restrict_form"
    elif what == "geburtsdatum":
        form = forms.BirthDateForm(request.POST, prefix="birth")
        key = "birth_form"
        if form.is_valid():
            try:
                actions.set_birth_date(request.user, case, form.cleaned_data["birth_date"])
            except ValidationError as error:
                _form_error(form, error, "birth_date")
            else:
                flash.success(request, _("The date of birth is recorded."))
                return redirect("privacy:case", case.pk)
        context = _case_context(request, case, **{key: form})
        return render(request, "privacy/retention/case.html", context, status=400)
    else:
        raise Http404
    if form.is_valid():
        try:
            action(request.user, case, form.cleaned_data["reason"])
        except ValidationError as error:
            _form_error(form, error, "reason")
        else:
            flash.success(request, done)
            return redirect("privacy:case", case.pk)
    context = _case_context(request, case, **{key: form})
    return render(request, "privacy/retention/case.html", context, status=400)


@login_required
@require_POST
def lift(request: StaffRequest, what: str, lock_id: int) -> HttpResponse:
    organisation_id = _organisation_id(request)
    pk = case_access.parse_id(lock_id)
    if what == "sperre":
        hold = LegalHold.objects.filter(pk=pk, case__organisation_id=organisation_id).first()
        if hold is None:
            raise Http404
        lifted, case_id = actions.lift_hold(request.user, hold), hold.case_id
        done = _("The legal hold is lifted.")
    elif what == "einschraenkung":
        restriction = ProcessingRestriction.objects.filter(
            pk=pk, case__organisation_id=organisation_id
        ).first()
        if restriction is None:
            raise Http404
        lifted, case_id = actions.lift_restriction(request.user, restriction), restriction.case_id
        done = _("The restriction of processing has ended.")
    else:
        raise Http404
    if lifted:
        flash.success(request, done)
    else:
        flash.info(request, _("That had already ended."))
    return redirect(posted_next(request) or reverse("privacy:case", args=[case_id]))


# -- reading a restricted case -----------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def restricted_read(request: StaffRequest, case_id: int) -> HttpResponse:
    """State the purpose, then read the restricted case for an hour (never write)."""
    case = Case.objects.select_related("team").filter(pk=case_access.parse_id(case_id)).first()
    if case is None:
        raise Http404
    rights = case_access.case_rights(request.user, case)
    if not rights.restricted:
        # Who may not see the case learns nothing; who already reads it goes on.
        if rights.read:
            return redirect("cases:case", case.pk)
        raise Http404
    back = request.GET.get("next") or request.POST.get("next") or ""
    form = forms.ReasonForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                actions.open_restricted(request.user, case, form.cleaned_data["reason"])
            except ValidationError as error:
                _form_error(form, error, "reason")
            except (PermissionDenied, IntegrityError):
                raise Http404 from None
            else:
                flash.warning(
                    request,
                    _(
                        "You may read %(reference)s for one hour. Processing stays restricted: "
                        "nothing can be changed, and your reading is recorded."
                    )
                    % {"reference": case.reference},
                )
                return redirect(posted_next(request) or reverse("cases:case", args=[case.pk]))
    restriction = (
        ProcessingRestriction.objects.filter(case=case, lifted_at__isnull=True)
        .order_by("-restricted_at")
        .first()
    )
    context = {"case": case, "form": form, "restriction": restriction, "next": back}
    return render(request, "privacy/retention/restricted_read.html", context, status=status)
