"""Every write of push subscriptions, and the content-free notice to the client.

Audit: a client turning notifications on or off, and the system removing a
subscription the push service declared gone; never the endpoint (it identifies a
device). The notice itself carries ``{"type": "answer"}`` and nothing else: no text,
no team, no organisation (see ``PAYLOAD``).
"""

from __future__ import annotations

import json
import logging

from django.db import transaction
from django.utils.crypto import salted_hmac

from hafen.conversations.models import Conversation
from hafen.privacy import audit, crypto
from hafen.push import vapid, webpush
from hafen.push.models import PushSubscription
from hafen.push.validation import Subscription

log = logging.getLogger(__name__)

# A client with several devices is common, hundreds are not: the oldest give way.
MAX_PER_CONVERSATION = 5
PAYLOAD = json.dumps({"type": "answer"}).encode()
TOPIC = "answer"
GONE = frozenset({404, 410})


class ConversationGone(Exception):
    """The conversation was deleted while the client changed its notifications."""


def endpoint_digest(endpoint: str) -> str:
    return salted_hmac("hafen.push.endpoint", endpoint, algorithm="sha256").hexdigest()


def _lock(conversation: Conversation) -> None:
    # Serialises changes of one conversation's subscriptions (and against its deletion),
    # so that two tabs turning notifications on at once make one row, not an error.
    if not list(
        Conversation.objects.select_for_update().filter(pk=conversation.pk).values_list("pk")
    ):
        raise ConversationGone


@transaction.atomic
def subscribe(conversation: Conversation, subscription: Subscription) -> PushSubscription:
    """Turn notifications on for one browser (again: its keys are renewed)."""
    _lock(conversation)
    digest = endpoint_digest(subscription.endpoint)
    row = PushSubscription.objects.filter(conversation=conversation, endpoint_digest=digest).first()
    created = row is None
    if row is None:
        surplus = PushSubscription.objects.filter(conversation=conversation).order_by(
            "-created_at", "-pk"
        )[MAX_PER_CONVERSATION - 1 :]
        PushSubscription.objects.filter(pk__in=list(surplus.values_list("pk", flat=True))).delete()
        row = PushSubscription(conversation=conversation, endpoint_digest=digest)
        row.endpoint = subscription.endpoint
    row.conversation = conversation  # its data key seals the columns
    row.keys = subscription.keys_json()
    row.save()
    audit.record(
        "push.subscribed",
        target=conversation,
        organisation_id=conversation.organisation_id,
        subscription=row.pk,
        renewed=not created,
    )
    return row


@transaction.atomic
def unsubscribe(conversation: Conversation, endpoint: str) -> int:
    """Turn notifications off for one browser; returns how many rows went (0 or 1)."""
    _lock(conversation)
    rows = PushSubscription.objects.filter(
        conversation=conversation, endpoint_digest=endpoint_digest(endpoint)
    )
    ids = list(rows.values_list("pk", flat=True))
    if not ids:
        return 0
    rows.delete()
    for pk in ids:
        audit.record(
            "push.unsubscribed",
            target=conversation,
            organisation_id=conversation.organisation_id,
            subscription=pk,
        )
    return len(ids)


def notify_client(conversation_id: int) -> None:
    """The team answered: queue the notice, if the client asked for one.

    Call after commit (the answer must exist before anybody is told of it). Nothing
    is queued for the many conversations without a subscription.
    """
    if not PushSubscription.objects.filter(conversation_id=conversation_id).exists():
        return
    if vapid.keys() is None:
        return
    from hafen.push.tasks import send_answer_notifications

    send_answer_notifications.enqueue(conversation_id)


def send_answer_notifications(conversation_id: int) -> int:
    """Send the content-free notice to every browser of the conversation.

    Returns how many push services accepted it. Subscriptions the push service calls
    gone (404, 410) are deleted; other failures are logged and the subscription kept
    (a push service that is down today works tomorrow). Runs in the task worker,
    outside any transaction: no lock is held while waiting for the network.
    """
    keys = vapid.keys()
    if keys is None:
        return 0
    subscriptions = list(
        PushSubscription.objects.filter(conversation_id=conversation_id).select_related(
            "conversation__data_key", "conversation__team__facility"
        )
    )
    accepted = 0
    for subscription in subscriptions:
        try:
            endpoint = subscription.endpoint
            device = json.loads(subscription.keys)
        except crypto.CryptoError:
            continue  # the conversation is being deleted: its key is already shredded
        status = webpush.deliver(
            endpoint, device["p256dh"], device["auth"], PAYLOAD, keys=keys, topic=TOPIC
        )
        if 200 <= status < 300:
            accepted += 1
        elif status in GONE:
            _remove_expired(subscription)
        elif status != webpush.UNREACHABLE:
            log.warning(
                "A push service refused a notice for conversation %s with HTTP %s.",
                conversation_id,
                status,
            )
    return accepted


@transaction.atomic
def _remove_expired(subscription: PushSubscription) -> None:
    deleted, _ = PushSubscription.objects.filter(pk=subscription.pk).delete()
    if deleted:
        audit.record(
            "push.expired",
            target=subscription.conversation,
            organisation_id=subscription.conversation.organisation_id,
            subscription=subscription.pk,
        )
