"""Read-side helpers for the client's opt-in."""

from __future__ import annotations

from dataclasses import dataclass

from hafen.conversations.models import Conversation
from hafen.push import vapid
from hafen.push.models import PushSubscription


@dataclass(frozen=True)
class OptIn:
    available: bool
    public_key: str = ""
    # Some browser of this conversation gets notices (the page shows "turn off" if it
    # is this one: only the browser knows its own subscription).
    active: bool = False


def opt_in(conversation: Conversation | None) -> OptIn:
    if conversation is None:
        return OptIn(available=False)
    keys = vapid.keys()
    if keys is None:
        return OptIn(available=False)
    active = PushSubscription.objects.filter(conversation=conversation).exists()
    return OptIn(available=True, public_key=keys.public_key, active=active)
