"""Views of the bridge: making a handover (staff), the client's landing, texts and figures.

The landing ``/b/<token>/`` is public and anonymous, like the client door: nothing
about the client is stored but what the conversation needs; responses are never
cached; a link that does not work gets a friendly page, never an error.
"""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from hafen.accounts.models import Team
from hafen.bridge import access, actions, forms, queries, replies, throttle
from hafen.bridge.models import CHANNEL_CHOICES, Handover, HandoverState, Variant
from hafen.conversations import access as door_access
from hafen.conversations import hours
from hafen.conversations import throttle as door_throttle
from hafen.conversations.forms import StartForm
from hafen.conversations.views.door import NEW_CODE, privacy_notice
from hafen.lib.http import StaffRequest

# Messengers fetch a pasted link to draw a preview before anybody taps it. Such a
# fetch is not the client opening the link, so it must not move the funnel. The
# user agent is only compared here, never stored. Only the fetchers' own names:
# the in-app browsers of Instagram and Facebook, where clients really tap the link,
# say "Instagram" or "FBAN" and must count.
LINK_PREVIEW_AGENTS = (
    "facebookexternalhit",  # Meta's apps; Apple's iMessage sends it too
    "facebookcatalog",
    "whatsapp/",  # WhatsApp, and apps that borrow its name for their previews
    "telegrambot",
    "twitterbot",
    "slackbot",
    "discordbot",
    "linkedinbot",
    "skypeuripreview",
    "googlebot",
    "bingbot",
    "applebot",
)


# ---------------------------------------------------------------- staff: make a handover


def _link(token: str) -> str:
    return settings.HAFEN_BASE_URL + reverse("bridge:landing", args=[token])


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def handovers(request: StaffRequest) -> HttpResponse:
    teams = access.handover_teams(request.user)
    if not teams.exists():
        raise PermissionDenied
    form = forms.HandoverForm(request.POST if request.method == "POST" else None, teams=teams)
    if request.method == "POST":
        if not form.is_valid():
            return _handovers_page(request, form, status=400)
        created = actions.create_handover(
            request.user,
            team=form.cleaned_data["team"],
            channel=form.cleaned_data["channel"],
            topic=form.cleaned_data["topic"],
            validity=form.cleaned_data["validity"],
        )
        # Rendered in answer to the POST, not after a redirect: the token exists only
        # in this response and is stored nowhere (neither database nor session).
        return _created_page(request, created)
    return _handovers_page(request, form)


def _handovers_page(
    request: StaffRequest, form: forms.HandoverForm, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "bridge/handovers.html",
        {"form": form, "handovers": queries.my_handovers(request.user.pk)},
        status=status,
    )


def _created_page(request: StaffRequest, created: actions.NewHandover) -> HttpResponse:
    handover = created.handover
    link = _link(created.token)
    qr = segno.make(link, error="m")
    texts = replies.replies_for(handover.team.facility.organisation, handover.channel, link)
    return render(
        request,
        "bridge/created.html",
        {
            "handover": handover,
            "link": link,
            "qr_svg": qr.svg_inline(omitsize=True, dark="#111", light="#fff"),
            "qr_download": qr.svg_data_uri(scale=10, dark="#111", light="#fff"),
            "reply_standard": texts[Variant.STANDARD],
            "reply_simple": texts[Variant.SIMPLE],
        },
    )


# ---------------------------------------------------------------- client: the landing


def _landing_context(team: Team, **extra: Any) -> dict[str, Any]:
    door = hours.public_door(team.pk)
    context: dict[str, Any] = {
        "team": team,
        "door": door,
        "open_now": hours.is_open_at(door),
        "next_opening": hours.next_opening(door),
        "office_hours": hours.weekly_table(door),
        "quick_exit_url": settings.HAFEN_QUICK_EXIT_URL,
    }
    context.update(extra)
    return context


def _unusable(request: HttpRequest, handover: Handover | None) -> HttpResponse:
    """The friendly page for a link that does not work.

    Unknown (or malformed) links all get the same page and status, so that it says
    nothing about whether a link existed. A known link names its team and offers its
    door: the client came to talk, and should not have to find the way alone.
    """
    context: dict[str, Any] = {"quick_exit_url": settings.HAFEN_QUICK_EXIT_URL}
    if handover is None:
        return render(request, "bridge/link_unknown.html", context, status=404)
    context.update(team=handover.team, used=handover.used_at is not None)
    return render(request, "bridge/link_gone.html", context, status=410)


