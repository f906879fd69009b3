"""The PDF of a case file (for a Hilfeplangespräch, the youth office, a court).

Every export is recorded first (``actions.record_disclosure``, audited). Entries
entrusted to the person or from third parties go along only if the person ticks
them and gives a reason (§65 SGB VIII); otherwise, and always for entries the person
may not read, the PDF says how many entries it leaves out, without anything of them.
"""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from hafen.accounts.models import User
from hafen.cases import access, actions, forms_files, queries
from hafen.cases.models import RESTRICTED, Case, CaseEntry, DisclosureKind
from hafen.cases.views.entries import file_response
from hafen.cases.views.files import posted, show_errors
from hafen.lib import pdf
from hafen.lib.http import StaffRequest


def _day(value: date | datetime | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "—"


def _people(users: list[User]) -> str:
    return ", ".join(str(user) for user in users) or "—"


def restricted_readable(user: User, case: Case) -> int:
    """How many entrusted or third-party entries of the case the person may read."""
    return (
        CaseEntry.objects.filter(case=case, confidentiality__in=RESTRICTED)
        .filter(Q(author=user) | Q(substitute=user))
        .count()
    )


def case_pdf(page: queries.CasePage, left_out: int) -> bytes:
    case = page.case
    facts = [
        (_("File number"), case.reference),
        (_("Pseudonym"), case.pseudonym),
        (_("Name"), page.name or "—"),
        (_("Contact"), page.contact or "—"),
        (_("Team"), case.team.name),
        (_("Category"), str(case.category or "—")),
        (_("Status"), case.get_status_display()),
        (_("Opened on"), _day(case.opened_on)),
        (_("Closed on"), _day(case.closed_on)),
        (_("Responsible staff"), _people(page.responsible)),
    ]
    blocks: list[pdf.Block] = [pdf.KeyValues(facts), pdf.Heading(_("Case history"))]
    if left_out:
        blocks.append(
            pdf.Paragraph(
                _(
                    "%(count)d entries are not part of this export: entrusted to a "
                    "staff member personally or information from third parties."
                )
                % {"count": left_out},
                muted=True,
            )
        )
    if not page.entries:
        blocks.append(pdf.Paragraph(_("No entries.")))
    for entry in sorted(page.entries, key=lambda e: (e.occurred_on, e.id)):
        blocks.append(pdf.Heading(f"{_day(entry.occurred_on)} · {entry.kind_label}", level=2))
        about = _("Written by %(author)s") % {"author": entry.author or "—"}
        if entry.corrected:
            about += " · " + _("corrected (version %(number)d) by %(name)s on %(date)s") % {
                "number": entry.version,
                "name": entry.corrected_by or "—",
                "date": _day(entry.corrected_at),
            }
        if entry.confidentiality in RESTRICTED:
            about += " · " + _("entrusted or third-party information, passed on with a reason")
        blocks.append(pdf.Paragraph(about, muted=True))
        blocks.append(pdf.Paragraph(entry.text if entry.text is not None else _("(erased)")))
        if entry.attachments:
            names = ", ".join(a.name for a in entry.attachments)
            blocks.append(pdf.Paragraph(_("Attachments: %(names)s") % {"names": names}, muted=True))
    title = _("Case file %(reference)s") % {"reference": case.reference}
    footer = _("Confidential: social data (§35 SGB I)") + f" · {case.reference}"
    return pdf.render_pdf(title, blocks, footer=footer)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def export_case(request: StaffRequest, case_id: int) -> HttpResponse:
    case = access.access_case(request.user, case_id)
    restricted = restricted_readable(request.user, case)
    form = forms_files.ExportForm(posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            include = bool(form.cleaned_data["include_restricted"]) and restricted > 0
            try:
                disclosure = actions.record_disclosure(
                    request.user,
                    case,
                    kind=DisclosureKind.EXPORT,
                    include_restricted=include,
                    reason=form.cleaned_data["reason"] if include else "",
                )
            except ValidationError as error:
                show_errors(form, error)
            else:
                page = queries.case_export(request.user, case, disclosure)
                left_out = CaseEntry.objects.filter(case=case).count() - len(page.entries)
                return file_response(
                    case_pdf(page, left_out), "application/pdf", f"{case.reference}.pdf"
                )
    context = {"case": case, "form": form, "restricted": restricted}
    return render(request, "cases/export.html", context, status=status)
