"""Throttling of unknown handover links, without storing addresses.

32 random bytes cannot be guessed, but a flood of guesses still costs database
lookups and fills logs of the reverse proxy; so, like the door's return codes,
unknown links are counted per client address in the cache, under a keyed hash,
for the length of the window only (``conversations.throttle`` explains why).
Known links (used or expired ones too) are not counted: a client who taps an old
link again and again must never be locked out of the door.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from hafen.conversations.throttle import client_subject

UNKNOWN_LINKS_PER_WINDOW = 20
WINDOW_SECONDS = 15 * 60


def _key(request: HttpRequest) -> str:
    address = client_subject(request)  # an IPv6 /64 counts as one address
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"handover:{address}".encode(), hashlib.sha256
    ).hexdigest()[:32]
    return f"bridge-throttle:{digest}"


def blocked(request: HttpRequest) -> bool:
    return int(cache.get(_key(request), 0)) >= UNKNOWN_LINKS_PER_WINDOW


def record_unknown(request: HttpRequest) -> None:
    key = _key(request)
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # the counter expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
