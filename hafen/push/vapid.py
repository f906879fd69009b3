"""The installation's VAPID key pair (RFC 8292): how push services know the sender.

A browser binds each subscription to the public key it was made with, so every app
process must sign with the same key, and a new key makes every subscription useless.
Hence: in production both come from the environment (``HAFEN_VAPID_PRIVATE_KEY``,
optionally ``HAFEN_VAPID_PUBLIC_KEY`` to check against); without them push is simply
off, because it is optional. The embedded default generates the private key once into
the data folder, readable by the owner only (like the other secrets).

Format: base64url without padding, the raw 32-byte P-256 private scalar and the
65-byte uncompressed public point, as ``hafen push_keys`` and most tools print them.
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
import time
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid02

from hafen.env import secret_from_env_or_file

PRIVATE_ENV = "HAFEN_VAPID_PRIVATE_KEY"
PUBLIC_ENV = "HAFEN_VAPID_PUBLIC_KEY"
KEY_FILE = "vapid.key"
# RFC 8292 allows at most 24 hours; the signature is made fresh for every delivery run.
TOKEN_SECONDS = 12 * 60 * 60


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict base64url (padding optional); ValueError for anything else."""
    if not text or any(c not in _B64URL for c in text.rstrip("=")):
        raise ValueError("not base64url")
    stripped = text.rstrip("=")
    try:
        return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass(frozen=True)
class VapidKeys:
    private_key: ec.EllipticCurvePrivateKey
    # The browser's ``applicationServerKey``.
    public_key: str

    def authorization(self, endpoint: str) -> str:
        """The ``Authorization`` header for one push service (``aud`` is its origin)."""
        parts = urlsplit(endpoint)
        claims = {
            "aud": f"{parts.scheme}://{parts.netloc}",
            "exp": int(time.time()) + TOKEN_SECONDS,
            "sub": subject(),
        }
        # no-strict: ``subject()`` already makes a valid contact; py_vapid's own check
        # would turn an unusual e-mail address into a failed delivery.
        signer = Vapid02(self.private_key, conf={"no-strict": True})
        return str(signer.sign(claims)["Authorization"])


def subject() -> str:
    """A contact for the push service's operators: the site, else the sender address."""
    base = urlsplit(settings.HAFEN_BASE_URL)
    if base.scheme == "https" and base.hostname:
        return f"https://{base.hostname}"
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "hafen@localhost"
    return f"mailto:{address}"


def new_private_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def public_key_of(private_key: ec.EllipticCurvePrivateKey) -> str:
    point = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(point)


@functools.lru_cache(maxsize=4)
def parse(private: str, public: str = "") -> VapidKeys:
    """The key pair from its text form; ImproperlyConfigured names the bad variable."""
    try:
        raw = b64url_decode(private.strip())
        if len(raw) != 32:
            raise ValueError("wrong length")
        private_key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except ValueError:
        raise ImproperlyConfigured(
            f"{PRIVATE_ENV} must be a P-256 private key: 32 bytes in base64url "
            "(hafen push_keys prints a new pair)."
        ) from None
    keys = VapidKeys(private_key, public_key_of(private_key))
    if public.strip() and public.strip().rstrip("=") != keys.public_key:
        raise ImproperlyConfigured(f"{PUBLIC_ENV} does not belong to {PRIVATE_ENV}.")
    return keys


def keys() -> VapidKeys | None:
    """The key pair, or None when push is off (production without a configured key)."""
    configured = os.environ.get(PRIVATE_ENV, "").strip()
    public = os.environ.get(PUBLIC_ENV, "").strip()
    if not configured:
        if public:
            raise ImproperlyConfigured(f"{PUBLIC_ENV} is set but {PRIVATE_ENV} is not.")
        if settings.PRODUCTION:
            return None
    private = configured or secret_from_env_or_file(
        PRIVATE_ENV,
        Path(settings.DATA_DIR) / KEY_FILE,
        production=False,
        factory=new_private_key,
    )
    return parse(private, public)
