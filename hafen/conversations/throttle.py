"""Throttling of return-code guesses and conversation starts, without storing addresses.

The client's address is used only as a counter key in the cache: hashed with the
installation's secret, kept for the length of the window, never written to the
database or a log (data minimisation). With REDIS_URL the counters are shared by
all app processes.

Counted per *subject*, not per literal address: an IPv6 client gets a whole /64 from
its provider (and picks a new address in it at will), so its /64 is one subject; an
IPv4 address, also one mapped into IPv6, is one subject of its own.

Return codes are guessed against every conversation at once, so besides the limit per
subject there is one for the whole installation (``CODE_FAILURES_PER_WINDOW_ALL``):
many addresses together get no more guesses than that. A guess is counted before the
code is looked up, in one atomic increment, so parallel requests cannot all slip
through before the first failure is recorded; a guess that opens a conversation is
given back. ``bench/guessing.py`` prints what these numbers mean for an attacker.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

CODE_FAILURES_PER_WINDOW = 10
CODE_WINDOW_SECONDS = 15 * 60
# Wrong codes from all addresses together per window. Far above what clients mistype
# (a handful an hour), far below what guessing needs (see bench/guessing.py). When it
# is reached, nobody can come back with a code until the window ends: the price of a
# limit that many addresses cannot get around. New conversations still start.
CODE_FAILURES_PER_WINDOW_ALL = 300
STARTS_PER_WINDOW = 20
START_WINDOW_SECONDS = 60 * 60
IPV6_PREFIX = 64
_EVERYONE = "*"


def client_address(request: HttpRequest) -> str:
    """The address of the client, behind HAFEN_PROXY_COUNT trusted reverse proxies."""
    proxies = settings.AXES_IPWARE_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def subject(address: str) -> str:
    """What the throttle counts: an IPv4 address, or the /64 network of an IPv6 one."""
    try:
        parsed = ipaddress.ip_address(address.strip().split("%")[0])
    except ValueError:
        return address  # not an address (a unix socket, a misconfigured proxy): as is
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, IPV6_PREFIX), strict=False))
    return str(parsed)


def client_subject(request: HttpRequest) -> str:
    return subject(client_address(request))


def _key(kind: str, address: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{kind}:{address}".encode(), hashlib.sha256
    ).hexdigest()[:32]
    return f"door-throttle:{kind}:{digest}"


def _count(kind: str, address: str) -> int:
    return int(cache.get(_key(kind, address), 0))


def _bump(kind: str, address: str, window: int) -> int:
    """Add one to the counter (atomic in Redis and in the local cache); the new value."""
    key = _key(kind, address)
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def _give_back(kind: str, address: str) -> None:
    with contextlib.suppress(ValueError):  # the window ended meanwhile: nothing to give
        cache.decr(_key(kind, address))


def code_guesses_blocked(request: HttpRequest) -> bool:
    return (
        _count("code", client_subject(request)) >= CODE_FAILURES_PER_WINDOW
        or _count("code", _EVERYONE) >= CODE_FAILURES_PER_WINDOW_ALL
    )


def take_code_guess(request: HttpRequest) -> bool:
    """Count one guess before the lookup; False (and nothing counted) if none is left."""
    here = client_subject(request)
    mine = _bump("code", here, CODE_WINDOW_SECONDS)
    everyone = _bump("code", _EVERYONE, CODE_WINDOW_SECONDS)
    if mine > CODE_FAILURES_PER_WINDOW or everyone > CODE_FAILURES_PER_WINDOW_ALL:
        give_back_code_guess(request)
        return False
    return True


def give_back_code_guess(request: HttpRequest) -> None:
    """The guess opened a conversation: a client who knows the code is no guesser."""
    _give_back("code", client_subject(request))
    _give_back("code", _EVERYONE)


def starts_blocked(request: HttpRequest) -> bool:
    return _count("start", client_subject(request)) >= STARTS_PER_WINDOW


def record_start(request: HttpRequest) -> None:
    _bump("start", client_subject(request), START_WINDOW_SECONDS)


def blocked(request: HttpRequest, kind: str, limit: int) -> bool:
    """For other public forms (the newsletter's): has this client used up ``limit``?"""
    return _count(kind, client_subject(request)) >= limit


def record(request: HttpRequest, kind: str, window: int) -> None:
    _bump(kind, client_subject(request), window)
