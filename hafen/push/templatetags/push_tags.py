"""``{% push_opt_in conversation as push %}``: what the opt-in on the chat page needs."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hafen.conversations.models import Conversation
from hafen.push import queries

register = template.Library()


@register.simple_tag
def push_opt_in(conversation: Conversation | None) -> dict[str, object]:
    state = queries.opt_in(conversation)
    return {
        "available": state.available,
        "public_key": state.public_key,
        "active": state.active,
        # The notice speaks the page's language even after the browser forgot its cookie.
        "worker_url": reverse("push:service_worker") + "?" + urlencode({"lang": get_language()}),
        "scope": reverse("conversations:chat"),
        "texts": {
            "turn_on": _("Notify me about answers"),
            "turn_off": _("Turn notifications off"),
            "on": _("Notifications are on for this device."),
            "off": _("Notifications are off for this device."),
            "working": _("One moment …"),
            "denied": _(
                "Notifications are blocked for this page. You can allow them in your "
                "browser's settings."
            ),
            "failed": _("Notifications could not be turned on. Please try again later."),
        },
    }
