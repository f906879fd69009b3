"""Pages of the strategy: thin — a policy decorator, the access helper, a form, one
action, a page or a redirect with a message."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hafen.accounts.access import require_role
from hafen.accounts.models import Facility
from hafen.lib.http import StaffRequest
from hafen.strategy import access, actions, forms, queries
from hafen.strategy.access import EDIT_ROLES, SIGN_ROLES
from hafen.strategy.actions import StrategyError
from hafen.strategy.models import StrategyVersion
from hafen.strategy.sections import BASICS, SECTIONS


def _version_context(version: StrategyVersion, organisation_id: int) -> dict[str, Any]:
    scope_list = queries.scopes(version, organisation_id)
    return {
        "version": version,
        "scopes": scope_list,
        "hours": queries.total_hours(scope_list),
        "has_additions": any(not scope.is_empty for scope in scope_list[1:]),
    }


@never_cache
@login_required
@require_GET
def strategy(request: StaffRequest) -> HttpResponse:
    """The signed strategy, for every staff member of the organisation."""
    organisation_id = access.organisation_id(request.user)
    signed = queries.signed_version(organisation_id)
    context: dict[str, Any] = {
        "may_edit": access.may_edit(request.user),
        "draft": queries.draft_version(organisation_id) if access.may_edit(request.user) else None,
    }
    if signed is not None:
        context.update(_version_context(signed, organisation_id))
    return render(request, "strategy/strategy.html", context)


@never_cache
@require_role(*EDIT_ROLES)
@require_GET
def draft(request: StaffRequest) -> HttpResponse:
    organisation_id = access.organisation_id(request.user)
    version = queries.draft_version(organisation_id)
    context: dict[str, Any] = {
        "may_sign": access.may_sign(request.user),
        "signed": queries.signed_version(organisation_id),
        "sections": SECTIONS,
    }
    if version is not None:
        context.update(_version_context(version, organisation_id))
        context["missing"] = actions.missing_for_signature(version)
        context["sign_form"] = forms.RevisionForm(
            initial={"version": version.pk, "revision": version.revision}
        )
    return render(request, "strategy/draft.html", context)


@require_role(*EDIT_ROLES)
@require_POST
def draft_start(request: StaffRequest) -> HttpResponse:
    try:
        version = actions.start_draft(request.user)
    except StrategyError as error:
        flash.error(request, error.message)
    else:
        flash.success(request, _("Draft version %(number)s is open.") % {"number": version.number})
    return redirect("strategy:draft")


def _scope(request: StaffRequest, organisation_id: int) -> Facility | None:
    """The facility whose addition is edited (``?einrichtung=<id>``), or None."""
    raw = request.GET.get("einrichtung", "")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise Http404
    try:
        return Facility.objects.get(pk=int(raw), organisation_id=organisation_id)
    except Facility.DoesNotExist:
        raise Http404 from None


def _stale(request: StaffRequest, version: StrategyVersion, revision: forms.RevisionForm) -> bool:
    """The form belongs to another draft or revision than the one open now."""
    return (
        not revision.is_valid()
        or revision.cleaned_data["version"] != version.pk
        or revision.cleaned_data["revision"] != version.revision
    )


STALE = gettext_lazy(
    "The draft was changed since you loaded it (perhaps by a colleague, or the form was sent "
    "twice). Nothing was saved; please look at the current draft."
)


def error_summary(form: Any, part_label: str) -> list[tuple[str, str]]:
    """Every error of the page as (field id, message) for the summary at its top: a
    person using a screen reader hears all of them at once and can jump to each field."""
    found: list[tuple[str, str]] = []
    if isinstance(form, forms.PartFormSet):
        found += [("", str(error)) for error in form.non_form_errors()]
        for index, row in enumerate(form.forms, start=1):
            found += [("", f"{part_label} {index}: {error}") for error in row.non_field_errors()]
            for field in row:
                found += [
                    (
                        field.id_for_label or field.auto_id,
                        f"{part_label} {index}, {field.label}: {error}",
                    )
                    for error in field.errors
                ]
    else:
        found += [("", str(error)) for error in form.non_field_errors()]
        for field in form:
            found += [
                (field.id_for_label or field.auto_id, f"{field.label}: {error}")
                for error in field.errors
            ]
    return found


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def draft_section(request: StaffRequest, section: str) -> HttpResponse:
    # 404, not 403, for people who may not edit: the URL carries a name.
    if not access.may_edit(request.user) or (section != BASICS and section not in SECTIONS):
        raise Http404
    organisation_id = access.organisation_id(request.user)
    version = queries.draft_version(organisation_id)
    if version is None:
        flash.info(request, _("There is no draft. Start one to change the strategy."))
        return redirect("strategy:draft")
    facility = None if section == BASICS else _scope(request, organisation_id)
    posted = request.method == "POST"
    revision = forms.RevisionForm(
        request.POST if posted else None,
        initial={"version": version.pk, "revision": version.revision},
    )
    if section == BASICS:
        form: Any = forms.BasicsForm(
            request.POST if posted else None,
            organisation_id=organisation_id,
            initial={
                "budget": version.budget,
                "budget_note": version.budget_note,
                "guideline": version.guideline_id,
                "rules_note": version.rules_note,
                "review_on": version.review_on,
            },
        )
        title = _("Budget, rules and review date")
        part_label = ""
        help_text = _(
            "The resources the organisation gives, the rules staff follow online, and when "
            "leadership looks at the strategy again."
        )
    else:
        meta = SECTIONS[section]
        parts = meta.model.objects.filter(version=version, facility=facility).order_by(
            "position", "pk"
        )
        initial = [
            {(name.removesuffix("_id")): getattr(part, name) for name in meta.fields}
            for part in parts
        ]
        form = forms.part_formset(
            section,
            organisation_id=organisation_id,
            data=request.POST if posted else None,
            initial=initial,
        )
        title = str(meta.title)
        part_label = str(meta.model._meta.verbose_name).capitalize()
        help_text = str(meta.help)
    if posted:
        if _stale(request, version, revision):
            flash.error(request, STALE)
            return redirect("strategy:draft")
        if form.is_valid():
            try:
                if section == BASICS:
                    actions.save_basics(
                        request.user, version.pk, version.revision, form.cleaned_data
                    )
                else:
                    actions.save_section(
                        request.user,
                        version.pk,
                        version.revision,
                        SECTIONS[section],
                        facility,
                        form.rows(),
                    )
            except StrategyError as error:
                flash.error(request, error.message)
            else:
                flash.success(request, _("Saved: %(section)s.") % {"section": title})
                anchor = f"#scope-{facility.pk}" if facility else ""
                return redirect(reverse("strategy:draft") + anchor)
    return render(
        request,
        "strategy/section_form.html",
        {
            "version": version,
            "section": section,
            "is_basics": section == BASICS,
            "facility": facility,
            "form": form,
            "revision": revision,
            "title": title,
            "help_text": help_text,
            "part_label": part_label,
            "errors": error_summary(form, part_label) if posted else [],
        },
        status=400 if posted else 200,
    )


@require_role(*SIGN_ROLES)
@require_POST
def sign(request: StaffRequest) -> HttpResponse:
    organisation_id = access.organisation_id(request.user)
    form = forms.RevisionForm(request.POST)
    if not form.is_valid():
        flash.error(request, _("The page was out of date. Please try again."))
        return redirect("strategy:draft")
    exists = StrategyVersion.objects.filter(
        pk=form.cleaned_data["version"], strategy__organisation_id=organisation_id
    ).exists()
    if not exists:
        raise Http404
    try:
        version = actions.sign(
            request.user, form.cleaned_data["version"], form.cleaned_data["revision"]
        )
    except StrategyError as error:
        flash.error(request, error.message)
        return redirect("strategy:draft")
    flash.success(
        request,
        _("You signed version %(number)s. Staff now see it as the strategy in force.")
        % {"number": version.number},
    )
    return redirect("strategy:strategy")


@require_role(*EDIT_ROLES)
@require_POST
def draft_discard(request: StaffRequest) -> HttpResponse:
    form = forms.RevisionForm(request.POST)
    if not form.is_valid():
        flash.error(request, _("The page was out of date. Please try again."))
        return redirect("strategy:draft")
    try:
        number = actions.discard_draft(
            request.user, form.cleaned_data["version"], form.cleaned_data["revision"]
        )
    except StrategyError as error:
        flash.error(request, error.message)
    else:
        flash.success(request, _("Draft version %(number)s was discarded.") % {"number": number})
    return redirect("strategy:draft")


@never_cache
@require_role(*EDIT_ROLES)
@require_GET
def history(request: StaffRequest) -> HttpResponse:
    organisation_id = access.organisation_id(request.user)
    found = queries.versions(organisation_id)  # newest first
    rows = list(zip(found, [*found[1:], None], strict=True))
    return render(request, "strategy/history.html", {"rows": rows})


@never_cache
@login_required
@require_GET
def version(request: StaffRequest, number: int) -> HttpResponse:
    found = access.access_version(request.user, number)
    organisation_id = access.organisation_id(request.user)
    return render(request, "strategy/version.html", _version_context(found, organisation_id))


def _number(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isdigit() and len(raw) <= 9 else None


@never_cache
@require_role(*EDIT_ROLES)
@require_GET
def compare(request: StaffRequest) -> HttpResponse:
    """Two versions side by side: ``?von=<number>&bis=<number>``; by default the signed
    version against the draft, or the last two."""
    organisation_id = access.organisation_id(request.user)
    all_versions = queries.versions(organisation_id)
    by_number = {found.number: found for found in all_versions}
    older_number = _number(request.GET.get("von", ""))
    newer_number = _number(request.GET.get("bis", ""))
    error = ""
    if older_number is None and newer_number is None and len(all_versions) >= 2:
        newer_number, older_number = all_versions[0].number, all_versions[1].number
    older = by_number.get(older_number) if older_number is not None else None
    newer = by_number.get(newer_number) if newer_number is not None else None
    changes = None
    status = 200
    if request.GET and (older is None or newer is None):
        error = _("Please choose two versions from the list.")
        status = 400
    elif older is not None and newer is not None:
        if older.number > newer.number:
            older, newer = newer, older
        changes = queries.compare(older, newer, organisation_id)
    return render(
        request,
        "strategy/compare.html",
        {
            "versions": all_versions,
            "older": older,
            "newer": newer,
            "changes": changes,
            "error": error,
        },
        status=status,
    )
