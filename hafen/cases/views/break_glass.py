"""Emergency access to a case file of another team (break-glass).

A stated reason, a time limit, an audit entry and a notice to the data-protection
officer (``actions.break_glass_case``); then the case opens, with a banner that says
how long the access lasts.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from hafen.cases import actions, forms_files
from hafen.cases.views.files import may_break_glass, posted, show_errors
from hafen.lib.http import StaffRequest


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def break_glass(request: StaffRequest) -> HttpResponse:
    if not may_break_glass(request.user):
        raise PermissionDenied
    initial = {"reference": request.GET.get("aktenzeichen", "")[:20]}
    form = forms_files.BreakGlassForm(posted(request), initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = actions.break_glass_case(
                    request.user, data["reference"], data["reason"], data["minutes"]
                )
            except ValidationError as error:
                code = getattr(error, "code", None)
                show_errors(form, error, "reference" if code in ("reference", "needless") else None)
            else:
                flash.warning(
                    request,
                    _(
                        "Emergency access to %(reference)s for %(minutes)d minutes. "
                        "The data-protection officer has been told."
                    )
                    % {"reference": case.reference, "minutes": data["minutes"]},
                )
                return redirect("cases:case", case.pk)
    return render(request, "cases/break_glass.html", {"form": form}, status=status)
