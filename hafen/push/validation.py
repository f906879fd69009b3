"""Checks for the push subscription a browser sends; everything in it is hostile.

The server will later send requests to the endpoint, so it must be an https address
of a known push service (no other host: that would let anybody make Hafen post to
any address, an internal one included). Plain http on the loopback address is
accepted only with ``DEBUG`` or the test setting ``HAFEN_PUSH_ALLOW_LOOPBACK``, so
that tests can play the push service. Messages are in the client's language.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hafen.env import env_list
from hafen.push.vapid import b64url_decode

MAX_BODY_BYTES = 4096
MAX_ENDPOINT_CHARS = 1024
MAX_KEY_CHARS = 200
# The push services of the browsers clients use: Chrome, Edge, Samsung Internet and
# most others (Google), Firefox (Mozilla), Safari (Apple), Edge on Windows (Microsoft).
DEFAULT_PUSH_SERVICES = [
    "fcm.googleapis.com",
    "push.services.mozilla.com",
    "push.apple.com",
    "notify.windows.com",
]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost"}
_PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]+")


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str

    def keys_json(self) -> str:
        return json.dumps({"p256dh": self.p256dh, "auth": self.auth})


def push_services() -> list[str]:
    """Host names (and their subdomains) that endpoints may point to."""
    return [host.lower().strip(".") for host in env_list("HAFEN_PUSH_SERVICES", [])] or (
        DEFAULT_PUSH_SERVICES
    )


def loopback_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "HAFEN_PUSH_ALLOW_LOOPBACK", False))


def parse_body(body: bytes) -> Any:
    """The request body as JSON, or ValidationError with a message for the client."""
    unreadable = _("The notification settings could not be read. Please try again.")
    if len(body) > MAX_BODY_BYTES:
        raise ValidationError(unreadable, code="too_large")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        # ValueError covers invalid JSON and invalid UTF-8; RecursionError deep nesting.
        raise ValidationError(unreadable, code="not_json") from None


def clean_endpoint(raw: object) -> str:
    invalid = _("This browser's push address is not valid.")
    if not isinstance(raw, str) or not raw:
        raise ValidationError(invalid, code="endpoint")
    if len(raw) > MAX_ENDPOINT_CHARS:
        raise ValidationError(
            _("This browser's push address is too long (at most %(limit)d characters).")
            % {"limit": MAX_ENDPOINT_CHARS},
            code="endpoint_length",
        )
    if not _PRINTABLE_ASCII.fullmatch(raw):
        raise ValidationError(invalid, code="endpoint")
    try:
        parts = urlsplit(raw)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        raise ValidationError(invalid, code="endpoint") from None
    if not host or parts.username is not None or parts.password is not None or parts.fragment:
        raise ValidationError(invalid, code="endpoint")
    if parts.scheme == "http" and host in LOOPBACK_HOSTS and loopback_allowed():
        return raw
    if parts.scheme != "https" or port not in (None, 443):
        raise ValidationError(
            _("Notifications need a secure (https) push address."), code="endpoint_scheme"
        )
    if not any(host == known or host.endswith("." + known) for known in push_services()):
        raise ValidationError(
            _("This browser's push service is not supported here."), code="endpoint_host"
        )
    return raw


def _clean_key(raw: object, *, length: int) -> bytes:
    if not isinstance(raw, str) or not raw or len(raw) > MAX_KEY_CHARS:
        raise ValueError("missing")
    decoded = b64url_decode(raw)
    if len(decoded) != length:
        raise ValueError("length")
    return decoded


def clean_subscription(data: object) -> Subscription:
    """A browser's ``PushSubscription.toJSON()``: endpoint and keys, checked."""
    if not isinstance(data, dict):
        raise ValidationError(
            _("The notification settings could not be read. Please try again."), code="shape"
        )
    endpoint = clean_endpoint(data.get("endpoint"))
    keys = data.get("keys")
    bad_keys = ValidationError(_("This browser's push keys are not valid."), code="keys")
    if not isinstance(keys, dict):
        raise bad_keys
    try:
        point = _clean_key(keys.get("p256dh"), length=65)
        _clean_key(keys.get("auth"), length=16)
        # Must be a point on the curve, or every later encryption would fail.
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise bad_keys from None
    return Subscription(endpoint, keys["p256dh"].rstrip("="), keys["auth"].rstrip("="))


def clean_unsubscription(data: object) -> str:
    """The endpoint a browser wants to stop; only looked up (by its hash), never stored.

    Not held to ``clean_endpoint``: a subscription made before the rules changed must
    still be removable.
    """
    endpoint = data.get("endpoint") if isinstance(data, dict) else None
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > MAX_ENDPOINT_CHARS:
        raise ValidationError(_("This browser's push address is not valid."), code="endpoint")
    return endpoint
