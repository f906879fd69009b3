"""Pages of the partner network: thin — the access door, a form, one action, a page or a
redirect with a message. Who may do what is in ``access``; every write in ``actions``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hafen.accounts.models import User
from hafen.cases import access as case_access
from hafen.cases.access import CaseRights
from hafen.cases.models import Case
from hafen.lib.http import StaffRequest
from hafen.network import access, actions, csv_io, forms, queries
from hafen.network.models import Partner, Referral, ReferralOutcome
from hafen.privacy.consent import queries as consent_queries
from hafen.privacy.consent.models import ConsentKind
from hafen.privacy.consent.views import state_line

View = Callable[..., HttpResponse]


def reader(view: View) -> View:
    """Logged in (else to the login) and staff of an organisation (else 404)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.may_read(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def editor(view: View) -> View:
    """Logged in and allowed to edit the network (counsellors, leadership, communications)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.may_edit(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _organisation_id(request: StaffRequest) -> int:
    assert request.user.organisation_id is not None  # the decorators let only staff in
    return request.user.organisation_id


def _show(form: Form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


def _status(request: HttpRequest) -> int:
    return 400 if request.method == "POST" else 200


# -- the directory -----------------------------------------------------------------------


@never_cache
@reader
@require_GET
def directory(request: StaffRequest) -> HttpResponse:
    organisation_id = _organisation_id(request)
    suggestions = queries.filter_values(organisation_id)
    form = forms.FilterForm(request.GET or None, suggestions=suggestions)
    terms: dict[str, str] = {"query": "", "service": "", "area": "", "language": ""}
    if form.is_valid():
        data = form.cleaned_data
        terms = {
            "query": data["q"],
            "service": data["service"],
            "area": data["area"],
            "language": data["language"],
        }
    partners = list(
        queries.directory(
            organisation_id,
            query=terms["query"],
            service=terms["service"],
            area=terms["area"],
            language=terms["language"],
        )[:500]
    )
    return render(
        request,
        "network/directory.html",
        {
            "form": form,
            "partners": partners,
            "filtered": any(str(value).strip() for value in terms.values()),
            "suggestions": suggestions,
            "may_edit": access.may_edit(request.user),
        },
    )


@never_cache
@editor
@require_http_methods(["GET", "POST"])
def partner_new(request: StaffRequest) -> HttpResponse:
    form = forms.PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partner = actions.create_partner(request.user, **form.cleaned_data)
        except ValidationError as error:
            _show(form, error)
        else:
            flash.success(request, _("The partner organisation was added to the directory."))
            return redirect("network:partner", partner_id=partner.pk)
    return render(
        request,
        "network/partner_form.html",
        {"form": form, "partner": None},
        status=_status(request),
    )


@never_cache
@reader
@require_GET
def partner(request: StaffRequest, partner_id: int) -> HttpResponse:
    found = access.access_partner(request.user, partner_id)
    may_edit = access.may_edit(request.user)
    contacts = queries.contacts_of(found)
    today = timezone.localdate()
    return render(
        request,
        "network/partner.html",
        {
            "partner": found,
            "contacts": [
                (contact, queries.needs_confirmation(contact, today)) for contact in contacts
            ],
            "agreements": list(
                found.agreements.select_related("responsible").order_by("review_on")
            ),
            "referral_count": found.referrals.count(),
            "may_edit": may_edit,
            "contact_form": forms.ContactForm(auto_id="kontakt-%s") if may_edit else None,
        },
    )


@never_cache
@editor
@require_http_methods(["GET", "POST"])
def partner_edit(request: StaffRequest, partner_id: int) -> HttpResponse:
    found = access.access_partner(request.user, partner_id, edit=True)
    initial = {name: getattr(found, name) for name in actions.PARTNER_FIELDS}
    initial["is_active"] = found.is_active
    form = forms.PartnerEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_partner(request.user, found, **form.cleaned_data)
        except ValidationError as error:
            _show(form, error)
        else:
            flash.success(request, _("The partner organisation was saved."))
            return redirect("network:partner", partner_id=found.pk)
    return render(
        request,
        "network/partner_form.html",
        {"form": form, "partner": found},
        status=_status(request),
    )


@never_cache
@editor
@require_http_methods(["GET", "POST"])
def partner_import(request: StaffRequest) -> HttpResponse:
    organisation_id = _organisation_id(request)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        names = Partner.objects.filter(organisation_id=organisation_id).values_list(
            "name", flat=True
        )
        try:
            result = csv_io.parse(upload.read(csv_io.MAX_IMPORT_BYTES + 1), existing_names=names)
            if result.errors:
                errors = result.errors
            else:
                made = actions.import_partners(request.user, result.rows)
        except ValidationError as error:
            _show(form, error)
        else:
            if not errors:
                flash.success(
                    request,
                    _("%(count)s partner organisations were imported.") % {"count": len(made)},
                )
                return redirect("network:directory")
    return render(
        request,
        "network/import.html",
        {
            "form": form,
            "errors": errors[: csv_io.MAX_REPORTED_ERRORS],
            "more_errors": max(0, len(errors) - csv_io.MAX_REPORTED_ERRORS),
        },
        status=_status(request),
    )


@never_cache
@reader
@require_GET
def partner_export(request: StaffRequest) -> HttpResponse:
    partners = queries.directory(_organisation_id(request), include_inactive=True)
    response = HttpResponse(
        "\ufeff" + csv_io.export(partners), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="partner.csv"'
    return response


# -- contacts ----------------------------------------------------------------------------


@never_cache
@editor
@require_http_methods(["GET", "POST"])
def contact_add(request: StaffRequest, partner_id: int) -> HttpResponse:
    found = access.access_partner(request.user, partner_id, edit=True)
    form = forms.ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_contact(request.user, found, **form.cleaned_data)
        except ValidationError as error:
            _show(form, error)
        else:
            flash.success(request, _("The contact person was added."))
            return redirect(reverse("network:partner", args=[found.pk]) + "#kontakte")
    return render(
        request,
        "network/contact_form.html",
        {"form": form, "partner": found, "contact": None},
        status=_status(request),
    )


@never_cache
@editor
@require_http_methods(["GET", "POST"])
def contact_edit(request: StaffRequest, contact_id: int) -> HttpResponse:
    contact = access.access_contact(request.user, contact_id, edit=True)
    initial = {
        name: getattr(contact, name) for name in ("name", "function", "phone", "email", "notes")
    }
    form = forms.ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_contact(request.user, contact, **form.cleaned_data)
        except ValidationError as error:
            _show(form, error)
        else:
            flash.success(request, _("The contact person was saved and is confirmed as of today."))
            return redirect(reverse("network:partner", args=[contact.partner_id]) + "#kontakte")
    return render(
        request,
        "network/contact_form.html",
        {"form": form, "partner": contact.partner, "contact": contact},
        status=_status(request),
    )


@editor
@require_POST
def contact_confirm(request: StaffRequest, contact_id: int) -> HttpResponse:
    contact = access.access_contact(request.user, contact_id, edit=True)
    actions.confirm_contact(request.user, contact)
    flash.success(request, _("Confirmed: the details of %(name)s are right.") % {"name": contact})
    return redirect(reverse("network:partner", args=[contact.partner_id]) + "#kontakte")


@editor
@require_POST
def contact_delete(request: StaffRequest, contact_id: int) -> HttpResponse:
    contact = access.access_contact(request.user, contact_id, edit=True)
    partner_id = contact.partner_id
    actions.delete_contact(request.user, contact)
    flash.success(request, _("The contact person was deleted."))
    return redirect(reverse("network:partner", args=[partner_id]) + "#kontakte")


# -- cooperation agreements --------------------------------------------------------------


def _agreement_page(
    request: StaffRequest, partner: Partner, agreement: Any, initial: dict[str, Any] | None
) -> HttpResponse:
    form = forms.AgreementForm(
        request.POST or None, initial=initial, organisation_id=partner.organisation_id
    )
    if request.method == "POST" and form.is_valid():
        try:
            if agreement is None:
                actions.create_agreement(request.user, partner, **form.cleaned_data)
            else:
                actions.update_agreement(request.user, agreement, **form.cleaned_data)
        except ValidationError as error:
            _show(form, error)
        else:
            flash.success(request, _("The agreement was saved."))
            return redirect(reverse("network:partner", args=[partner.pk]) + "#vereinbarungen")
    return render(
        request,
        "network/agreement_form.html",
        {"form": form, "partner": partner, "agreement": agreement},
        status=_status(request),
    )


@never_cache
@editor
@require_http_methods(["GET", "POST"])
def agreement_add(request: StaffRequest, partner_id: int) -> HttpResponse:
    found = access.access_partner(request.user, partner_id, edit=True)
    return _agreement_page(request, found, None, {"responsible": request.user.pk})


@never_cache
@editor
@require_http_methods(["GET", "POST"])
def agreement_edit(request: StaffRequest, agreement_id: int) -> HttpResponse:
    agreement = access.access_agreement(request.user, agreement_id, edit=True)
    initial = {
        "title": agreement.title,
        "text": agreement.text,
        "responsible": agreement.responsible_id,
        "review_on": agreement.review_on,
    }
    return _agreement_page(request, agreement.partner, agreement, initial)


# -- referrals ---------------------------------------------------------------------------


def case_panel(user: User, case: Case, rights: CaseRights) -> dict[str, Any]:
    """The case page's referrals (``cases/case_page.html`` includes the fragment)."""
    state = consent_queries.consent_state(ConsentKind.REFERRAL, case)
    shredded = case.data_key.is_shredded
    return {
        "referrals": queries.case_referrals(case),
        "consent_line": state_line(state),
        "may_refer": rights.write and not shredded,
        "new_url": reverse("network:referral_new", args=[case.pk]),
    }


@never_cache
@login_required  # the case decides the rest
@require_http_methods(["GET", "POST"])
def referral_new(request: StaffRequest, case_id: int) -> HttpResponse:
    case = case_access.access_case(request.user, case_id, write=True)
    state = consent_queries.consent_state(ConsentKind.REFERRAL, case)
    needs_consent = state.state != "given"
    form = forms.ReferralForm(
        request.POST or None, organisation_id=case.organisation_id, needs_consent=needs_consent
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.refer(
                request.user,
                case,
                data["partner"],
                passed_on=data["passed_on"],
                referred_on=data["referred_on"],
                consent_method=data.get("consent_method", ""),
                consent_given_on=data.get("consent_given_on"),
            )
        except ValidationError as error:
            _show(form, error)
        else:
            flash.success(
                request,
                _("The referral to %(partner)s is recorded in the case file.")
                % {"partner": data["partner"]},
            )
            return redirect(reverse("cases:case", args=[case.pk]) + "#vermittlungen")
    return render(
        request,
        "network/referral_form.html",
        {
            "form": form,
            "case": case,
            "consent_line": state_line(state),
            "needs_consent": needs_consent,
            "consent_text": consent_queries.current_text(case.organisation_id, ConsentKind.REFERRAL)
            if needs_consent
            else None,
            "no_partners": not form.fields["partner"].queryset.exists(),  # type: ignore[attr-defined]
        },
        status=_status(request),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def referral_outcome(request: StaffRequest, referral_id: int) -> HttpResponse:
    referral: Referral = access.access_referral(request.user, referral_id, write=True)
    form = forms.OutcomeForm(
        request.POST or None,
        initial={
            "outcome": referral.outcome,
            "outcome_on": referral.outcome_on or timezone.localdate(),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_outcome(
                request.user,
                referral,
                outcome=form.cleaned_data["outcome"],
                outcome_on=form.cleaned_data["outcome_on"],
            )
        except ValidationError as error:
            _show(form, error)
        else:
            flash.success(
                request,
                _("Outcome recorded: %(outcome)s.")
                % {"outcome": ReferralOutcome(referral.outcome).label},
            )
            return redirect(reverse("cases:case", args=[referral.case_id]) + "#vermittlungen")
    return render(
        request,
        "network/referral_outcome.html",
        {"form": form, "referral": referral, "case": referral.case},
        status=_status(request),
    )
