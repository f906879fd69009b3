from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hafen.accounts import access
from hafen.accounts.models import Role
from hafen.home.roles import PANELS, ROLE_PAGES
from hafen.lib.http import StaffRequest
from hafen.privacy import audit


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return redirect("home:start" if request.user.is_authenticated else "accounts:login")


@login_required
@require_GET
def start(request: StaffRequest) -> HttpResponse:
    held = access.roles_of(request.user)
    pages = [page for role, page in ROLE_PAGES.items() if role in held]
    if len(pages) == 1:
        return redirect("home:role", role=pages[0].role)
    return render(request, "home/start.html", {"pages": pages})


@login_required
@require_GET
def role_page(request: StaffRequest, role: str) -> HttpResponse:
    page = ROLE_PAGES.get(role)
    if page is None:
        raise Http404
    if not access.has_role(request.user, role):
        # Not a secret that the page exists, but not theirs: send them to their own.
        messages.info(request, _("That page belongs to a role you do not have."))
        return redirect("home:start")
    context: dict[str, Any] = {
        "page": page,
        "organisation": request.user.organisation,
        **page.context(request.user),
    }
    context["panels"] = [(panel.template, panel.context(request)) for panel in PANELS.get(role, [])]
    return render(request, page.template, context)


@access.require_role(Role.DPO)
@require_POST
def verify_audit(request: StaffRequest) -> HttpResponse:
    result = audit.verify()
    audit.record(
        "audit.verified",
        actor=request.user,
        organisation_id=request.user.organisation_id,
        intact=result.ok,
        checked=result.checked,
    )
    if result.ok:
        messages.success(
            request,
            _("The audit log is intact: %(count)d entries verified.") % {"count": result.checked},
        )
    else:
        reasons = {
            "missing": _("the entry is missing"),
            "out_of_order": _("it does not follow the entry before it"),
            "altered": _("its content was altered"),
            "truncated": _("entries at the end were removed"),
        }
        messages.error(
            request,
            _("The audit log is BROKEN at entry %(seq)s: %(reason)s.")
            % {"seq": result.broken_seq, "reason": reasons.get(result.kind, result.reason)},
        )
    return redirect("home:role", role=Role.DPO)
