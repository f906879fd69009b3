"""The seam to the channels: publishing one delivery to its channel.

``deliver(delivery)`` is called by ``actions.publish_due`` outside any transaction,
after the delivery was claimed. It returns the public address of what was published
(or "") or raises ``DeliveryError``; ``retryable`` says whether another attempt may
help (a timeout, a 5xx) or not (a rejected token, a refused text).

- ``news``: nothing to send: a delivered news delivery is what makes the post visible
  on the public news page (``PostQuerySet.on_news_page``);
- ``manual``: never delivered here: it waits for a person who publishes by hand and
  records it (``actions.record_done_by_hand``);
- Mastodon, Bluesky, Facebook and Instagram go to their adapter
  (``hafen.publishing.channels``) with the approved version's title and text, its
  images, a link to the post on the news page (when the post goes there too) and the
  delivery's idempotency key, so a retry after a lost answer does not post twice. An
  adapter's ``ChannelError`` becomes a ``DeliveryError`` with its message and whether
  another attempt may help.
- the newsletter goes to its confirmed subscribers (``newsletter.send``), who are
  recorded one by one, so a retry after an interruption mails the rest only.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from hafen.publishing import images
from hafen.publishing.channels import (
    Account,
    ChannelError,
    OutgoingImage,
    OutgoingPost,
    adapter_for,
)
from hafen.publishing.models import Channel, ChannelKind, Delivery

# The kinds a person may choose when adding a channel.
OFFERED_KINDS = (
    ChannelKind.NEWS,
    ChannelKind.MANUAL,
    ChannelKind.MASTODON,
    ChannelKind.BLUESKY,
    ChannelKind.FACEBOOK,
    ChannelKind.INSTAGRAM,
    ChannelKind.NEWSLETTER,
)
EXTERNAL_KINDS = frozenset(OFFERED_KINDS) - {ChannelKind.NEWS, ChannelKind.MANUAL}


class DeliveryError(Exception):
    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


def secret_field(kind: str) -> str:
    """The one secret setting of an adapter (its token or password)."""
    return next(field.name for field in adapter_for(kind).fields if field.secret)


def account_of(channel: Channel) -> Account:
    from hafen.publishing.actions.channels import open_channel_secret

    config = {str(key): str(value) for key, value in dict(channel.config).items()}
    secret = open_channel_secret(channel)
    secrets = {secret_field(channel.kind): secret} if secret else {}
    return Account(config, secrets)


def _news_url(organisation_slug: str, *parts: int) -> str:
    name = "publishing:news_post" if len(parts) == 1 else "publishing:news_image"
    return settings.HAFEN_BASE_URL + reverse(name, args=[organisation_slug, *parts])


def outgoing(delivery: Delivery) -> OutgoingPost:
    """The approved version as the adapters take it (never a later draft)."""
    post, version = delivery.post, delivery.version
    slug = post.organisation.slug
    on_news = post.deliveries.filter(channel__kind=ChannelKind.NEWS).exists()
    pictures = [
        OutgoingImage(
            data=images.read(image.stored_name),
            content_type=image.content_type,
            alt=image.alt_text,
            # Instagram fetches images itself: the news page serves them publicly.
            public_url=_news_url(slug, post.pk, image.pk) if on_news else None,
        )
        for image in post.images.all()
    ]
    return OutgoingPost(
        title=version.title,
        text=version.text,
        link=_news_url(slug, post.pk) if on_news else None,
        images=pictures,
    )


def deliver(delivery: Delivery) -> str:
    channel = delivery.channel
    if channel.kind == ChannelKind.NEWS:
        return _news_url(delivery.post.organisation.slug, delivery.post_id)
    if channel.kind not in EXTERNAL_KINDS:
        raise DeliveryError(
            "A channel published by hand is never delivered automatically.", retryable=False
        )
    if channel.kind == ChannelKind.NEWSLETTER:
        from hafen.publishing import newsletter

        try:
            newsletter.send(delivery)
        except ChannelError as error:
            raise DeliveryError(str(error), retryable=error.retryable) from None
        return ""
    try:
        result = adapter_for(channel.kind).publish(
            outgoing(delivery), account_of(channel), idempotency_key=str(delivery.idempotency_key)
        )
    except ChannelError as error:
        raise DeliveryError(str(error), retryable=error.retryable) from None
    return result.url or ""
