"""Help and support plans: create from a case, the plan page, goals, measures, reviews,
the client's agreement, versions, and the PDF for a Hilfeplangespräch.

Every view asks ``access`` first (404 for whoever may not know the plan exists, 403
for a volunteer who may read but not write), validates with a form from
``forms_plans``, calls one action and redirects (POST/redirect/GET). An action's
refusal (a plan agreed to in the meantime, a date in the past) is shown on the
page with status 400; nothing is changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from hafen.cases import access, actions, charts, queries
from hafen.cases.forms_plans import (
    AgreementForm,
    GoalForm,
    MeasureForm,
    PlanEditForm,
    PlanForm,
    RecordReviewForm,
    ScheduleReviewForm,
    add_domain_error,
    staff_for_case,
)
from hafen.cases.models import (
    LIVE_PLAN_STATES,
    DisclosureKind,
    Goal,
    Plan,
    PlanStatus,
    Review,
    TemplateKind,
)
from hafen.cases.pdf_plans import plan_pdf
from hafen.lib.http import StaffRequest

# The measure forms of the page are told apart by a prefix per goal.
MEASURE_PREFIX = "massnahme-{}"


def template_text(request: StaffRequest, kind: str) -> str:
    """The text of the template named by ``?vorlage=<id>``, if the person may use it."""
    raw = request.GET.get("vorlage", "")
    if not raw:
        return ""
    try:
        return actions.apply_template(request.user, raw, kind=kind).text
    except Http404:
        flash.warning(request, _("This template does not exist (any more)."))
        return ""


# -- a new plan --------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request: StaffRequest, case_id: int) -> HttpResponse:
    case = access.access_case(request.user, case_id, write=True)
    status = 200
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = actions.create_plan(
                    request.user,
                    case,
                    kind=data["kind"],
                    title=data["title"],
                    situation=data["situation"],
                    participants=data["participants"],
                    form_token=data["form_token"],
                )
            except ValidationError as error:
                add_domain_error(form, error)
            else:
                flash.success(request, _("The plan is made. Now add its goals."))
                return redirect("cases:plan", plan.pk)
        status = 400
    else:
        form = PlanForm(initial={"situation": template_text(request, TemplateKind.PLAN)})
    return render(
        request,
        "cases/plan_new.html",
        {
            "case": case,
            "form": form,
            "templates": queries.offered_templates(request.user, TemplateKind.PLAN),
        },
        status=status,
    )


# -- the plan page -----------------------------------------------------------------------


def _plan_page(
    request: StaffRequest, plan: Plan, *, status: int = 200, **forms: Any
) -> HttpResponse:
    page = queries.plan_page(request.user, plan)
    live = plan.status in LIVE_PLAN_STATES and not page.shredded and page.rights.write
    context: dict[str, Any] = {
        "page": page,
        "plan": plan,
        "case": plan.case,
        "chart": charts.progress_chart(page.goals),
        "live": live,
        "pending_reviews": [r for r in page.reviews if r.held_on is None],
        "held_reviews": [r for r in page.reviews if r.held_on is not None],
        "goal_form": forms.get("goal_form") or (GoalForm() if page.editable else None),
        "schedule_form": forms.get("schedule_form") or (ScheduleReviewForm() if live else None),
        "agreement_form": forms.get("agreement_form")
        or (
            AgreementForm(timezone.localdate(plan.created_at))
            if live and plan.agreed_on is None
            else None
        ),
    }
    # A measure form that failed is shown again with its errors, even if the plan has
    # become read-only meanwhile (agreed in another tab): the refusal must be seen.
    failed: MeasureForm | None = forms.get("measure_form")
    failed_goal = forms.get("measure_goal")
    staff = staff_for_case(plan.case) if page.editable else []
    measure_forms: dict[int, MeasureForm] = {}
    for goal in page.goals:
        if failed is not None and goal.id == failed_goal:
            measure_forms[goal.id] = failed
        elif page.editable:
            measure_forms[goal.id] = MeasureForm(staff, prefix=MEASURE_PREFIX.format(goal.id))
    context["goals"] = [(goal, measure_forms.get(goal.id)) for goal in page.goals]
    return render(request, "cases/plan.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET"])
def plan(request: StaffRequest, plan_id: int) -> HttpResponse:
    return _plan_page(request, access.access_plan(request.user, plan_id))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: StaffRequest, plan_id: int) -> HttpResponse:
    plan = access.access_plan(request.user, plan_id, write=True)
    page = queries.plan_page(request.user, plan)
    if not page.editable:
        flash.error(
            request,
            _(
                "This version of the plan cannot be changed any more. To change it, please "
                "make a new version."
            ),
        )
        return redirect("cases:plan", plan.pk)
    status = 200
    if request.method == "POST":
        form = PlanEditForm(request.POST)
        if form.is_valid():
            try:
                changed = actions.update_plan(request.user, plan, **form.cleaned_data)
            except ValidationError as error:
                add_domain_error(form, error)
            else:
                if changed:
                    flash.success(request, _("The plan is saved."))
                else:
                    flash.info(request, _("Nothing changed."))
                return redirect("cases:plan", plan.pk)
        status = 400
    else:
        form = PlanEditForm(
            initial={
                "title": page.title,
                "situation": page.situation,
                "participants": page.participants,
            }
        )
    return render(
        request,
        "cases/plan_edit.html",
        {"plan": plan, "page": page, "form": form},
        status=status,
    )


@never_cache
@login_required
@require_POST
def goal_add(request: StaffRequest, plan_id: int) -> HttpResponse:
    plan = access.access_plan(request.user, plan_id, write=True)
    form = GoalForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_goal(
                request.user,
                plan,
                wording=data["wording"],
                indicator=data["indicator"],
                target_on=data["target_on"],
                form_token=data["form_token"],
            )
        except ValidationError as error:
            add_domain_error(form, error, "target_on" if error.code == "past" else None)
        else:
            flash.success(request, _("The goal is added."))
            return redirect(reverse("cases:plan", args=[plan.pk]) + "#ziele")
    return _plan_page(request, plan, status=400, goal_form=form)


@never_cache
@login_required
@require_POST
def measure_add(request: StaffRequest, plan_id: int, goal_id: int) -> HttpResponse:
    plan = access.access_plan(request.user, plan_id, write=True)
    goal = Goal.objects.filter(pk=access.parse_id(goal_id), plan=plan).first()
    if goal is None:
        raise Http404
    goal.plan = plan
    form = MeasureForm(
        staff_for_case(plan.case), request.POST, prefix=MEASURE_PREFIX.format(goal.pk)
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_measure(
                request.user,
                goal,
                text=data["text"],
                responsible=data["responsible"],
                staff=data["staff"],
                partner=data["partner"],
                form_token=data["form_token"],
            )
        except ValidationError as error:
            add_domain_error(form, error)
        else:
            flash.success(request, _("The measure is added."))
            return redirect(reverse("cases:plan", args=[plan.pk]) + f"#ziel-{goal.pk}")
    return _plan_page(request, plan, status=400, measure_form=form, measure_goal=goal.pk)


# -- reviews -----------------------------------------------------------------------------


@never_cache
@login_required
@require_POST
def review_schedule(request: StaffRequest, plan_id: int) -> HttpResponse:
    plan = access.access_plan(request.user, plan_id, write=True)
    form = ScheduleReviewForm(request.POST)
    if form.is_valid():
        try:
            actions.schedule_review(request.user, plan, form.cleaned_data["due_on"])
        except ValidationError as error:
            add_domain_error(form, error, "due_on" if error.code == "past" else None)
        else:
            flash.success(request, _("The review date is set."))
            return redirect(reverse("cases:plan", args=[plan.pk]) + "#ueberpruefungen")
    return _plan_page(request, plan, status=400, schedule_form=form)


def _pending_review(plan: Plan, review_id: int) -> Review:
    review = Review.objects.filter(pk=access.parse_id(review_id), plan=plan).first()
    if review is None:
        raise Http404
    review.plan = plan
    return review


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def review_record(request: StaffRequest, plan_id: int, review_id: int) -> HttpResponse:
    plan = access.access_plan(request.user, plan_id, write=True)
    review = _pending_review(plan, review_id)
    if review.held_on is not None:
        flash.info(request, _("This review was recorded already."))
        return redirect(reverse("cases:plan", args=[plan.pk]) + "#ueberpruefungen")
    if plan.status not in LIVE_PLAN_STATES or plan.case.data_key.is_shredded:
        flash.error(request, _("This plan is closed or replaced; no review can be recorded."))
        return redirect(reverse("cases:plan", args=[plan.pk]) + "#ueberpruefungen")
    page = queries.plan_page(request.user, plan)
    status = 200
    if request.method == "POST":
        form = RecordReviewForm(page.goals, plan.case.opened_on, request.POST)
        if form.is_valid():
            try:
                actions.record_review(
                    request.user,
                    review,
                    held_on=form.cleaned_data["held_on"],
                    ratings=form.ratings(),
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                field = "held_on" if error.code in ("future", "order") else None
                add_domain_error(form, error, field)
            else:
                flash.success(request, _("The review is recorded."))
                return redirect(reverse("cases:plan", args=[plan.pk]) + "#fortschritt")
        status = 400
    else:
        form = RecordReviewForm(
            page.goals, plan.case.opened_on, initial={"held_on": timezone.localdate()}
        )
    return render(
        request,
        "cases/plan_review.html",
        {"plan": plan, "page": page, "review": review, "form": form},
        status=status,
    )


# -- agreement, status, versions ---------------------------------------------------------


@never_cache
@login_required
@require_POST
def agreement(request: StaffRequest, plan_id: int) -> HttpResponse:
    plan = access.access_plan(request.user, plan_id, write=True)
    form = AgreementForm(timezone.localdate(plan.created_at), request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_agreement(
                request.user, plan, agreed_on=data["agreed_on"], how=data["how"], note=data["note"]
            )
        except ValidationError as error:
            field = "agreed_on" if error.code in ("future", "order") else None
            add_domain_error(form, error, field)
        else:
            flash.success(request, _("The client's agreement is recorded; the plan is in force."))
            return redirect("cases:plan", plan.pk)
    return _plan_page(request, plan, status=400, agreement_form=form)


@never_cache
@login_required
@require_POST
def plan_status(request: StaffRequest, plan_id: int) -> HttpResponse:
    plan = access.access_plan(request.user, plan_id, write=True)
    wanted = request.POST.get("status", "")
    try:
        changed = actions.set_plan_status(request.user, plan, wanted)
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
    else:
        if not changed:
            flash.info(request, _("Nothing changed."))
        elif wanted == PlanStatus.COMPLETED:
            flash.success(request, _("The plan is completed."))
        else:
            flash.success(request, _("The plan is in force."))
    return redirect("cases:plan", plan.pk)


@never_cache
@login_required
@require_POST
def new_version(request: StaffRequest, plan_id: int) -> HttpResponse:
    plan = access.access_plan(request.user, plan_id, write=True)
    try:
        new = actions.new_plan_version(request.user, plan)
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
        return redirect("cases:plan", plan.pk)
    flash.success(
        request,
        _("Version %(version)d is made from version %(previous)d; you can change it now.")
        % {"version": new.version, "previous": plan.version},
    )
    return redirect("cases:plan", new.pk)


# -- the PDF -----------------------------------------------------------------------------


@never_cache
@login_required
@require_POST
def plan_export(request: StaffRequest, plan_id: int) -> HttpResponse:
    """The plan as a PDF; the export is recorded (a disclosure, audited) before it leaves."""
    plan = access.access_plan(request.user, plan_id)
    try:
        actions.record_disclosure(
            request.user, plan.case, kind=DisclosureKind.EXPORT, include_restricted=False
        )
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
        return redirect("cases:plan", plan.pk)
    page = queries.plan_page(request.user, plan)
    content, filename = plan_pdf(page)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
