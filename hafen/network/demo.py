"""Demo data of the partner network: partner organisations with contacts and an
agreement, a Fachtag and a barcamp with colleagues signed up, and a referral (with the
client's consent) in the first demo case file. Made through the same actions staff
use, so everything is encrypted and audited as in real life."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from hafen.accounts.models import Organisation, User
from hafen.cases.models import Case
from hafen.network import actions
from hafen.network.models import EventKind, Partner, ReferralOutcome
from hafen.privacy.consent import queries as consent_queries
from hafen.privacy.consent.models import ConsentKind, ConsentMethod

PARTNERS = [
    {
        "name": "Schuldner- und Insolvenzberatung Caritas Nord",
        "services": "Schuldnerberatung, Insolvenzberatung, P-Konto",
        "areas": "Nordstadt, Hafenviertel",
        "target_groups": "Erwachsene, Familien",
        "languages": "Deutsch, Türkisch, Arabisch",
        "reach": "Hafenstraße 12\nMo bis Do 9 bis 16 Uhr\nTel. 0400 123456",
        "notes": "Offene Sprechstunde donnerstags ohne Termin.",
    },
    {
        "name": "Jobcenter Nordstadt, U25-Team",
        "services": "Ausbildung, Bürgergeld, Berufsberatung",
        "areas": "Nordstadt",
        "target_groups": "Junge Erwachsene unter 25",
        "languages": "Deutsch, Englisch",
        "reach": "Am Markt 3\nTermine über die Hotline 0400 555000",
        "notes": "",
    },
    {
        "name": "Frauenhaus Lichtblick",
        "services": "Schutz bei häuslicher Gewalt, Beratung, Unterkunft",
        "areas": "Stadtgebiet, Landkreis",
        "target_groups": "Frauen und ihre Kinder",
        "languages": "Deutsch, Englisch, Russisch, Ukrainisch",
        "reach": "Adresse vertraulich; rund um die Uhr erreichbar: Tel. 0400 999888",
        "notes": "Aufnahme auch nachts.",
    },
]


def _at(day_offset: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@transaction.atomic
def create_demo_network(organisation: Organisation) -> list[Partner]:
    """Needs the demo organisation and its demo case files; returns the partners made."""
    counsellor = User.objects.get(username="fachkraft", organisation=organisation)
    leader = User.objects.get(username="leitung", organisation=organisation)
    comms = User.objects.get(username="oeffentlichkeit", organisation=organisation)
    partners = [actions.create_partner(counsellor, **fields) for fields in PARTNERS]
    debt, jobcenter, _shelter = partners
    actions.add_contact(
        counsellor,
        debt,
        name="Sabine Krüger",
        function="Schuldnerberaterin",
        phone="0400 123457",
        email="s.krueger@example.org",
    )
    actions.add_contact(
        counsellor, jobcenter, name="Murat Aydin", function="Fallmanager U25", phone="0400 555012"
    )
    actions.create_agreement(
        leader,
        debt,
        title="Kooperationsvereinbarung Schuldnerberatung",
        text="Feste Sprechstunde für unsere Klient_innen, Rückmeldung innerhalb einer Woche.",
        responsible=counsellor,
        review_on=timezone.localdate() + timedelta(days=10),
    )
    conference = actions.create_event(
        comms,
        title="Fachtag Digitale Soziale Arbeit",
        kind=EventKind.CONFERENCE,
        starts_at=_at(21, 9),
        ends_at=_at(21, 17),
        place="Bürgerhaus Nord, Saal 2",
        link="https://example.org/fachtag",
        description="Vorträge und Workshops zu Onlineberatung und Datenschutz.",
    )
    actions.create_event(
        comms,
        title="Barcamp Sozialraum",
        kind=EventKind.BARCAMP,
        starts_at=_at(45, 10),
        ends_at=_at(45, 16),
        place="Jugendhaus Nord",
        description="Offenes Format: Themen bringen die Teilnehmenden mit.",
    )
    actions.sign_up(counsellor, conference)
    actions.sign_up(comms, conference)

    case = Case.objects.filter(organisation=organisation, pseudonym="Leon K.").first()
    if case is not None:
        # The demo case may carry a withdrawn referral consent: Leon agreed again today.
        standing = consent_queries.current_consent(ConsentKind.REFERRAL, case)
        today = timezone.localdate()
        referral = actions.refer(
            counsellor,
            case,
            debt,
            passed_on="Schulden bei zwei Mobilfunkanbietern; Leon möchte ein P-Konto.",
            referred_on=today,
            consent_method="" if standing else ConsentMethod.WRITTEN,
            consent_given_on=None if standing else today,
        )
        actions.set_outcome(
            counsellor, referral, outcome=ReferralOutcome.ACCEPTED, outcome_on=today
        )
    return partners
