"""Channel adapters: how an approved post reaches Mastodon, Bluesky, Facebook, Instagram
and the newsletter. A library for the publishing core — no models, no views, no state:
the core stores the accounts (secrets sealed with hafen.privacy.crypto), decides when
to publish and retry, and records the outcome.

The contract
============

::

    from hafen.publishing.channels import (
        Account, ChannelError, NewsletterRecipient, OutgoingImage, OutgoingPost,
        adapter_for,
    )

    adapter = adapter_for("mastodon")          # or bluesky, facebook, instagram, newsletter
    account = Account(
        config={"instance_url": "https://social.example"},
        secrets={"access_token": decrypted_token},     # decrypted by the core, never logged
    )
    post = OutgoingPost(
        title="Sommerfest", text="Am Samstag feiern wir …", link="https://example.org/news/7",
        images=[OutgoingImage(data=jpeg, content_type="image/jpeg", alt="Bunte Lampions",
                              public_url="https://example.org/news/7/image-1.jpg")],
    )
    adapter.validate(account)          # settings form: ChannelError names the bad field
    adapter.prepare(post, account)     # before approval: too long, too many images …
    adapter.render_text(post)          # the final text, e.g. for publishing by hand
    try:
        result = adapter.publish(post, account, idempotency_key=f"post-{post_id}-{kind}")
    except ChannelError as error:
        error.message, error.retryable, error.retry_after   # show / schedule a retry
    else:
        result.external_id, result.url

    # the newsletter also takes its recipients, each with their own unsubscribe URL:
    adapter_for("newsletter").publish(post, smtp_account, idempotency_key=key,
        recipients=[NewsletterRecipient("a@example.org", "https://…/unsubscribe/…")])

- ``adapter.fields``: ``AccountField(name, label, secret, help, required)`` for a settings
  form; ``secret=True`` fields go to ``Account.secrets``, the others to ``config``.
- ``publish`` repeats safely with the same ``idempotency_key`` (one key per post and
  channel, the same on every retry): Mastodon by its Idempotency-Key header (kept by
  the server for an hour), Bluesky by a record key derived from it, the newsletter by
  ``delivered``; Facebook and Instagram have none (see the next point).
- ``ChannelError(message, retryable=…, retry_after=…)``: ``message`` is for the author in
  the active language; ``retryable`` for timeouts, unreachable services, 5xx and 429
  (``retry_after`` in seconds from Retry-After or the service's rate-limit reset
  header); not for wrong credentials, invalid settings or a refused post. A timeout of a
  call that publishes on a service without idempotency (Facebook's feed post,
  Instagram's media_publish), or a success answer to it that cannot be read, is *not*
  retryable: the post may be out, a retry could double it, so the message asks the
  author to look first. Secrets never appear in a
  message: quoted service answers are scrubbed. Every newsletter failure while sending
  is a ``NewsletterInterrupted`` (a ChannelError) with ``delivered``, the addresses
  the mail server already accepted: retry with the rest only.
- Every network wait is bounded: ``timeout`` (default 10 s) for connect and each read,
  twice that for a whole answer, answers larger than 2 MiB are refused; waiting for
  media processing is bounded too (Mastodon 30 s, Instagram 60 s), then retryable.
  Adapters built by ``adapter_for`` use the defaults; tests build them with smaller ones.
- Service addresses must be https; plain http is accepted only for 127.0.0.1/localhost
  (the tests' local servers, a developer's own instance). Redirects are not followed.
- ``hafen.publishing.channels.testing`` has the fakes (``FakeMastodon``, ``FakeBluesky``,
  ``FakeGraph``) for the core's own tests too, e.g. a publishing task end to end.

Text limits (``prepare``)
=========================

Mastodon 500 characters (or the account's ``max_characters``), links count 23, remote
mentions by their local part, at most 4 images. Bluesky 300 graphemes and 3000 bytes,
at most 4 images of at most 1 MB. Facebook 63,206 characters, 10 images. Instagram
2,200 characters, 30 hashtags, 1 to 10 JPEG images each with ``public_url``. The social
networks publish ``text`` and then ``link`` (unless the text has it); ``title`` is the
newsletter's subject and heading.

What the tests' fake servers cover, and what they do not
========================================================

Each adapter is tested against a local HTTP (or SMTP) server in a thread that answers
as the documented API does (``hafen.publishing.channels.testing``), checking the
requests it receives. Covered for all: the auth header or token field, the fields
sent, the uploaded bytes and alt texts, 401 (not retryable), 429 with Retry-After,
500, a server slower than the timeout, malformed JSON, a post too long.

- Mastodon: media upload answered 200 or 202 and then polled (206 → 200); the
  Idempotency-Key honoured as Mastodon does (a repeat returns the same status).
  Not covered: media that fails processing, instance-specific limits read from
  /api/v2/instance, the rate-limit of media uploads per 30 minutes.
- Bluesky: createSession, uploadBlob, createRecord with rkey, getRecord; a repeat with
  the same idempotency key finds the record and creates nothing. Not covered: the
  record's validation by a real PDS against the lexicon, the exact error a real PDS
  gives for an existing rkey (Hafen asks getRecord before and after, so it does not
  depend on it), session refresh, PDS discovery from a handle (the address is
  configured), moderation labels.
- Facebook: unpublished photo uploads then one feed post with attached_media; Graph
  error objects (code 190 token, 4/17/32 rate limits, 1/2 and is_transient temporary).
  Not covered: Page token expiry and renewal, link-preview scraping, app review and
  permissions.
- Instagram: single image and carousel containers, container status polling
  (IN_PROGRESS → FINISHED, ERROR), media_publish, the permalink. Not covered:
  Instagram fetching the image_url (the fake does not download it), the aspect-ratio
  and size checks Instagram applies, the 50-posts-per-day publishing limit.
- Newsletter: a real SMTP server (aiosmtpd): one message per recipient, headers,
  HTML and inline images, login, refused recipients, an interrupted connection, a
  silent server, STARTTLS and implicit TLS with a test certificate (trusted and not).
  Not covered: DKIM signing (the organisation's mail server's job), bounces, a real
  provider's sending limits.
"""

