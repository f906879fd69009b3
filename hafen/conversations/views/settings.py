"""Leadership and administrators set up their teams' client doors.

Office hours, emergency numbers, welcome and away texts per team, and the door's public
address with a QR code to print. A team of another organisation is a 404 (nobody
learns it exists); staff without one of these roles get a 403.
"""

from __future__ import annotations

import io
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from hafen.accounts import access
from hafen.accounts.models import Role, Team
from hafen.conversations import door_settings, hours
from hafen.conversations.models import DoorSettings
from hafen.lib.http import StaffRequest

EDITORS = (Role.LEADERSHIP, Role.ADMIN)


def _editable_team(request: StaffRequest, team_slug: str) -> Team:
    team = get_object_or_404(
        Team.objects.select_related("facility__organisation"),
        slug=team_slug,
        facility__organisation_id=request.user.organisation_id,
    )
    if not access.has_role(request.user, *EDITORS, team=team):
        raise Http404
    return team


def qr_svg(address: str) -> str:
    """The address as an inline SVG QR code; the page's style sheet sets its size."""
    # Error correction "m" survives a crease or a smudge on a printed poster.
    code = segno.make(address, error="m")
    svg: str = code.svg_inline(scale=4, dark="#000", light="#fff", omitsize=True)
    return svg


@access.require_role(*EDITORS)
@require_GET
def door_list(request: StaffRequest) -> HttpResponse:
    organisation_id = request.user.organisation_id
    teams = (
        list(
            Team.objects.filter(facility__organisation_id=organisation_id)
            .select_related("facility")
            .order_by("facility__name", "name")
        )
        if organisation_id is not None
        else []
    )
    doors = {door.team_id: door for door in DoorSettings.objects.filter(team__in=teams)}
    rows = [
        {
            "team": team,
            "address": door_settings.public_address(team),
            # A team whose door was never opened has the defaults: open.
            "is_open": doors[team.pk].is_open if team.pk in doors else True,
        }
        for team in teams
    ]
    return render(request, "conversations/door_settings_list.html", {"rows": rows})


@access.require_role(*EDITORS)
@never_cache
@require_http_methods(["GET", "POST"])
def edit(request: StaffRequest, team_slug: str) -> HttpResponse:
    team = _editable_team(request, team_slug)
    door = hours.door_of(team.pk)
    form = door_settings.DoorSettingsForm(
        request.POST if request.method == "POST" else None, door=door
    )
    if request.method == "POST":
        if form.is_valid():
            changed = door_settings.update_door(request.user, team, form.door_values())
            if changed:
                messages.success(request, _("The door of %(team)s is saved.") % {"team": team.name})
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("conversations:door_settings", team_slug=team.slug)
        messages.error(request, _("Nothing was saved. Please correct the marked fields."))
    address = door_settings.public_address(team)
    context: dict[str, Any] = {
        "team": team,
        "door": door,
        "form": form,
        "address": address,
        "qr_svg": qr_svg(address),
    }
    return render(
        request,
        "conversations/door_settings.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@access.require_role(*EDITORS)
@require_GET
def poster(request: StaffRequest, team_slug: str) -> HttpResponse:
    """A page to print and hang up: the door's address and QR code, in a client language."""
    team = _editable_team(request, team_slug)
    language = request.GET.get("language", settings.LANGUAGE_CODE)
    if language not in settings.HAFEN_DOOR_LANGUAGES:
        language = settings.LANGUAGE_CODE
    door = hours.door_of(team.pk)
    address = door_settings.public_address(team)
    context = {
        "team": team,
        "door": door,
        "address": address,
        "qr_svg": qr_svg(address),
        "office_hours": [
            (label, spans)
            for (_day, label), (_same_day, spans) in zip(
                door_settings.WEEKDAYS, hours.weekly_table(door), strict=True
            )
        ],
    }
    # The poster speaks to clients: in the language chosen for it, not the staff's.
    with translation.override(language):
        return render(request, "conversations/door_settings_poster.html", context)


@access.require_role(*EDITORS)
@require_GET
def qr_png(request: StaffRequest, team_slug: str) -> HttpResponse:
    """The QR code as a picture file, for flyers and documents."""
    team = _editable_team(request, team_slug)
    buffer = io.BytesIO()
    segno.make(door_settings.public_address(team), error="m").save(buffer, kind="png", scale=12)
    response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="hafen-{team.slug}-qr.png"'
    return response
