"""The newsletter's subscribers: double opt-in, unsubscribing, and sending a post to them.

- ``subscribe`` keeps the address sealed and sends a confirmation link (through the
  worker, so a slow mail server never holds a public page); until the link is
  followed, nothing else is ever sent to the address, and after ``CONFIRM_DAYS`` the
  unconfirmed address is forgotten (``housekeeping``).
- Whether an address is subscribed is never told to the person asking: every request
  gets the same answer, so the form cannot be used to find out who reads the newsletter.
- The confirm and unsubscribe links carry a keyed hash of the subscriber's number and
  nonce (the installation's secret key): nothing to store, nothing to guess, and a link
  from a restored backup of the database alone cannot be forged.
- Unsubscribing, a never confirmed address and an address the mail server refuses for
  good shred the subscriber's data key and delete the row.
- ``send`` (the delivery seam) sends the approved post to every confirmed subscriber
  who has not had it yet, and records each copy, so a retry after an interruption
  sends to the rest only.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hafen.privacy import crypto
from hafen.publishing.actions.errors import PublishingError
from hafen.publishing.channels import ChannelError, NewsletterRecipient, adapter_for
from hafen.publishing.channels.newsletter import (
    NewsletterAdapter,
    NewsletterInterrupted,
    valid_address,
)
from hafen.publishing.models import Channel, ChannelKind, Delivery, NewsletterSend, Subscriber

logger = logging.getLogger(__name__)

ADDRESS_CONTEXT = "publishing.subscriber.address"
CONFIRM_DAYS = 7
# A pending address gets another confirmation mail at most this often.
RESEND_AFTER = timedelta(minutes=10)
MAX_ADDRESS_CHARS = 254
ADDRESS_MESSAGE = gettext_lazy("Please enter a valid e-mail address, for example name@example.org.")


@dataclass(frozen=True)
class Counts:
    confirmed: int
    pending: int


def channels_of(organisation_id: int) -> QuerySet[Channel]:
    """Newsletters the public may subscribe to: active and set up with a mail server."""
    return (
        Channel.objects.filter(
            organisation_id=organisation_id, kind=ChannelKind.NEWSLETTER, active=True
        )
        .exclude(config={})
        .order_by("name", "pk")
    )


def counts(channel: Channel) -> Counts:
    confirmed = channel.subscribers.filter(confirmed_at__isnull=False).count()
    return Counts(confirmed, channel.subscribers.count() - confirmed)


def clean_address(raw: object) -> str:
    message = str(ADDRESS_MESSAGE)
    if not isinstance(raw, str):
        raise PublishingError(message)
    address = raw.strip()
    if not address or len(address) > MAX_ADDRESS_CHARS or not valid_address(address):
        raise PublishingError(message)
    try:
        EmailValidator()(address)
    except ValidationError:
        raise PublishingError(message) from None
    return address


def _digest(channel: Channel, address: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(),
        f"newsletter:{channel.pk}:{address.lower()}".encode(),
        hashlib.sha256,
    ).hexdigest()


def link_token(subscriber: Subscriber, purpose: str) -> str:
    return salted_hmac(
        f"hafen.newsletter.{purpose}", f"{subscriber.pk}:{subscriber.nonce}", algorithm="sha256"
    ).hexdigest()[:40]


def _url(name: str, subscriber: Subscriber, purpose: str) -> str:
    slug = subscriber.channel.organisation.slug
    path = reverse(name, args=[slug, subscriber.pk, link_token(subscriber, purpose)])
    return settings.HAFEN_BASE_URL + path


def confirm_url(subscriber: Subscriber) -> str:
    return _url("publishing:newsletter_confirm", subscriber, "confirm")


def unsubscribe_url(subscriber: Subscriber) -> str:
    return _url("publishing:newsletter_unsubscribe", subscriber, "unsubscribe")


def address_of(subscriber: Subscriber) -> str:
    return crypto.decrypt_text(
        subscriber.data_key, bytes(subscriber.address_sealed), context=ADDRESS_CONTEXT
    )


def subscribe(channel: Channel, raw_address: object, *, language: str) -> None:
    """Ask for a subscription; the confirmation mail follows through the worker.

    The same answer whether the address is new, pending or confirmed already: a
    confirmed address gets nothing, a pending one another mail (at most every
    ``RESEND_AFTER``), a new one its first.
    """
    address = clean_address(raw_address)
    digest = _digest(channel, address)
    now = timezone.now()
    try:
        with transaction.atomic():
            existing = (
                Subscriber.objects.select_for_update()
                .filter(channel=channel, address_digest=digest)
                .first()
            )
            if existing is not None:
                sent = existing.confirmation_sent_at
                if existing.confirmed_at is not None or (sent and sent > now - RESEND_AFTER):
                    return
                subscriber = existing
                Subscriber.objects.filter(pk=existing.pk).update(
                    confirmation_sent_at=None, language=language
                )
            else:
                data_key = crypto.create_data_key("publishing.subscriber")
                subscriber = Subscriber.objects.create(
                    channel=channel,
                    data_key=data_key,
                    address_sealed=crypto.encrypt_text(data_key, address, context=ADDRESS_CONTEXT),
                    address_digest=digest,
                    nonce=secrets.token_hex(16),
                    language=language,
                )
            subscriber_id = subscriber.pk
            transaction.on_commit(lambda: _enqueue_confirmation(subscriber_id))
    except IntegrityError:
        return  # the same address at the same moment (a double click): one is enough


def _enqueue_confirmation(subscriber_id: int) -> None:
    from hafen.publishing.tasks import send_newsletter_confirmation

    send_newsletter_confirmation.enqueue(subscriber_id)


def send_confirmation(subscriber_id: int) -> bool:
    """Mail the confirmation link, once; False if there was nothing to send."""
    claimed = Subscriber.objects.filter(
        pk=subscriber_id, confirmed_at__isnull=True, confirmation_sent_at__isnull=True
    ).update(confirmation_sent_at=timezone.now())
    if not claimed:
        return False
    subscriber = Subscriber.objects.select_related("channel__organisation", "data_key").get(
        pk=subscriber_id
    )
    from hafen.publishing.delivery import account_of

    channel = subscriber.channel
    with translation.override(subscriber.language):
        subject = _("Please confirm your subscription to the newsletter of %(name)s") % {
            "name": channel.organisation.name
        }
        text = _(
            "Hello,\n\nsomebody — probably you — asked for the newsletter “%(newsletter)s” of "
            "%(name)s to be sent to this address. To receive it, please confirm here:\n\n"
            "%(url)s\n\nIf it was not you, simply ignore this mail: without your "
            "confirmation you will get nothing more from us, and the address is deleted "
            "after %(days)d days.\n"
        ) % {
            "newsletter": channel.name,
            "name": channel.organisation.name,
            "url": confirm_url(subscriber),
            "days": CONFIRM_DAYS,
        }
    try:
        NewsletterAdapter().send_notice(
            account_of(channel), to=address_of(subscriber), subject=subject, text=text
        )
    except ChannelError as error:
        if error.retryable:  # ``housekeeping`` tries again
            Subscriber.objects.filter(pk=subscriber_id).update(confirmation_sent_at=None)
        else:
            logger.warning("Newsletter confirmation for subscriber %s refused", subscriber_id)
            forget(subscriber)
        return False
    return True


def find(subscriber_id: int, token: str, purpose: str) -> Subscriber | None:
    """The subscriber the link belongs to, or None for a wrong, old or expired link."""
    subscriber = (
        Subscriber.objects.select_related("channel__organisation", "data_key")
        .filter(pk=subscriber_id)
        .first()
    )
    if subscriber is None or not constant_time_compare(link_token(subscriber, purpose), token):
        return None
    if purpose == "confirm" and subscriber.confirmed_at is None and _expired(subscriber):
        return None
    return subscriber


def _expired(subscriber: Subscriber) -> bool:
    return subscriber.created_at < timezone.now() - timedelta(days=CONFIRM_DAYS)


def confirm(subscriber: Subscriber) -> None:
    Subscriber.objects.filter(pk=subscriber.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now()
    )


@transaction.atomic
def forget(subscriber: Subscriber) -> None:
    """Unsubscribe: the address is unreadable from now on, in backups too."""
    crypto.shred(subscriber.data_key)
    Subscriber.objects.filter(pk=subscriber.pk).delete()


def housekeeping(now: datetime | None = None) -> tuple[int, int]:
    """Send confirmations that failed for a passing reason; forget addresses never
    confirmed within ``CONFIRM_DAYS``. Returns (sent, forgotten)."""
    now = now or timezone.now()
    stale = Subscriber.objects.select_related("data_key").filter(
        confirmed_at__isnull=True, created_at__lt=now - timedelta(days=CONFIRM_DAYS)
    )
    forgotten = 0
    for subscriber in stale[:1000]:
        forget(subscriber)
        forgotten += 1
    waiting = Subscriber.objects.filter(
        confirmed_at__isnull=True, confirmation_sent_at__isnull=True
    ).values_list("pk", flat=True)
    sent = sum(send_confirmation(pk) for pk in list(waiting[:200]))
    return sent, forgotten


def send(delivery: Delivery) -> None:
    """Send the approved post to every confirmed subscriber who has not had it yet.

    Raises ``ChannelError`` (an interruption after recording who has it already).
    """
    from hafen.publishing.delivery import account_of, outgoing

    waiting = list(
        Subscriber.objects.select_related("channel__organisation", "data_key")
        .filter(channel=delivery.channel, confirmed_at__isnull=False)
        .exclude(sends__delivery=delivery)
        .order_by("pk")
    )
    if not waiting:
        if delivery.sends.exists():
            return  # a retry after everybody got it
        raise ChannelError(_("The newsletter has no confirmed subscribers yet."), retryable=False)
    by_address = {address_of(subscriber): subscriber for subscriber in waiting}
    recipients = [
        NewsletterRecipient(address, unsubscribe_url(subscriber))
        for address, subscriber in by_address.items()
    ]
    try:
        result = adapter_for(ChannelKind.NEWSLETTER).publish(
            outgoing(delivery),
            account_of(delivery.channel),
            idempotency_key=str(delivery.idempotency_key),
            recipients=recipients,
        )
    except NewsletterInterrupted as error:
        _record(delivery, by_address, error.delivered, error.refused)
        raise
    refused = set(result.refused_recipients)
    _record(delivery, by_address, [a for a in by_address if a not in refused], refused)


def _record(
    delivery: Delivery,
    by_address: dict[str, Subscriber],
    delivered: Iterable[str],
    refused: Iterable[str],
) -> None:
    """Who has the post now; addresses refused for good are forgotten (a dead mailbox)."""
    NewsletterSend.objects.bulk_create(
        [NewsletterSend(delivery=delivery, subscriber=by_address[a]) for a in delivered],
        ignore_conflicts=True,
    )
    for address in refused:
        if address in by_address:
            forget(by_address[address])