from __future__ import annotations

from hafen.publishing.channels.base import (
    DEFAULT_TIMEOUT,
    Account,
    AccountField,
    ChannelAdapter,
    ChannelError,
    NewsletterRecipient,
    OutgoingImage,
    OutgoingPost,
    PublishResult,
)
from hafen.publishing.channels.bluesky import BlueskyAdapter
from hafen.publishing.channels.graph import FacebookAdapter, InstagramAdapter
from hafen.publishing.channels.mastodon import MastodonAdapter
from hafen.publishing.channels.newsletter import NewsletterAdapter, NewsletterInterrupted

ADAPTERS: dict[str, type[ChannelAdapter]] = {
    adapter.kind: adapter
    for adapter in (
        MastodonAdapter, BlueskyAdapter, FacebookAdapter, InstagramAdapter, NewsletterAdapter
    )
}
KINDS = tuple(ADAPTERS)


def adapter_for(kind: str) -> ChannelAdapter:
    """The adapter for a channel kind; ChannelError (not retryable) for an unknown one."""
    try:
        return ADAPTERS[kind]()
    except KeyError:
        from django.utils.translation import gettext as _

        raise ChannelError(
            _("Hafen cannot publish to this kind of channel."), retryable=False
        ) from None


__all__ = [
    "ADAPTERS",
    "DEFAULT_TIMEOUT",
    "KINDS",
    "Account",
    "AccountField",
    "ChannelAdapter",
    "ChannelError",
    "NewsletterInterrupted",
    "NewsletterRecipient",
    "OutgoingImage",
    "OutgoingPost",
    "PublishResult",
    "adapter_for",
]
