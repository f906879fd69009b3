"""The register of processing activities as a page and a PDF, for the DPO."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hafen.accounts import access
from hafen.accounts.models import Organisation, Role, User
from hafen.lib import pdf
from hafen.lib.http import StaffRequest
from hafen.privacy import register

# The DPO keeps the register; leadership answers for it and admins install what it
# describes. It names no client and no case, so no need-to-know applies.
READERS = (Role.DPO, Role.LEADERSHIP, Role.ADMIN)


def _officers(organisation: Organisation | None) -> str:
    if organisation is None:
        return "—"
    people = User.objects.filter(
        is_active=True,
        memberships__organisation=organisation,
        memberships__role=Role.DPO,
    ).distinct()
    return ", ".join(sorted(str(person) for person in people)) or "—"


def _controller(organisation: Organisation | None) -> list[tuple[str, str]]:
    return [
        (_("Controller"), organisation.name if organisation else "—"),
        (_("Data-protection officer"), _officers(organisation)),
        (_("As of"), date_format(timezone.localdate(), "DATE_FORMAT")),
    ]


@access.require_role(*READERS)
@require_GET
@never_cache
def register_page(request: StaffRequest) -> HttpResponse:
    organisation = request.user.organisation
    context = {
        "organisation": organisation,
        "controller": _controller(organisation),
        "general": register.GENERAL_SAFEGUARDS,
        "activities": [(p, register.describe(p)) for p in register.register()],
    }
    return render(request, "privacy/register.html", context)


@access.require_role(*READERS)
@require_GET
@never_cache
def register_pdf(request: StaffRequest) -> HttpResponse:
    organisation = request.user.organisation
    # Label above value, not a two-column list: the labels are long German words
    # that a narrow column would break in the middle.
    blocks: list[pdf.Block] = [
        pdf.Paragraph("\n".join(f"{label}: {value}" for label, value in _controller(organisation))),
        pdf.Heading(_("Measures for every processing")),
        pdf.Paragraph("\n".join(f"• {text}" for text in register.GENERAL_SAFEGUARDS)),
    ]
    for number, processing in enumerate(register.register(), start=1):
        blocks.append(pdf.Heading(f"{number}. {processing.name}"))
        for label, values in register.describe(processing):
            blocks.append(pdf.Heading(str(label), level=2))
            lines = [str(value) for value in values]
            text = lines[0] if len(lines) == 1 else "\n".join(f"• {line}" for line in lines)
            blocks.append(pdf.Paragraph(text))
    title = _("Register of processing activities")
    data = pdf.render_pdf(
        title, blocks, footer=_("Register of processing activities (Art. 30 DSGVO)")
    )
    response = HttpResponse(data, content_type="application/pdf")
    name = _("register-of-processing") + ".pdf"
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response