def _is_link_preview(request: HttpRequest) -> bool:
    agent = request.META.get("HTTP_USER_AGENT", "").lower()
    return request.method == "HEAD" or any(bot in agent for bot in LINK_PREVIEW_AGENTS)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def landing(request: HttpRequest, token: str) -> HttpResponse:
    if throttle.blocked(request):
        return render(
            request,
            "bridge/link_throttled.html",
            {"quick_exit_url": settings.HAFEN_QUICK_EXIT_URL},
            status=429,
        )
    handover = actions.find_handover(token)
    if handover is None:
        throttle.record_unknown(request)
        return _unusable(request, None)
    if handover.state in (HandoverState.USED, HandoverState.EXPIRED):
        return _unusable(request, handover)
    team = handover.team
    if request.method != "POST":
        # A counsellor checking the own link is not the client opening it.
        if not _is_link_preview(request) and not request.user.is_authenticated:
            actions.record_opened(handover)
        context = _landing_context(
            team, form=StartForm(), token=token, privacy_notice=privacy_notice(request, team)
        )
        return render(request, "bridge/landing.html", context)

    form = StartForm(request.POST)
    if door_throttle.starts_blocked(request):
        form.add_error(None, _("Too many new conversations from here. Please try again later."))
    if not form.is_valid() or form.errors:
        context = _landing_context(
            team, form=form, token=token, privacy_notice=privacy_notice(request, team)
        )
        return render(request, "bridge/landing.html", context, status=400)
    try:
        new = actions.use_handover(
            token,
            passphrase=form.cleaned_data["passphrase"],
            language=getattr(request, "LANGUAGE_CODE", ""),
        )
    except actions.HandoverUnusable as refused:
        # Somebody else (another tab, a double tap) used it a moment ago.
        return _unusable(request, refused.handover)
    # Starts through a handover count against the same budget as starts at the door.
    door_throttle.record_start(request)
    door_access.open_for_client(request.session, new.conversation)
    request.session[NEW_CODE] = new.code
    return redirect("conversations:chat")


# ---------------------------------------------------------------- leadership: texts, figures


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reply_texts(request: StaffRequest) -> HttpResponse:
    if not access.may_edit_reply_texts(request.user):
        raise PermissionDenied
    organisation = request.user.organisation
    assert organisation is not None
    failed: forms.ReplyTextForm | None = None
    status = 200
    if request.method == "POST":
        form = forms.ReplyTextForm(request.POST)
        if form.is_valid():
            actions.set_reply_text(
                request.user,
                organisation,
                channel=form.cleaned_data["channel"],
                variant=form.cleaned_data["variant"],
                text=form.cleaned_data["text"],
            )
            flash.success(request, _("The reply text is saved."))
            return redirect("bridge:reply_texts")
        if "channel" in form.errors or "variant" in form.errors:
            # Not one of the page's forms: nothing to show the error beside.
            flash.error(request, _("This reply text does not exist. Please use the page's forms."))
            status = 400
        else:
            failed = form
    stored = replies.stored_texts(organisation.pk)
    sections = []
    for channel, label in CHANNEL_CHOICES:
        entries = []
        for variant in Variant:
            row = stored.get((channel, variant.value))
            anchor = f"text-{channel}-{variant.value}"
            if (
                failed is not None
                and failed.data.get("channel") == channel
                and failed.data.get("variant") == variant.value
            ):
                form = failed
            else:
                form = forms.ReplyTextForm(
                    initial={
                        "channel": channel,
                        "variant": variant.value,
                        "text": row.text if row else "",
                    },
                )
            # One page holds fourteen of these forms: ids must stay unique per form.
            form.auto_id = f"{anchor}-%s"
            entries.append(
                {
                    "variant": variant,
                    "form": form,
                    "row": row,
                    "default": replies.default_text(channel, variant.value),
                    "anchor": anchor,
                }
            )
        sections.append({"channel": channel, "label": label, "entries": entries})
    return render(
        request,
        "bridge/reply_texts.html",
        {
            "sections": sections,
            "failed_anchor": (
                f"text-{failed.data.get('channel')}-{failed.data.get('variant')}"
                if failed is not None
                else ""
            ),
        },
        status=400 if failed is not None else status,
    )


@never_cache
@login_required
@require_GET
def funnel(request: StaffRequest) -> HttpResponse:
    if not access.may_see_funnel(request.user):
        raise PermissionDenied
    organisation_id = request.user.organisation_id
    assert organisation_id is not None
    form = forms.PeriodForm(request.GET or None)
    status = 200
    if form.is_bound and form.is_valid():
        since, until = queries.period(form.cleaned_data["start"], form.cleaned_data["end"])
    else:
        if form.is_bound:
            status = 400
        since, until = queries.period()
    figures = queries.funnel(organisation_id, since, until)
    return render(
        request,
        "bridge/funnel.html",
        {"form": form, "funnel": figures, "stages": queries.STAGES},
        status=status,
    )
