"""Pages of events (Fachtage, trainings, barcamps, meetups) and the calendar feed.

The feed is fetched by calendar apps, which cannot log in: its address carries the
person's secret (``FeedToken``, stored as a hash only). A wrong or renewed secret and
malformed parameters answer 404 or 400, never an error page of the server.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hafen.accounts.models import User
from hafen.lib.http import StaffRequest
from hafen.network import access, actions, forms, queries
from hafen.network.models import Event, FeedToken
from hafen.network.views import _organisation_id, _show, _status, editor, reader

ONLY_MINE = "meine"


@never_cache
@reader
@require_GET
def events(request: StaffRequest) -> HttpResponse:
    organisation_id = _organisation_id(request)
    return render(
        request,
        "network/events.html",
        {
            "upcoming": list(queries.upcoming_events(organisation_id)),
            "past": queries.past_events(organisation_id),
            "may_edit": access.may_edit(request.user),
        },
    )


def _event_fields(form: forms.EventForm) -> dict[str, object]:
    return dict(form.cleaned_data)


@never_cache
@editor
@require_http_methods(["GET", "POST"])
def event_new(request: StaffRequest) -> HttpResponse:
    form = forms.EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = actions.create_event(request.user, **_event_fields(form))
        except ValidationError as error:
            _show(form, error)
        else:
            flash.success(request, _("The event was added."))
            return redirect("network:event", event_id=event.pk)
    return render(
        request, "network/event_form.html", {"form": form, "event": None}, status=_status(request)
    )


@never_cache
@editor
@require_http_methods(["GET", "POST"])
def event_edit(request: StaffRequest, event_id: int) -> HttpResponse:
    event = access.access_event(request.user, event_id, edit=True)
    initial = {
        name: getattr(event, name)
        for name in ("title", "kind", "starts_at", "ends_at", "place", "link", "description")
    }
    form = forms.EventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_event(request.user, event, **_event_fields(form))
        except ValidationError as error:
            _show(form, error)
        else:
            flash.success(request, _("The event was saved."))
            return redirect("network:event", event_id=event.pk)
    return render(
        request, "network/event_form.html", {"form": form, "event": event}, status=_status(request)
    )


@never_cache
@reader
@require_GET
def event(request: StaffRequest, event_id: int) -> HttpResponse:
    found = access.access_event(request.user, event_id)
    attendees = list(found.attendees.order_by("display_name", "username"))
    return render(
        request,
        "network/event.html",
        {
            "event": found,
            "attendees": attendees,
            "going": request.user in attendees,
            "may_edit": access.may_edit(request.user),
        },
    )


@reader
@require_POST
def event_attend(request: StaffRequest, event_id: int) -> HttpResponse:
    found = access.access_event(request.user, event_id)
    choice = request.POST.get("teilnahme", "")
    if choice == "ja":
        if actions.sign_up(request.user, found):
            flash.success(request, _("You are signed up for this event."))
    elif choice == "nein":
        if actions.withdraw(request.user, found):
            flash.success(request, _("You are no longer signed up for this event."))
    else:
        flash.error(request, _("The page was out of date. Please try again."))
    return redirect("network:event", event_id=found.pk)


# -- the calendar feed -------------------------------------------------------------------


@never_cache
@reader
@require_http_methods(["GET", "POST"])
def feed_settings(request: StaffRequest) -> HttpResponse:
    """Where the person gets (and renews) the address of the calendar feed. The address
    is shown once, right after it is made; only its hash is kept."""
    new_url = ""
    if request.method == "POST":
        token = actions.renew_feed_token(request.user)
        new_url = request.build_absolute_uri(reverse("network:feed", args=[token]))
        flash.success(
            request,
            _("Your new calendar address is ready; any previous address no longer works."),
        )
    return render(
        request,
        "network/feed_settings.html",
        {
            "new_url": new_url,
            "has_feed": FeedToken.objects.filter(user=request.user).exists(),
        },
    )


def _calendar(user: User, only_mine: bool) -> bytes:
    import icalendar  # the maintained iCalendar library (RFC 5545)

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Hafen//Netzwerk//DE")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add(
        "x-wr-calname",
        _("Events of %(organisation)s")
        % {"organisation": user.organisation.name if user.organisation else "Hafen"},
    )
    listed = queries.feed_events(user)
    if only_mine:
        listed = listed.filter(attendees=user)
    going = set(
        Event.attendees.through.objects.filter(user_id=user.pk).values_list("event_id", flat=True)
    )
    host = settings.HAFEN_BASE_URL.split("://", 1)[-1].split("/", 1)[0] or "hafen"
    stamp = datetime.now(UTC)
    for item in listed:
        entry = icalendar.Event()
        entry.add("uid", f"network-event-{item.pk}@{host}")
        entry.add("dtstamp", stamp)
        entry.add("dtstart", item.starts_at.astimezone(UTC))
        entry.add("dtend", item.ends_at.astimezone(UTC))
        entry.add("summary", item.title)
        if item.place:
            entry.add("location", item.place)
        if item.link:
            entry.add("url", item.link)
        description = item.description
        if item.pk in going:
            description = (_("You are signed up.") + "\n\n" + description).strip()
        if description:
            entry.add("description", description)
        entry.add("categories", [str(item.get_kind_display())])
        calendar.add_component(entry)
    return bytes(calendar.to_ical())


@never_cache
@require_GET
def feed(request: StaffRequest, feed_token: str) -> HttpResponse:
    user = actions.feed_user(feed_token)
    if user is None:
        raise Http404
    only = request.GET.get("nur", "")
    unknown = set(request.GET) - {"nur"}
    if only not in ("", ONLY_MINE) or unknown:
        return HttpResponseBadRequest(
            _("Unknown parameter. The feed knows only ?nur=meine (the events you go to)."),
            content_type="text/plain; charset=utf-8",
        )
    try:
        body = _calendar(user, only_mine=only == ONLY_MINE)
    except ImportError:  # the library is missing from this installation
        return HttpResponse(
            _("The calendar feed is not available on this server."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="hafen-netzwerk.ics"'
    return response
