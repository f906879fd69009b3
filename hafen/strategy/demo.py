"""Demo data of the strategy: a signed strategy of the demo organisation with measurable
goals, people and their hours, and an addition of the youth facility — made through the
same actions that leadership and communications staff use (versioned, audited)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from hafen.accounts.models import Facility, Organisation, User
from hafen.publishing.models import GuidelineVersion
from hafen.strategy import actions
from hafen.strategy.models import StrategyVersion
from hafen.strategy.sections import SECTIONS


@transaction.atomic
def create_demo_strategy(organisation: Organisation) -> StrategyVersion:
    comms = User.objects.get(username="oeffentlichkeit", organisation=organisation)
    leader = User.objects.get(username="leitung", organisation=organisation)
    counsellor = User.objects.get(username="fachkraft", organisation=organisation)
    volunteer = User.objects.get(username="ehrenamt", organisation=organisation)
    youth = Facility.objects.get(organisation=organisation, slug="jugendhaus-nord")

    draft = actions.start_draft(comms)

    def save(slug: str, rows: list[dict[str, object]], facility: Facility | None = None) -> None:
        nonlocal draft
        draft = actions.save_section(
            comms, draft.pk, draft.revision, SECTIONS[slug], facility, rows
        )

    save(
        "erwartungen",
        [
            {
                "text": "Junge Menschen erreichen uns dort, wo sie sind, und wir holen sie "
                "schnell in unseren sicheren Chat, statt auf WhatsApp zu beraten."
            },
            {"text": "Unsere Arbeit wird öffentlich sichtbar, ohne dass jemand erkennbar wird."},
        ],
    )
    save(
        "ziele",
        [
            {
                "text": "Wir antworten schnell auf die erste Nachricht",
                "metric": "first_response_median_hours",
                "direction": "at_most",
                "target": Decimal(24),
                "period": "month",
            },
            {
                "text": "Kontakte aus sozialen Netzwerken kommen im sicheren Chat an",
                "metric": "bridge_conversion",
                "direction": "at_least",
                "target": Decimal(40),
                "period": "quarter",
            },
            {
                "text": "Wir berichten regelmäßig über unsere Angebote",
                "metric": "posts_published",
                "direction": "at_least",
                "target": Decimal(4),
                "period": "month",
            },
        ],
    )
    save(
        "zielgruppen",
        [
            {
                "name": "Jugendliche und junge Erwachsene (14 bis 27)",
                "channels": ["instagram", "handover", "client_door"],
                "reason": "Sie sind auf Instagram; dort nur der Erstkontakt, beraten wird "
                "im sicheren Chat mit Übergabe-Link.",
            },
            {
                "name": "Menschen mit Schulden",
                "channels": ["client_door", "phone", "news_page"],
                "reason": "Viele schämen sich; der anonyme Chat senkt die Schwelle, die "
                "Sprechstunde steht auf der Nachrichtenseite.",
            },
        ],
    )
    save(
        "beteiligte",
        [
            {"user": comms, "task": "Redaktion und Kanäle", "hours_per_week": Decimal(10)},
            {"user": counsellor, "task": "Chat-Beratung", "hours_per_week": Decimal(8)},
        ],
    )
    save(
        "defizite",
        [
            {
                "description": "Nicht alle Kolleg_innen fühlen sich im Chat sicher",
                "remedy": "training",
                "measure": "Inhouse-Schulung Onlineberatung, zwei halbe Tage",
                "due_on": timezone.localdate() + timedelta(days=60),
            },
            {
                "description": "Es gibt nur ein Diensthandy pro Team",
                "remedy": "equipment",
                "measure": "Zwei weitere Diensthandys beschaffen",
                "due_on": None,
            },
        ],
    )
    # The youth facility adds its own goal and its streetwork volunteer.
    save(
        "ziele",
        [
            {
                "text": "Streetwork ist auch abends erreichbar",
                "metric": "share_outside_office_hours",
                "direction": "at_most",
                "target": Decimal(30),
                "period": "month",
            }
        ],
        youth,
    )
    save(
        "beteiligte",
        [{"user": volunteer, "task": "Instagram-Erstkontakte", "hours_per_week": Decimal(3)}],
        youth,
    )
    guideline = (
        GuidelineVersion.objects.filter(organisation=organisation).order_by("-number").first()
    )
    draft = actions.save_basics(
        comms,
        draft.pk,
        draft.revision,
        {
            "budget": Decimal(2500),
            "budget_note": "Schulungen, zwei Diensthandys, Lizenzen",
            "guideline": guideline,
            "rules_note": "Beratung nur im sicheren Chat oder am Telefon.",
            "review_on": timezone.localdate() + timedelta(days=180),
        },
    )
    return actions.sign(leader, draft.pk, draft.revision)
