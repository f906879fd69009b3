"""The seam to the channels: publishing one delivery to its channel.

``deliver(delivery)`` is called by ``actions.publish_due`` outside any transaction,
after the delivery was claimed. It returns the public address of what was published
(or "") or raises ``DeliveryError``; ``retryable`` says whether another attempt may
help (a timeout, a 5xx) or not (a rejected token, a refused text).

- ``news``: nothing to send: a delivered news delivery is what makes the post visible
  on the public news page (``PostQuerySet.on_news_page``);
- ``manual``: never delivered here: it waits for a person who publishes by hand and
  records it (``actions.record_done_by_hand``);
- every other kind goes to ``hafen.publishing.channels.adapter_for(kind).publish(post,
  account, idempotency_key=...)``. Until the adapters land, such channels cannot be
  made in the UI (``OFFERED_KINDS``); wiring them in is adding their kinds there and
  their settings to the channel form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse

from hafen.publishing.models import Channel, ChannelKind, Delivery

# The kinds a person may choose when adding a channel.
OFFERED_KINDS = (ChannelKind.NEWS, ChannelKind.MANUAL)


class DeliveryError(Exception):
    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class Account:
    """What an adapter needs of a channel: its settings and its opened secret."""

    config: dict[str, Any]
    secret: str


def account_of(channel: Channel) -> Account:
    from hafen.publishing.actions.channels import open_channel_secret

    return Account(config=dict(channel.config), secret=open_channel_secret(channel))


def deliver(delivery: Delivery) -> str:
    channel = delivery.channel
    if channel.kind == ChannelKind.NEWS:
        slug = delivery.post.organisation.slug
        return settings.HAFEN_BASE_URL + reverse(
            "publishing:news_post", args=[slug, delivery.post_id]
        )
    if channel.kind == ChannelKind.MANUAL:
        raise DeliveryError(
            "A channel published by hand is never delivered automatically.", retryable=False
        )
    try:
        from hafen.publishing.channels import adapter_for
    except ImportError:
        raise DeliveryError(
            f"No adapter for {channel.kind} is installed.", retryable=False
        ) from None
    result = adapter_for(channel.kind).publish(
        delivery.post, account_of(channel), idempotency_key=str(delivery.idempotency_key)
    )
    return str(getattr(result, "url", "") or "")
