"""The retention rule for contact persons of partner organisations (Art. 5 Abs. 1 lit.
c and e DSGVO: only correct data, no longer than needed).

Contacts are professionals' business details, kept while they are used. A contact
nobody confirmed (saved or marked "still right") for ``FLAG_AFTER_DAYS`` is shown as
"please confirm" in the directory; after ``DELETE_AFTER_DAYS`` the daily task deletes
it, with an audit entry that names the record and never the person.

The privacy core's retention engine knows a fixed set of kinds (conversations, case
files, audit entries); this rule runs beside it in the network's own daily task and is
declared in ``processing.py``.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from hafen.network.models import Contact
from hafen.privacy import audit

FLAG_AFTER_DAYS = 2 * 365
DELETE_AFTER_DAYS = 3 * 365
BATCH = 200


def expired_contacts(today: date | None = None) -> list[int]:
    cutoff = (today or timezone.localdate()) - timedelta(days=DELETE_AFTER_DAYS)
    return list(
        Contact.objects.filter(confirmed_on__lt=cutoff).order_by("pk").values_list("pk", flat=True)
    )


def delete_expired_contacts(today: date | None = None) -> int:
    """Delete every contact unconfirmed for longer than the rule; returns how many."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=DELETE_AFTER_DAYS)
    deleted = 0
    for pk in expired_contacts(today):
        with transaction.atomic():
            # Checked again under the lock: somebody may have confirmed it meanwhile.
            contact = (
                Contact.objects.select_for_update()
                .select_related("partner")
                .filter(pk=pk, confirmed_on__lt=cutoff)
                .first()
            )
            if contact is None:
                continue
            audit.record(
                "network.contact_expired",
                target=contact,
                organisation_id=contact.partner.organisation_id,
                partner=contact.partner_id,
                period_days=DELETE_AFTER_DAYS,
            )
            contact.delete()
            deleted += 1
    return deleted
