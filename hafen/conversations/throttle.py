"""Throttling of return-code guesses and conversation starts, without storing addresses.

The client's address is used only as a counter key in the cache: hashed with the
installation's secret, kept for the length of the window, never written to the
database or a log (data minimisation). With REDIS_URL the counters are shared by
all app processes.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

CODE_FAILURES_PER_WINDOW = 10
CODE_WINDOW_SECONDS = 15 * 60
STARTS_PER_WINDOW = 20
START_WINDOW_SECONDS = 60 * 60


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


def _key(kind: str, address: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{kind}:{address}".encode(), hashlib.sha256
    ).hexdigest()[:32]
    return f"door-throttle:{kind}:{digest}"


def _count(kind: str, address: str) -> int:
    return int(cache.get(_key(kind, address), 0))


def _bump(kind: str, address: str, window: int) -> None:
    key = _key(kind, address)
    if cache.add(key, 1, timeout=window):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)


def code_guesses_blocked(request: HttpRequest) -> bool:
    return _count("code", client_address(request)) >= CODE_FAILURES_PER_WINDOW


def record_code_failure(request: HttpRequest) -> None:
    _bump("code", client_address(request), CODE_WINDOW_SECONDS)


def starts_blocked(request: HttpRequest) -> bool:
    return _count("start", client_address(request)) >= STARTS_PER_WINDOW


def record_start(request: HttpRequest) -> None:
    _bump("start", client_address(request), START_WINDOW_SECONDS)


def blocked(request: HttpRequest, kind: str, limit: int) -> bool:
    """For other public forms (the newsletter's): has this client used up ``limit``?"""
    return _count(kind, client_address(request)) >= limit


def record(request: HttpRequest, kind: str, window: int) -> None:
    _bump(kind, client_address(request), window)
