"""Publishing approved posts: the worker's due deliveries, retries with backoff, failure,
the retry button, and recording what was published by hand.

A delivery is claimed by one compare-and-set update (pending and due → sending), so
two workers never publish the same delivery; the call to the channel runs outside any
transaction (a slow service must not hold a database lock). A worker that died while
sending leaves a delivery "sending": after ``STALE_AFTER`` it is due again, and the
idempotency key keeps an external service from posting it twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hafen.accounts.models import User
from hafen.privacy import audit
from hafen.publishing import access, delivery
from hafen.publishing.actions.errors import PublishingError
from hafen.publishing.models import Delivery, DeliveryState, Post, PostState

logger = logging.getLogger(__name__)

# Waits after the first, second and third failed attempt; the fourth failure is final.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
MAX_ATTEMPTS = len(BACKOFF) + 1
STALE_AFTER = timedelta(minutes=10)
BATCH = 100


def _due(now: datetime) -> Q:
    return Q(state=DeliveryState.PENDING, due_at__lte=now) | Q(
        state=DeliveryState.SENDING, claimed_at__lt=now - STALE_AFTER
    )


def publish_due(now: datetime | None = None) -> int:
    """Publish every due delivery; returns how many were published now."""
    now = now or timezone.now()
    published = 0
    ids = list(
        Delivery.objects.filter(_due(now)).order_by("due_at").values_list("pk", flat=True)[:BATCH]
    )
    for delivery_id in ids:
        claimed = Delivery.objects.filter(_due(now), pk=delivery_id).update(
            state=DeliveryState.SENDING, claimed_at=timezone.now()
        )
        if not claimed:
            continue  # another worker took it
        published += _attempt(delivery_id)
    return published


def _attempt(delivery_id: int) -> int:
    item = Delivery.objects.select_related("post__organisation", "channel", "version").get(
        pk=delivery_id
    )
    try:
        url = delivery.deliver(item)
    except delivery.DeliveryError as error:
        _record_failure(item, str(error), retryable=error.retryable)
        return 0
    except Exception as error:  # an adapter's bug must not stop the other deliveries
        logger.exception("Delivery %s raised", delivery_id)
        _record_failure(item, type(error).__name__, retryable=True)
        return 0
    with transaction.atomic():
        now = timezone.now()
        Delivery.objects.filter(pk=item.pk).update(
            state=DeliveryState.DELIVERED,
            attempts=item.attempts + 1,
            delivered_at=now,
            external_url=url[:500],
            last_error="",
        )
        audit.record(
            "publishing.delivered",
            target=item,
            organisation_id=item.post.organisation_id,
            post=item.post_id,
            channel=item.channel.kind,
        )
        refresh_post_state(item.post_id)
    return 1


def _record_failure(item: Delivery, message: str, *, retryable: bool) -> None:
    attempts = item.attempts + 1
    final = not retryable or attempts >= MAX_ATTEMPTS
    with transaction.atomic():
        Delivery.objects.filter(pk=item.pk).update(
            state=DeliveryState.FAILED if final else DeliveryState.PENDING,
            attempts=attempts,
            due_at=item.due_at if final else timezone.now() + BACKOFF[attempts - 1],
            last_error=message[:300],
        )
        audit.record(
            "publishing.delivery_failed",
            target=item,
            organisation_id=item.post.organisation_id,
            post=item.post_id,
            attempts=attempts,
            final=final,
        )
        refresh_post_state(item.post_id)


def refresh_post_state(post_id: int) -> None:
    """An approved post is published when every delivery is, failed when one failed."""
    post = Post.objects.select_for_update().get(pk=post_id)
    if post.state not in (PostState.APPROVED, PostState.PUBLISHED, PostState.FAILED):
        return
    states = list(post.deliveries.values_list("state", flat=True))
    delivered = post.deliveries.filter(state=DeliveryState.DELIVERED).order_by("delivered_at")
    if DeliveryState.FAILED in states:
        post.state = PostState.FAILED
    elif states and all(state == DeliveryState.DELIVERED for state in states):
        post.state = PostState.PUBLISHED
    else:
        post.state = PostState.APPROVED
    first = delivered.first()
    if post.published_at is None and first is not None:
        post.published_at = first.delivered_at
    post.save(update_fields=["state", "published_at"])


@transaction.atomic
def retry(user: User, item: Delivery) -> Delivery:
    """The retry button: a failed delivery is due again now, with fresh attempts."""
    item = access.access_delivery(user, item.pk)
    updated = Delivery.objects.filter(pk=item.pk, state=DeliveryState.FAILED).update(
        state=DeliveryState.PENDING, attempts=0, due_at=timezone.now()
    )
    if not updated:
        raise PublishingError(_("This delivery has not failed; there is nothing to retry."))
    audit.record(
        "publishing.delivery_retried",
        actor=user,
        target=item,
        organisation_id=item.post.organisation_id,
        post=item.post_id,
    )
    refresh_post_state(item.post_id)
    from hafen.publishing.tasks import publish_due_deliveries

    transaction.on_commit(lambda: publish_due_deliveries.enqueue())
    return item


@transaction.atomic
def record_done_by_hand(user: User, item: Delivery) -> Delivery:
    """A person published the post by hand: when and by whom is recorded, once."""
    item = access.access_delivery(user, item.pk)
    updated = Delivery.objects.filter(pk=item.pk, state=DeliveryState.BY_HAND).update(
        state=DeliveryState.DELIVERED, delivered_at=timezone.now(), done_by=user, attempts=1
    )
    if not updated:
        raise PublishingError(_("This was already recorded as published."))
    audit.record(
        "publishing.done_by_hand",
        actor=user,
        target=item,
        organisation_id=item.post.organisation_id,
        post=item.post_id,
    )
    refresh_post_state(item.post_id)
    return item
