"""Demo case files for trying Hafen out: categories, templates, two cases with a history,
a help plan with goals, measures and two reviews (a progress chart), a review due
soon, and a case conference with action items. Made through the same actions that
staff use, so everything is encrypted and audited as in real life.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from hafen.accounts.models import Organisation, Team, User
from hafen.cases import actions
from hafen.cases.models import (
    AgreementWay,
    Case,
    Confidentiality,
    EntryKind,
    MeetingKind,
    Plan,
    PlanKind,
    Responsible,
    Review,
    TemplateKind,
)
from hafen.cases.validation import today

CATEGORIES = [
    "§27 SGB VIII Hilfe zur Erziehung",
    "§41 SGB VIII Hilfe für junge Volljährige",
    "Schuldnerberatung",
    "Wohnungslosenhilfe",
]

ENTRY_TEMPLATE = (
    "Anlass:\n\nGesprächsinhalt:\n\nEinschätzung:\n\nVereinbarungen / nächste Schritte:\n"
)
HOME_VISIT_TEMPLATE = (
    "Anwesend:\n\nWohnsituation:\n\nBeobachtungen:\n\nVereinbarungen / nächste Schritte:\n"
)
PLAN_TEMPLATE = (
    "Ausgangslage:\n\nSicht der Klientin / des Klienten:\n\nSicht der Fachkraft:\n\n"
    "Ziele und Maßnahmen: siehe unten\n"
)
MINUTES_TEMPLATE = "1. Begrüßung und Protokoll\n2. Fallbesprechungen\n3. Organisatorisches\n"


def demo_cases_exist(organisation: Organisation) -> bool:
    return Case.objects.filter(organisation=organisation).exists()


@transaction.atomic
def create_demo_cases(organisation: Organisation) -> list[Case]:
    """Needs the demo organisation of ``accounts.demo``; returns the cases made."""
    leader = User.objects.get(username="leitung", organisation=organisation)
    admin = User.objects.get(username="admin", organisation=organisation)
    counsellor = User.objects.get(username="fachkraft", organisation=organisation)
    youth = Team.objects.get(slug="jugendberatung", facility__organisation=organisation)
    street = Team.objects.get(slug="streetwork", facility__organisation=organisation)
    now = today()

    categories = {name: actions.create_category(leader, name) for name in CATEGORIES}
    template_specs: list[tuple[str, str, str, str]] = [
        (TemplateKind.ENTRY, "Beratungsgespräch", ENTRY_TEMPLATE, EntryKind.CONVERSATION),
        (TemplateKind.ENTRY, "Hausbesuch", HOME_VISIT_TEMPLATE, EntryKind.HOME_VISIT),
        (TemplateKind.PLAN, "Hilfeplan nach §36 SGB VIII", PLAN_TEMPLATE, ""),
        (TemplateKind.MINUTES, "Teamsitzung", MINUTES_TEMPLATE, ""),
    ]
    for kind, title, body, entry_kind in template_specs:
        actions.create_template(admin, kind=kind, title=title, body=body, entry_kind=entry_kind)

    first = actions.open_case(
        counsellor,
        youth,
        pseudonym="Leon K.",
        name="Leon Krause",
        contact="Tel. 0151 0000000 (nur nachmittags)",
        category=categories["§27 SGB VIII Hilfe zur Erziehung"],
        opened_on=now - timedelta(days=180),
    )
    history = [
        (
            175,
            EntryKind.PHONE_CALL,
            "Mutter ruft an, bittet um Termin. Leon schwänzt seit "
            "Wochen die Schule, zu Hause häufig Streit.",
        ),
        (
            168,
            EntryKind.CONVERSATION,
            "Erstgespräch mit Leon und Mutter. Leon möchte den "
            "Hauptschulabschluss schaffen, fühlt sich in der Klasse ausgegrenzt.",
        ),
        (
            150,
            EntryKind.HOME_VISIT,
            "Hausbesuch. Wohnung beengt, Leon hat keinen eigenen "
            "Platz zum Lernen. Mutter offen für Unterstützung.",
        ),
        (
            120,
            EntryKind.DECISION,
            "Hilfe zur Erziehung beantragt; Hilfeplangespräch mit dem Jugendamt vereinbart.",
        ),
        (30, EntryKind.CONTACT, "Leon kommt spontan vorbei, erzählt stolz von einer 2 in Mathe."),
    ]
    for days_ago, kind, text in history:
        actions.add_entry(
            counsellor, first, text=text, kind=kind, occurred_on=now - timedelta(days=days_ago)
        )
    note = actions.add_entry(
        counsellor,
        first,
        text="Leon berichtet im Vertrauen von Schulden bei einem Mitschüler.",
        kind=EntryKind.CONVERSATION,
        occurred_on=now - timedelta(days=60),
        confidentiality=Confidentiality.ENTRUSTED,
    )
    actions.correct_entry(
        counsellor,
        note,
        text="Leon berichtet im Vertrauen von Schulden (ca. 200 €) bei einem Mitschüler; "
        "er möchte das selbst klären.",
        reason="Betrag ergänzt",
    )

    plan = actions.create_plan(
        counsellor,
        first,
        kind=PlanKind.HELP_PLAN,
        title="Hilfeplan Leon K.",
        participants="Leon, Mutter, Jonas Weber (Jugendberatung), Jugendamt",
    )
    school = actions.add_goal(
        counsellor,
        plan,
        wording="Leon besucht regelmäßig die Schule.",
        indicator="Höchstens zwei unentschuldigte Fehltage im Monat",
        target_on=now + timedelta(days=120),
    )
    actions.add_measure(
        counsellor,
        school,
        text="Wöchentliches Gespräch über die Schulwoche",
        responsible=Responsible.STAFF,
        staff=counsellor,
    )
    actions.add_measure(
        counsellor, school, text="Führt ein Hausaufgabenheft", responsible=Responsible.CLIENT
    )
    room = actions.add_goal(
        counsellor,
        plan,
        wording="Leon hat einen ruhigen Platz zum Lernen.",
        indicator="Lernplatz im Jugendhaus an drei Nachmittagen pro Woche genutzt",
        target_on=now + timedelta(days=60),
    )
    actions.add_measure(
        counsellor,
        room,
        text="Hausaufgabenhilfe im Jugendhaus",
        responsible=Responsible.PARTNER,
        partner="Jugendhaus Nord, Hausaufgabenhilfe",
    )
    # The demo plays months of work in one go: it dates back what staff would have
    # written back then (actions refuse dates in the past for new plans and reviews).
    Plan.objects.filter(pk=plan.pk).update(created_at=timezone.now() - timedelta(days=118))
    plan.refresh_from_db()
    actions.record_agreement(
        counsellor,
        plan,
        agreed_on=now - timedelta(days=118),
        how=AgreementWay.SIGNED,
        note="Im Hilfeplangespräch beim Jugendamt",
    )
    for held_days_ago, school_rating, room_rating in ((90, 3, 2), (30, 6, 7)):
        held = now - timedelta(days=held_days_ago)
        review = actions.schedule_review(counsellor, plan, now)
        actions.record_review(
            counsellor,
            review,
            held_on=held,
            ratings={school.pk: (school_rating, "Noch viele Fehltage"), room.pk: room_rating},
        )
        Review.objects.filter(pk=review.pk).update(due_on=held)
    actions.schedule_review(counsellor, plan, now + timedelta(days=5))

    second = actions.open_case(
        counsellor,
        street,
        pseudonym="Mo",
        category=categories["Wohnungslosenhilfe"],
        opened_on=now - timedelta(days=40),
    )
    actions.add_entry(
        counsellor,
        second,
        text="Kontakt am Bahnhof. Mo schläft seit zwei Wochen draußen, möchte einen "
        "Schlafplatz für den Winter.",
        kind=EntryKind.CONTACT,
        occurred_on=now - timedelta(days=40),
    )

    conference = actions.create_meeting(
        counsellor,
        youth,
        kind=MeetingKind.CASE_CONFERENCE,
        held_on=now - timedelta(days=7),
        agenda=MINUTES_TEMPLATE,
        decisions="Schulbegleitung für " + first.reference + " beim Jugendamt anfragen.",
        attendees=[counsellor, leader],
        case_references=[first.reference],
    )
    actions.add_action_item(
        counsellor,
        conference,
        text="Anfrage Schulbegleitung an das Jugendamt schicken",
        owner=counsellor,
        due_on=now + timedelta(days=3),
    )
    # Consents on the case pages: Leon agreed in writing at the first meeting, Mo
    # verbally, and Leon's referral consent was given and later withdrawn.
    from hafen.privacy.consent import actions as consent

    consent.record_consent(
        counsellor, "documentation", first, method="written", given_on=first.opened_on
    )
    consent.record_consent(
        counsellor, "documentation", second, method="verbal", given_on=second.opened_on
    )
    consent.record_consent(
        counsellor, "referral", first, method="written", given_on=now - timedelta(days=30)
    )
    consent.withdraw_consent(counsellor, "referral", first, withdrawn_on=now - timedelta(days=3))
    # For the data-protection officer: youth-welfare files fall under § 9b SGB VIII, and
    # Mo asked for a copy of the file three weeks ago (its deadline shows in the cockpit).
    from hafen.privacy.requests import actions as requests
    from hafen.privacy.retention import actions as retention
    from hafen.privacy.retention.models import Statute

    dpo = User.objects.get(username="datenschutz", organisation=organisation)
    retention.mark_category(
        dpo, categories["§27 SGB VIII Hilfe zur Erziehung"], Statute.SGB_VIII_9B
    )
    requests.record_request(
        dpo,
        kind="access",
        file_number=second.reference,
        received_on=now - timedelta(days=22),
        identity_check="Persönlich in der Beratungsstelle, Ausweis gezeigt",
    )
    return [first, second]
