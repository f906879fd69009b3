"""One Web Push delivery: the payload encrypted for the browser, signed with VAPID.

RFC 8291 (message encryption, ``aes128gcm`` content coding of RFC 8188, done by
http_ece), RFC 8292 (VAPID, by py_vapid), RFC 8030 (the request itself). The request
is one POST; it is made here with the standard library so that redirects are never
followed (an endpoint was checked, the address it redirects to was not) and every
wait has a limit.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from typing import Any

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec

from hafen.push.vapid import VapidKeys, b64url_decode

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
# Kept by the push service while the phone is off; an answer a day later is still news.
TTL_SECONDS = 24 * 60 * 60
# Unreachable push service: no HTTP status.
UNREACHABLE = 0


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def encrypt(payload: bytes, p256dh: str, auth: str) -> bytes:
    """The payload as an ``aes128gcm`` body only the subscribed browser can open."""
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    return bytes(
        http_ece.encrypt(
            payload,
            private_key=ephemeral,
            dh=b64url_decode(p256dh),
            auth_secret=b64url_decode(auth),
            version="aes128gcm",
        )
    )


def deliver(
    endpoint: str, p256dh: str, auth: str, payload: bytes, *, keys: VapidKeys, topic: str
) -> int:
    """Send one push; returns the push service's HTTP status, or ``UNREACHABLE``.

    ``topic`` lets the push service replace an undelivered push of the same topic, so a
    phone that was off gets one notice for several answers, not many.
    """
    request = urllib.request.Request(  # noqa: S310  (the endpoint is checked: https or test loopback)
        endpoint,
        data=encrypt(payload, p256dh, auth),
        method="POST",
        headers={
            "Content-Type": "application/octet-stream",
            "Content-Encoding": "aes128gcm",
            "TTL": str(TTL_SECONDS),
            "Urgency": "normal",
            "Topic": topic,
            "Authorization": keys.authorization(endpoint),
        },
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        error.close()
        return int(error.code)
    except (urllib.error.URLError, OSError, ValueError) as error:
        # No address, no detail: the endpoint identifies a device.
        log.warning("A push service could not be reached (%s).", type(error).__name__)
        return UNREACHABLE
