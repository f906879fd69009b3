"""Notices on the start page: marked as read by their recipient only."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hafen.cases import actions
from hafen.cases.models import Notice
from hafen.lib.http import StaffRequest, posted_next


@never_cache
@login_required
@require_POST
def notice_read(request: StaffRequest, notice_id: int) -> HttpResponse:
    if not Notice.objects.filter(pk=notice_id, recipient=request.user).exists():
        raise Http404  # somebody else's notice: not even whether it exists
    if actions.mark_notice_read(request.user, notice_id):
        flash.success(request, _("The notice is marked as read."))
    back = posted_next(request)
    return HttpResponseRedirect(back) if back else redirect("home:start")
