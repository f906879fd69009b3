"""Reads of the partner network: the directory with its filters, a case's referrals,
upcoming events, agreements due, and the referral figures.

``referral_counts`` is the seam for the figures part: plain counts per partner and
month, no client data. Small-number suppression is the figures page's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from hafen.accounts.models import Organisation, Team, User
from hafen.cases.models import Case
from hafen.network.models import (
    PASSED_ON_CONTEXT,
    Agreement,
    Contact,
    Event,
    Partner,
    Referral,
)
from hafen.network.retention import FLAG_AFTER_DAYS
from hafen.privacy import crypto

MAX_QUERY_CHARS = 100


def _term(value: object) -> str:
    return " ".join(str(value or "").split())[:MAX_QUERY_CHARS]


def directory(
    organisation_id: int,
    *,
    query: object = "",
    service: object = "",
    area: object = "",
    language: object = "",
    include_inactive: bool = False,
) -> QuerySet[Partner]:
    """Partners of the organisation matching every given filter (case-insensitive,
    part of a word is enough: "Schuld" finds "Schuldnerberatung")."""
    partners = Partner.objects.filter(organisation_id=organisation_id).annotate(
        contact_count=Count("contacts", distinct=True)
    )
    if not include_inactive:
        partners = partners.filter(is_active=True)
    text = _term(query)
    if text:
        partners = partners.filter(
            Q(name__icontains=text)
            | Q(services__icontains=text)
            | Q(target_groups__icontains=text)
            | Q(notes__icontains=text)
        )
    for name, value in (("services", service), ("areas", area), ("languages", language)):
        term = _term(value)
        if term:
            partners = partners.filter(**{f"{name}__icontains": term})
    return partners.order_by("name", "pk")


def filter_values(organisation_id: int) -> dict[str, list[str]]:
    """The services, areas and languages that occur, for the filter's suggestions."""
    found: dict[str, set[str]] = {"services": set(), "areas": set(), "languages": set()}
    rows = Partner.objects.filter(organisation_id=organisation_id, is_active=True).values_list(
        "services", "areas", "languages"
    )
    for services, areas, languages in rows:
        found["services"].update(Partner.split(services))
        found["areas"].update(Partner.split(areas))
        found["languages"].update(Partner.split(languages))
    return {key: sorted(values, key=str.casefold) for key, values in found.items()}


def contacts_of(partner: Partner) -> list[Contact]:
    return list(partner.contacts.order_by("name", "pk"))


def needs_confirmation(contact: Contact, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return contact.confirmed_on <= today - timedelta(days=FLAG_AFTER_DAYS)


# -- referrals ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralView:
    id: int
    partner: Partner
    referred_on: date
    passed_on: str | None  # None once the case's key is destroyed
    outcome: str
    outcome_label: str
    outcome_on: date | None
    created_by: User | None
    consent_number: int | None


def case_referrals(case: Case) -> list[ReferralView]:
    """The case's referrals, newest first, decrypted; the caller checked read access."""
    referrals = list(
        Referral.objects.filter(case=case)
        .select_related("partner", "created_by", "consent__version")
        .order_by("-referred_on", "-pk")
    )
    shredded = case.data_key.is_shredded
    opener = (
        None
        if shredded or not referrals
        else crypto.text_opener(case.data_key, context=PASSED_ON_CONTEXT)
    )
    return [
        ReferralView(
            id=referral.pk,
            partner=referral.partner,
            referred_on=referral.referred_on,
            passed_on=(
                opener(bytes(referral.passed_on_sealed))
                if opener is not None and referral.passed_on_sealed is not None
                else None
            ),
            outcome=referral.outcome,
            outcome_label=referral.get_outcome_display(),
            outcome_on=referral.outcome_on,
            created_by=referral.created_by,
            consent_number=referral.consent.version.number if referral.consent else None,
        )
        for referral in referrals
    ]


def referral_counts(
    organisation: Organisation | int,
    start: date,
    end: date,
    team: Team | int | None = None,
) -> list[tuple[Partner, date, int]]:
    """How many referrals went to each partner per month, ``start`` to ``end`` inclusive.

    Rows ``(partner, first day of the month, count)``, by month then partner name; months
    and partners without referrals do not appear. An empty or reversed period gives [].
    """
    if end < start:
        return []
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    referrals = Referral.objects.filter(
        organisation_id=organisation_id, referred_on__gte=start, referred_on__lte=end
    )
    if team is not None:
        referrals = referrals.filter(team_id=team if isinstance(team, int) else team.pk)
    rows = (
        referrals.annotate(month=TruncMonth("referred_on"))
        .values("partner_id", "month")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counted = list(rows)
    partners = Partner.objects.in_bulk({row["partner_id"] for row in counted})
    result = [
        (partners[row["partner_id"]], _as_date(row["month"]), row["count"]) for row in counted
    ]
    return sorted(result, key=lambda item: (item[1], item[0].name.casefold(), item[0].pk))


def _as_date(value: object) -> date:
    # TruncMonth of a DateField gives a date; some backends hand back a datetime.
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    assert isinstance(value, date)
    return value


# -- events and agreements ---------------------------------------------------------------


def upcoming_events(organisation_id: int) -> QuerySet[Event]:
    """Events not yet over, soonest first, with who goes."""
    return (
        Event.objects.filter(organisation_id=organisation_id, ends_at__gte=timezone.now())
        .prefetch_related("attendees")
        .order_by("starts_at", "pk")
    )


def past_events(organisation_id: int, limit: int = 20) -> list[Event]:
    return list(
        Event.objects.filter(organisation_id=organisation_id, ends_at__lt=timezone.now())
        .prefetch_related("attendees")
        .order_by("-starts_at", "-pk")[:limit]
    )


def feed_events(user: User) -> QuerySet[Event]:
    """What the person's calendar feed holds: the organisation's events from 90 days ago
    on (a calendar keeps the recent past), those the person goes to marked."""
    since = timezone.now() - timedelta(days=90)
    assert user.organisation_id is not None  # feed_user lets only organisation staff in
    return Event.objects.filter(organisation_id=user.organisation_id, ends_at__gte=since).order_by(
        "starts_at", "pk"
    )


def agreements_due(user: User, days: int = 30) -> list[Agreement]:
    """The person's agreements whose review is due within ``days`` or overdue."""
    horizon = timezone.localdate() + timedelta(days=days)
    return list(
        Agreement.objects.filter(responsible=user, review_on__lte=horizon)
        .select_related("partner")
        .order_by("review_on", "pk")
    )
