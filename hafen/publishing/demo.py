"""Demo data of public communication: the news page and a channel published by hand, a
campaign, the guidelines, and posts in every state. Made through the same actions that
staff use, so everything is versioned and audited as in real life."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone, translation

from hafen.accounts.models import Organisation, User
from hafen.publishing.actions import approval, delivering, guidelines, posts
from hafen.publishing.actions import channels as channel_actions
from hafen.publishing.models import ChannelKind, Post


@transaction.atomic
def create_demo_publishing(organisation: Organisation) -> list[Post]:
    comms = User.objects.get(username="oeffentlichkeit", organisation=organisation)
    counsellor = User.objects.get(username="fachkraft", organisation=organisation)
    leader = User.objects.get(username="leitung", organisation=organisation)
    with translation.override("de"):
        guidelines.publish(leader, guidelines.default_text())
    guideline = guidelines.current(organisation.pk)
    assert guideline is not None
    guidelines.acknowledge(comms, guideline.pk)

    news = channel_actions.ensure_news_page(comms)
    instagram = channel_actions.create_channel(comms, kind=ChannelKind.MANUAL, name="Instagram")
    campaign = posts.create_campaign(comms, "Aktionswoche Schulden")
    now = timezone.now()

    published = posts.create_post(
        comms,
        title="Neue offene Sprechstunde",
        text=(
            "Ab sofort bietet die Schuldnerberatung jeden Donnerstag von 14 bis 17 Uhr eine "
            "offene Sprechstunde an, ohne Termin. Kommen Sie einfach vorbei!"
        ),
        channels=[news, instagram],
        campaign=campaign,
    )
    approval.submit(comms, published, version_id=published.current_version_id)
    approval.approve(leader, published, version_id=published.current_version_id)
    delivering.publish_due()

    scheduled = posts.create_post(
        comms,
        title="Aktionswoche: Was tun bei Schulden?",
        text="In der Aktionswoche beantworten wir Ihre Fragen rund um Schulden, anonym im Chat.",
        channels=[news],
        planned_at=now + timedelta(days=5),
        campaign=campaign,
    )
    approval.submit(comms, scheduled, version_id=scheduled.current_version_id)
    approval.approve(leader, scheduled, version_id=scheduled.current_version_id)

    waiting = posts.create_post(
        counsellor,
        title="Streetwork sucht Verstärkung",
        text=(
            "Wir suchen ab Januar eine Fachkraft (Soziale Arbeit, 30 Stunden) "
            "für unser Streetwork-Team."
        ),
        channels=[news, instagram],
        planned_at=now + timedelta(days=2),
    )
    approval.submit(counsellor, waiting, version_id=waiting.current_version_id)

    planned = posts.create_post(
        comms,
        title="Rückblick Sommerfest",
        text="Danke an alle, die beim Sommerfest dabei waren!",
        channels=[news],
        planned_at=now + timedelta(days=9),
    )
    posts.add_comment(leader, planned, "Bitte nur Fotos, auf denen niemand erkennbar ist.")
    return [published, scheduled, waiting, planned]
