"""Pages of consent: the DPO's texts, versions and records; a case file's consent forms.

The DPO publishes; leadership reads the texts and figures; only the DPO sees who
agreed (subjects by conversation or file number, never content). Pages with a kind
or version in the address answer 404 to everybody else, so that staff of another
organisation learn nothing. The case forms use the cases app's door
(``cases.access.access_case``): who may not write the case gets 404 (403 for a
volunteer who reads it).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from hafen.accounts import access
from hafen.accounts.models import Role
from hafen.cases import access as case_access
from hafen.cases.access import CaseRights
from hafen.cases.models import Case
from hafen.lib.http import StaffRequest
from hafen.privacy.consent import actions, forms, queries
from hafen.privacy.consent.models import ConsentKind, ConsentRecord, ConsentText

READERS = (Role.DPO, Role.LEADERSHIP)
PUBLISHERS = actions.PUBLISHERS
PER_PAGE = 100


def _require_role_or_404(*roles: Role) -> Callable[[Any], Any]:
    """Logged in (else to the login) and holding one of ``roles`` (else 404)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return access.redirect_to_login(request)
            if getattr(request.user, "organisation_id", None) is None or not access.has_role(
                request.user, *roles
            ):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _kind(slug: str) -> str:
    kind = queries.KINDS_BY_SLUG.get(slug)
    if kind is None:
        raise Http404
    return kind


def _organisation_id(request: StaffRequest) -> int:
    organisation_id = request.user.organisation_id
    assert organisation_id is not None  # the decorators let only organisation staff in
    return organisation_id


def _version(request: StaffRequest, kind: str, number: int) -> ConsentText:
    found = queries.version(_organisation_id(request), kind, number)
    if found is None:
        raise Http404
    return found


def _is_publisher(request: StaffRequest) -> bool:
    return access.has_role(request.user, *PUBLISHERS)


# -- the DPO's pages ---------------------------------------------------------------------


@access.require_role(*READERS)
@require_GET
@never_cache
def overview(request: StaffRequest) -> HttpResponse:
    if request.user.organisation_id is None:
        raise Http404
    context = {
        "kinds": queries.overview(_organisation_id(request)),
        "may_publish": _is_publisher(request),
    }
    return render(request, "privacy/consent/overview.html", context)


@_require_role_or_404(*READERS)
@require_GET
@never_cache
def history(request: StaffRequest, kind: str) -> HttpResponse:
    kind = _kind(kind)
    context = {
        "kind": kind,
        "slug": queries.SLUGS[kind],
        "label": ConsentKind(kind).label,
        "versions": queries.history(_organisation_id(request), kind),
        "may_publish": _is_publisher(request),
    }
    return render(request, "privacy/consent/history.html", context)


@_require_role_or_404(*READERS)
@require_GET
@never_cache
def version(request: StaffRequest, kind: str, number: int) -> HttpResponse:
    kind = _kind(kind)
    text = _version(request, kind, number)
    context = {
        "kind": kind,
        "slug": queries.SLUGS[kind],
        "label": ConsentKind(kind).label,
        "text": text,
        "counts": queries.counts_of(text),
        "is_current": queries.current_text(_organisation_id(request), kind).number == text.number,
        "is_dpo": _is_publisher(request),
    }
    return render(request, "privacy/consent/version.html", context)


@_require_role_or_404(*PUBLISHERS)
@require_http_methods(["GET", "POST"])
@never_cache
def publish(request: StaffRequest, kind: str) -> HttpResponse:
    kind = _kind(kind)
    current = queries.current_text(_organisation_id(request), kind)
    initial = {
        "title": current.title,
        "body_de": current.body_de,
        "body_en": current.body_en,
        "body_easy": current.body_easy,
    }
    form = forms.PublishForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                new = actions.publish_version(request.user, kind, **form.cleaned_data)
            except ValidationError as error:
                _show(form, error)
            else:
                flash.success(
                    request,
                    _("Version %(number)s is published and in force from now on.")
                    % {"number": new.number},
                )
                return redirect("privacy:consent_version", queries.SLUGS[kind], new.number)
    context = {
        "kind": kind,
        "slug": queries.SLUGS[kind],
        "label": ConsentKind(kind).label,
        "current": current,
        "form": form,
    }
    return render(request, "privacy/consent/publish.html", context, status=status)


@_require_role_or_404(*PUBLISHERS)
@require_GET
@never_cache
def records(request: StaffRequest, kind: str, number: int) -> HttpResponse:
    kind = _kind(kind)
    text = _version(request, kind, number)
    listed = queries.records_of(text) if text.pk else ConsentRecord.objects.none()
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("seite"))
    context = {
        "kind": kind,
        "slug": queries.SLUGS[kind],
        "label": ConsentKind(kind).label,
        "text": text,
        "counts": queries.counts_of(text),
        "page": page,
        "records": page.object_list,
    }
    return render(request, "privacy/consent/records.html", context)


