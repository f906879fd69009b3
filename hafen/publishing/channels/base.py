"""The contract between the publishing core and the channel adapters.

Everything here is plain data and one exception; the adapters speak to the services.
Messages are translated when the error is raised, in the language active then: the
core activates the organisation's language before it publishes.
"""

from __future__ import annotations

import email.utils
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.message import Message
from urllib.parse import urlsplit

from django.utils.functional import Promise
from django.utils.translation import gettext as _

# Connect, each read and the whole answer are bounded by this (seconds); a test passes less.
DEFAULT_TIMEOUT = 10.0
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# A service's own reason is shown to the author, cut to this length.
MAX_REASON_CHARS = 200


class ChannelError(Exception):
    """Publishing failed; ``message`` is for the author, in their language.

    ``retryable``: trying again later may work (timeout, connection, 5xx, 429). Not
    retryable: the settings or the post must change first (bad token, refused post),
    or a retry could publish twice. ``retry_after``: seconds the service asked to wait.
    Never contains a secret: service answers are scrubbed before they are quoted.
    """

    def __init__(
        self, message: str, *, retryable: bool, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"ChannelError({self.message!r}, retryable={self.retryable}, "
            f"retry_after={self.retry_after})"
        )


@dataclass(frozen=True)
class OutgoingImage:
    """One image of a post, already stripped of metadata by the core.

    ``public_url``: where the image can be fetched from the internet (the public news
    page serves it). Instagram fetches images itself and needs it; the others upload
    ``data`` and ignore it.
    """

    data: bytes
    content_type: str
    alt: str
    public_url: str | None = None

    def __repr__(self) -> str:  # no bytes in logs or assertion messages
        return f"OutgoingImage({self.content_type}, {len(self.data)} bytes, alt={self.alt!r})"


@dataclass(frozen=True)
class OutgoingPost:
    """A post as approved. ``title`` is used where a channel has a subject or heading
    (newsletter); the social networks publish ``text`` followed by ``link``."""

    title: str
    text: str
    link: str | None = None
    images: list[OutgoingImage] = field(default_factory=list)


@dataclass(frozen=True)
class Account:
    """A channel account: ``config`` in the clear, ``secrets`` decrypted by the core."""

    config: dict[str, str]
    secrets: dict[str, str]

    def __repr__(self) -> str:  # the secrets never reach a log or a traceback
        return f"Account(config={self.config!r}, secrets=<{len(self.secrets)} hidden>)"

    def value(self, name: str, default: str = "") -> str:
        return (self.config.get(name) or default).strip()

    def secret(self, name: str, *, strip: bool = True) -> str:
        """A token without the blank a paste may add; ``strip=False`` for a password,
        which may really end in a space."""
        value = self.secrets.get(name) or ""
        return value.strip() if strip else value


@dataclass(frozen=True)
class AccountField:
    """One setting of a channel account, for the core's settings form."""

    name: str
    label: str | Promise
    secret: bool
    help: str | Promise = ""
    required: bool = True


@dataclass(frozen=True)
class PublishResult:
    """Where the post is now. ``refused_recipients``: newsletter addresses the mail
    server refused for good (the others got it)."""

    external_id: str
    url: str | None
    refused_recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class NewsletterRecipient:
    """One subscriber: the address and the unsubscribe URL made for them by the core."""

    address: str
    unsubscribe_url: str

    def __repr__(self) -> str:  # an address is personal data: not in logs
        return "NewsletterRecipient(<hidden>)"


