"""The public newsletter pages: subscribe, confirm, unsubscribe (no login, like the news page).

Links in mails are opened by mail scanners too: following one only shows a button, and
only pressing it (a POST) confirms or unsubscribes. The unsubscribe URL also takes the
one-click POST of RFC 8058 that mail programs send without a form, hence no CSRF token
there (it changes nothing but removing the address the link belongs to).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from hafen.accounts.models import Organisation
from hafen.conversations import throttle
from hafen.publishing import newsletter
from hafen.publishing.actions.errors import PublishingError
from hafen.publishing.forms import SubscribeForm

# Subscription requests per client address and hour (each may send a mail).
REQUESTS_PER_HOUR = 10


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest, org_slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=org_slug)
    channels = list(newsletter.channels_of(organisation.pk))
    if not channels:
        raise Http404
    form = SubscribeForm(request.POST or None, channels=channels)
    context = {"organisation": organisation, "form": form}
    if request.method == "POST":
        if throttle.blocked(request, "newsletter", REQUESTS_PER_HOUR):
            context["refusal"] = _("Too many requests from here. Please try again in an hour.")
            return render(request, "publishing/newsletter_subscribe.html", context, status=429)
        if form.is_valid():
            throttle.record(request, "newsletter", 60 * 60)
            channel = next(c for c in channels if c.pk == form.cleaned_data["newsletter"])
            try:
                newsletter.subscribe(
                    channel, form.cleaned_data["address"], language=translation.get_language()
                )
            except PublishingError as error:  # checked by the form already; kept for safety
                form.add_error("address", error.message)
            else:
                return render(
                    request,
                    "publishing/newsletter_message.html",
                    {"organisation": organisation, "step": "requested"},
                )
        return render(request, "publishing/newsletter_subscribe.html", context, status=400)
    return render(request, "publishing/newsletter_subscribe.html", context)


def _link(
    request: HttpRequest, org_slug: str, subscriber_id: int, token: str, purpose: str
) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=org_slug)
    subscriber = newsletter.find(subscriber_id, token, purpose)
    if subscriber is None or subscriber.channel.organisation_id != organisation.pk:
        step = "confirm_invalid" if purpose == "confirm" else "unsubscribed"
        # An unsubscribe link of an address already gone: it is gone, which is what was asked.
        status = 404 if purpose == "confirm" else 200
        return render(
            request,
            "publishing/newsletter_message.html",
            {"organisation": organisation, "step": step},
            status=status,
        )
    context: dict[str, object] = {"organisation": organisation, "channel": subscriber.channel}
    if request.method == "POST":
        if purpose == "confirm":
            newsletter.confirm(subscriber)
            context["step"] = "confirmed"
        else:
            newsletter.forget(subscriber)
            context["step"] = "unsubscribed"
        return render(request, "publishing/newsletter_message.html", context)
    if purpose == "confirm" and subscriber.confirmed_at is not None:
        context["step"] = "confirmed"
        return render(request, "publishing/newsletter_message.html", context)
    context["purpose"] = purpose
    return render(request, "publishing/newsletter_link.html", context)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, org_slug: str, subscriber_id: int, token: str) -> HttpResponse:
    return _link(request, org_slug, subscriber_id, token, "confirm")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(
    request: HttpRequest, org_slug: str, subscriber_id: int, token: str
) -> HttpResponse:
    return _link(request, org_slug, subscriber_id, token, "unsubscribe")
