"""Reminding the responsible person of a cooperation agreement's review date.

The same mechanism as the plan reviews of case files (``cases.actions.reminders``): a
daily task finds agreements due within ``REMINDER_DAYS`` and not yet reminded (a
partial index on the review date), claims each by a conditional UPDATE of
``reminded_at`` so that two workers never remind twice, and tells the person by
e-mail after commit; the start page lists the person's agreements due meanwhile. A
worker that was down catches up on its next run. An e-mail the mail server refuses
is logged without the address and changes nothing else.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from hafen.network.models import Agreement
from hafen.privacy import audit

REMINDER_DAYS = 14
BATCH = 200

logger = logging.getLogger(__name__)


def send_agreement_reminders(*, now: datetime | None = None, days: int = REMINDER_DAYS) -> int:
    """Remind the responsible person of every agreement due within ``days``; how many."""
    now = now or timezone.now()
    horizon = timezone.localdate(now) + timedelta(days=days)
    sent = 0
    while True:
        batch = list(
            Agreement.objects.filter(
                reminded_at__isnull=True, review_on__lte=horizon, responsible__isnull=False
            )
            .select_related("responsible", "partner")
            .order_by("review_on", "pk")[:BATCH]
        )
        if not batch:
            return sent
        for agreement in batch:
            if _remind(agreement, now):
                sent += 1


@transaction.atomic
def _remind(agreement: Agreement, now: datetime) -> bool:
    claimed = Agreement.objects.filter(pk=agreement.pk, reminded_at__isnull=True).update(
        reminded_at=now
    )
    if not claimed:
        return False  # another worker was faster
    audit.record(
        "network.agreement_reminded",
        target=agreement,
        organisation_id=agreement.organisation_id,
        responsible=agreement.responsible_id,
    )
    agreement_id = agreement.pk
    transaction.on_commit(lambda: _mail(agreement_id), robust=True)
    return True


def _mail(agreement_id: int) -> None:
    agreement = (
        Agreement.objects.select_related("responsible", "partner").filter(pk=agreement_id).first()
    )
    if agreement is None or agreement.responsible is None or not agreement.responsible.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Hafen: review of the agreement with %(partner)s") % {
            "partner": agreement.partner.name
        }
        body = _(
            "Hello %(name)s,\n\nthe cooperation agreement “%(title)s” with %(partner)s is to "
            "be reviewed on %(date)s. You receive this message because you are responsible "
            "for it.\n\n%(link)s\n"
        ) % {
            "name": agreement.responsible,
            "title": agreement.title,
            "partner": agreement.partner.name,
            "date": formats.date_format(agreement.review_on, "SHORT_DATE_FORMAT"),
            "link": settings.HAFEN_BASE_URL
            + reverse("network:partner", args=[agreement.partner_id]),
        }
    try:
        send_mail(subject, body, None, [agreement.responsible.email])
    except (smtplib.SMTPException, OSError):
        logger.warning("Agreement %s: the mail server did not accept the reminder.", agreement_id)