class ChannelAdapter:
    """What every channel offers the core; see the package docstring."""

    kind: str = ""
    service: str = ""
    fields: list[AccountField] = []

    def __init__(self, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout

    def validate(self, account: Account) -> None:
        """Raise ChannelError (not retryable) naming the first missing or invalid setting."""
        for item in self.fields:
            source = account.secrets if item.secret else account.config
            value = (source.get(item.name) or "").strip()
            if item.required and not value:
                raise ChannelError(
                    _("Please fill in “%(field)s” in the settings of the %(service)s channel.")
                    % {"field": item.label, "service": self.service},
                    retryable=False,
                )
            if any(ord(char) < 32 or ord(char) == 127 for char in value):
                # a line break in a token would end the HTTP header it is sent in
                raise ChannelError(
                    _("“%(field)s” of the %(service)s channel contains line breaks or other "
                      "invisible characters. Please enter it again.")
                    % {"field": item.label, "service": self.service},
                    retryable=False,
                )

    def render_text(self, post: OutgoingPost) -> str:
        """The text exactly as the channel shows it (also for publishing by hand)."""
        return compose_text(post)

    def prepare(self, post: OutgoingPost, account: Account | None = None) -> OutgoingPost:
        """The post normalised for this channel, or ChannelError (not retryable) that tells
        the author what to change. ``account`` where a limit depends on the server."""
        return normalise(post)

    def publish(
        self,
        post: OutgoingPost,
        account: Account,
        *,
        idempotency_key: str,
        recipients: Sequence[NewsletterRecipient] = (),
    ) -> PublishResult:
        """Publish once per ``idempotency_key``; ``recipients`` only for the newsletter."""
        raise NotImplementedError


def normalise(post: OutgoingPost) -> OutgoingPost:
    """NFC (so a character is counted once) and no whitespace around the text."""
    return replace(
        post,
        title=unicodedata.normalize("NFC", post.title).strip(),
        text=unicodedata.normalize("NFC", post.text).strip(),
        link=(post.link or "").strip() or None,
    )


def compose_text(post: OutgoingPost) -> str:
    """The text, then the link on its own paragraph unless the text already holds it."""
    text = post.text.strip()
    if post.link and post.link not in text:
        return f"{text}\n\n{post.link}" if text else post.link
    return text


def too_long(service: str, length: int, limit: int, unit: str) -> ChannelError:
    return ChannelError(
        _(
            "The post is too long for %(service)s: %(length)d %(unit)s, at most %(limit)d "
            "are allowed. Please shorten it by %(over)d."
        )
        % {"service": service, "length": length, "unit": unit, "limit": limit,
           "over": length - limit},
        retryable=False,
    )


def too_many_images(service: str, count: int, limit: int) -> ChannelError:
    return ChannelError(
        _("%(service)s takes at most %(limit)d images per post; this post has %(count)d.")
        % {"service": service, "limit": limit, "count": count},
        retryable=False,
    )


def check_service_url(service: str, label: str | Promise, raw: str) -> str:
    """An https URL without path tricks; plain http only for this machine (tests, a
    local development server), because the token would travel in the clear."""
    invalid = ChannelError(
        _("“%(field)s” of the %(service)s channel must be an address starting with https://.")
        % {"field": label, "service": service},
        retryable=False,
    )
    try:
        parts = urlsplit(raw.strip())
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError:
        raise invalid from None
    if not host or parts.username or parts.password or parts.query or parts.fragment:
        raise invalid
    if parts.scheme == "https" or (parts.scheme == "http" and host in LOOPBACK_HOSTS):
        return raw.strip().rstrip("/")
    raise invalid


def scrub(text: str, secrets: Iterable[str]) -> str:
    """A service's answer made safe to show: no secret, no control characters, short."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    text = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    if len(text) > MAX_REASON_CHARS:
        text = text[: MAX_REASON_CHARS - 1] + "…"
    return text


def parse_retry_after(headers: Message) -> int | None:
    """Seconds to wait: ``Retry-After`` (seconds or HTTP date), else the reset headers
    Mastodon (``X-RateLimit-Reset``, ISO time) and Bluesky (``RateLimit-Reset``, epoch)
    send with a 429."""
    now = datetime.now(UTC)
    raw = (headers.get("Retry-After") or "").strip()
    if raw:
        if raw.isdigit():
            return int(raw)
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            when = None
        if when is not None and when.tzinfo is not None:
            return max(0, int((when - now).total_seconds()))
    reset = (headers.get("X-RateLimit-Reset") or "").strip()
    if reset:
        try:
            when = datetime.fromisoformat(reset.replace("Z", "+00:00"))
        except ValueError:
            when = None
        if when is not None and when.tzinfo is not None:
            return max(0, int((when - now).total_seconds()))
    epoch = (headers.get("RateLimit-Reset") or "").strip()
    if epoch.isdigit():
        return max(0, int(epoch) - int(now.timestamp()))
    return None
