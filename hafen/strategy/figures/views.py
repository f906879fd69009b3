"""The figures pages of leadership: one page per figure, the same filter on each, a CSV of
every table. Leadership sees counts and times only, never content (``compute``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hafen.accounts.access import has_role, require_role
from hafen.accounts.models import Organisation, Role
from hafen.lib.http import StaffRequest
from hafen.privacy import audit
from hafen.strategy.figures import charts, compute, export, report
from hafen.strategy.figures.forms import FiguresFilter, ReportForm
from hafen.strategy.figures.period import Period, Scope
from hafen.strategy.figures.suppression import MIN_COUNT, PROTECTED, Table


@dataclass(frozen=True)
class Section:
    slug: str
    title: object
    tables: Callable[[Scope, Period], list[tuple[Table, SafeString | None]]]


def _reachability(scope: Scope, period: Period) -> list[tuple[Table, SafeString | None]]:
    figure = compute.reachability(scope, period)
    return [
        (figure.by_team, charts.bars(figure.by_team, 3, str(figure.by_team.title))),
        (figure.by_hour, None),
    ]


def _responses(scope: Scope, period: Period) -> list[tuple[Table, SafeString | None]]:
    figure = compute.responses(scope, period)
    return [
        (figure.by_month, charts.bars(figure.by_month, 1, str(_("First answer: median")))),
        (figure.by_team, None),
    ]


def _bridge(scope: Scope, period: Period) -> list[tuple[Table, SafeString | None]]:
    figure = compute.bridge_funnel(scope, period)
    return [(figure.table, charts.bars(figure.table, 1, str(figure.table.title)))]


def _volume(scope: Scope, period: Period) -> list[tuple[Table, SafeString | None]]:
    figure = compute.volume(scope, period)
    return [
        (figure.by_month, charts.bars(figure.by_month, 1, str(_("New conversations")))),
        (figure.by_team, None),
        (figure.by_origin, None),
    ]


def _publishing(scope: Scope, period: Period) -> list[tuple[Table, SafeString | None]]:
    figure = compute.publishing(scope, period)
    return [(figure.by_month, None), (figure.by_channel, None)]


def _network(scope: Scope, period: Period) -> list[tuple[Table, SafeString | None]]:
    figure = compute.network(scope, period)
    return [(figure.referrals, None), (figure.events, None)]


def _goals(scope: Scope, period: Period) -> list[tuple[Table, SafeString | None]]:
    from hafen.strategy import goals  # the strategy's goals, read against these figures

    made = goals.report_section(scope, period)
    return [(table, None) for table in made[1]] if made else []


SECTIONS = [
    Section("erreichbarkeit", _("Reachability"), _reachability),
    Section("antwortzeiten", _("Response times"), _responses),
    Section("bruecke", _("Bridge"), _bridge),
    Section("umfang", _("Volume"), _volume),
    Section("oeffentlichkeit", _("Public communication"), _publishing),
    Section("netzwerk", _("Network"), _network),
    Section("ziele", _("Goals"), _goals),
]
_BY_SLUG = {section.slug: section for section in SECTIONS}


def _organisation(request: StaffRequest) -> Organisation:
    """Leadership's own organisation; 404 for everybody else (as for any page with a
    name in its address that is not theirs)."""
    organisation = request.user.organisation
    if organisation is None or not has_role(request.user, Role.LEADERSHIP):
        raise Http404
    return organisation


@require_GET
@require_role(Role.LEADERSHIP)
def index(request: StaffRequest) -> HttpResponse:
    target = redirect("figures:section", SECTIONS[0].slug)
    if request.GET:
        target["Location"] += "?" + request.GET.urlencode()
    return target


@never_cache
@require_GET
@login_required
def section(request: StaffRequest, slug: str) -> HttpResponse:
    chosen = _BY_SLUG.get(slug)
    if chosen is None:
        raise Http404
    organisation = _organisation(request)
    form = FiguresFilter(request.GET or None, organisation=organisation)
    valid = not form.is_bound or form.is_valid()
    period, scope = form.period(), form.scope()
    return render(
        request,
        "strategy/figures/section.html",
        {
            "form": form,
            "sections": SECTIONS,
            "section": chosen,
            "period": period,
            "scope": scope,
            "tables": chosen.tables(scope, period),
            "min_count": MIN_COUNT,
            "protected": PROTECTED,
            "query": request.GET.urlencode() if valid else "",
        },
        status=200 if valid else 400,
    )


@never_cache
@require_GET
@login_required
def download(request: StaffRequest, slug: str, key: str) -> HttpResponse:
    chosen = _BY_SLUG.get(slug)
    if chosen is None:
        raise Http404
    organisation = _organisation(request)
    form = FiguresFilter(request.GET or None, organisation=organisation)
    if form.is_bound and not form.is_valid():
        messages = "; ".join(str(error) for errors in form.errors.values() for error in errors)
        return HttpResponse(messages, status=400, content_type="text/plain; charset=utf-8")
    period = form.period()
    table = next((t for t, _chart in chosen.tables(form.scope(), period) if t.key == key), None)
    if table is None:
        raise Http404
    audit.record(
        "figures.downloaded", actor=request.user, organisation_id=organisation.pk, figure=key
    )
    response = HttpResponse(
        "\ufeff" + export.table_csv(table), content_type="text/csv; charset=utf-8"
    )
    name = f"hafen-{key}-{period.first:%Y-%m}-{period.last:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@never_cache
@require_GET
@login_required
def annual_report(request: StaffRequest) -> HttpResponse:
    """The form, and with a year the report as a page (``?format=pdf``: as a PDF)."""
    organisation = _organisation(request)
    form = ReportForm(request.GET or None, organisation=organisation)
    if not form.is_bound:
        return render(request, "strategy/figures/report_form.html", {"form": form})
    if not form.is_valid():
        return render(request, "strategy/figures/report_form.html", {"form": form}, status=400)
    made = report.build(form.scope(), form.cleaned_data["jahr"])
    if request.GET.get("format") == "pdf":
        audit.record(
            "figures.report_downloaded",
            actor=request.user,
            organisation_id=organisation.pk,
            year=made.year,
        )
        response = HttpResponse(report.report_pdf(made), content_type="application/pdf")
        name = f"jahresbericht-{made.year}-{organisation.slug}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(
        request,
        "strategy/figures/report.html",
        {"form": form, "report": made, "query": request.GET.urlencode(), "min_count": MIN_COUNT},
    )