# -- a case file's consents --------------------------------------------------------------


def _show(form: Form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


def _case_kind(slug: str) -> str:
    kind = _kind(slug)
    if kind not in actions.CASE_KINDS:
        raise Http404
    return kind


def _versions(organisation_id: int, kind: str) -> list[ConsentText]:
    stored = list(ConsentText.objects.of(organisation_id, kind).order_by("-number"))
    return stored or [queries.unsaved_default(organisation_id, kind)]


def _auto_id(kind: str, action: str) -> str:
    return f"consent-{queries.SLUGS[kind]}-{action}-%s"


def state_line(state: queries.ConsentState) -> str:
    """ "Consent to case documentation: given on 3.11.2026, version 2, in writing"."""
    record = state.record
    if record is None:
        return _("%(kind)s: none recorded") % {"kind": state.label}
    if state.state == "withdrawn" and record.withdrawn_on is not None:
        return _("%(kind)s: withdrawn on %(date)s (given on %(given)s, version %(number)s)") % {
            "kind": state.label,
            "date": date_format(record.withdrawn_on, "SHORT_DATE_FORMAT"),
            "given": date_format(record.given_on, "SHORT_DATE_FORMAT"),
            "number": record.version.number,
        }
    return _("%(kind)s: given on %(date)s, version %(number)s, %(method)s") % {
        "kind": state.label,
        "date": date_format(record.given_on, "SHORT_DATE_FORMAT"),
        "number": record.version.number,
        "method": record.get_method_display(),
    }


def case_panel(case: Case, rights: CaseRights) -> list[dict[str, Any]]:
    """The consents of a case file for its page, with the forms if the person writes."""
    may_write = rights.write and not case.data_key.is_shredded
    panel = []
    for state in queries.case_states(case):
        slug = queries.SLUGS[state.kind]
        row: dict[str, Any] = {"state": state, "line": state_line(state), "slug": slug}
        if may_write:
            row["record_form"] = forms.RecordForm(
                _versions(case.organisation_id, state.kind),
                auto_id=_auto_id(state.kind, "record"),
            )
            row["record_url"] = reverse("privacy:consent_case_record", args=[case.pk, slug])
            if state.state == "given":
                row["withdraw_form"] = forms.WithdrawForm(auto_id=_auto_id(state.kind, "withdraw"))
                row["withdraw_url"] = reverse("privacy:consent_case_withdraw", args=[case.pk, slug])
        panel.append(row)
    return panel


def _case_form_page(
    request: StaffRequest, case: Case, kind: str, form: Form, *, withdraw: bool, status: int
) -> HttpResponse:
    context = {
        "case": case,
        "kind": kind,
        "label": ConsentKind(kind).label,
        "line": state_line(queries.consent_state(kind, case)),
        "form": form,
        "withdraw": withdraw,
    }
    return render(request, "privacy/consent/case_form.html", context, status=status)


@login_required  # the case decides the rest
@require_http_methods(["GET", "POST"])
@never_cache
def case_record(request: StaffRequest, case_id: int, kind: str) -> HttpResponse:
    case = case_access.access_case(request.user, case_id, write=True)
    kind = _case_kind(kind)
    versions = _versions(case.organisation_id, kind)
    data = request.POST if request.method == "POST" else None
    form = forms.RecordForm(versions, data, auto_id=_auto_id(kind, "record"))
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_consent(
                request.user,
                kind,
                case,
                method=form.cleaned_data["method"],
                given_on=form.cleaned_data["given_on"],
                number=form.cleaned_data["number"],
            )
        except ValidationError as error:
            _show(form, error)
        else:
            flash.success(
                request,
                _("Recorded: %(line)s.") % {"line": state_line(queries.consent_state(kind, case))},
            )
            return redirect(reverse("cases:case", args=[case.pk]) + "#einwilligungen")
    status = 400 if request.method == "POST" else 200
    return _case_form_page(request, case, kind, form, withdraw=False, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def case_withdraw(request: StaffRequest, case_id: int, kind: str) -> HttpResponse:
    case = case_access.access_case(request.user, case_id, write=True)
    kind = _case_kind(kind)
    data = request.POST if request.method == "POST" else None
    form = forms.WithdrawForm(data, auto_id=_auto_id(kind, "withdraw"))
    if request.method == "POST" and form.is_valid():
        try:
            actions.withdraw_consent(
                request.user, kind, case, withdrawn_on=form.cleaned_data["withdrawn_on"]
            )
        except ValidationError as error:
            _show(form, error)
        else:
            flash.success(
                request,
                _("Recorded: %(line)s.") % {"line": state_line(queries.consent_state(kind, case))},
            )
            return redirect(reverse("cases:case", args=[case.pk]) + "#einwilligungen")
    status = 400 if request.method == "POST" else 200
    return _case_form_page(request, case, kind, form, withdraw=True, status=status)
