"""The organisation's social-media guidelines: versions published by leadership, and
each staff member's acknowledgement of each version."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hafen.accounts.access import has_role
from hafen.accounts.models import Role, User
from hafen.privacy import audit
from hafen.publishing.actions.errors import PublishingError
from hafen.publishing.models import GuidelineAcknowledgement, GuidelineVersion


def current(organisation_id: int) -> GuidelineVersion | None:
    return (
        GuidelineVersion.objects.filter(organisation_id=organisation_id).order_by("-number").first()
    )


@transaction.atomic
def publish(user: User, text: str) -> GuidelineVersion:
    if user.organisation_id is None or not has_role(user, Role.LEADERSHIP):
        raise PublishingError(_("Only leadership publishes the guidelines."))
    text = text.strip()
    latest = (
        GuidelineVersion.objects.select_for_update()
        .filter(organisation_id=user.organisation_id)
        .order_by("-number")
        .first()
    )
    if latest is not None and latest.text == text:
        raise PublishingError(
            _("The text is the same as the current version; nothing was published.")
        )
    version = GuidelineVersion.objects.create(
        organisation_id=user.organisation_id,
        number=(latest.number if latest else 0) + 1,
        text=text,
        published_by=user,
    )
    audit.record(
        "publishing.guidelines_published",
        actor=user,
        target=version,
        organisation_id=user.organisation_id,
        number=version.number,
    )
    return version


def acknowledge(user: User, version_id: int) -> GuidelineAcknowledgement:
    """Record that ``user`` read the current version; a second click changes nothing."""
    if user.organisation_id is None:
        raise PublishingError(_("You have no organisation whose guidelines you could acknowledge."))
    latest = current(user.organisation_id)
    if latest is None or latest.pk != version_id:
        raise PublishingError(
            _("A newer version of the guidelines was published. Please read it first.")
        )
    existing = GuidelineAcknowledgement.objects.filter(version=latest, user=user).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            made = GuidelineAcknowledgement.objects.create(version=latest, user=user)
            audit.record(
                "publishing.guidelines_acknowledged",
                actor=user,
                target=latest,
                organisation_id=user.organisation_id,
                number=latest.number,
            )
    except IntegrityError:
        return GuidelineAcknowledgement.objects.get(version=latest, user=user)
    return made


def default_text() -> str:
    """Hafen's starting text, in the person's language; leadership adapts it."""
    return _(
        "Social-media guidelines of our organisation\n\n"
        "1. What we post: news about our services, events, offers and job openings, "
        "and our stance on social issues. We post as the organisation, on the channels "
        "the organisation runs; leadership stands behind every post it approved.\n\n"
        "2. What we never post: names, photos or descriptions that could make a client "
        "recognisable — not even without a name, when age, place and situation together "
        "point to one person. Photos of people only with their written consent.\n\n"
        "3. Approval: every post is checked by Hafen's recognisability check and approved "
        "by leadership or a person leadership named. Nobody approves their own post.\n\n"
        "4. When clients write to us on a social network: we answer kindly and briefly, "
        "never counsel there, and move the conversation to our secure chat with a "
        "handover link from Hafen (Inbox → Handover). We do not ask for details "
        "on the social network.\n\n"
        "5. Private accounts: staff are not obliged to post privately about work. Whoever "
        "does keeps professional secrecy and speaks only for themselves.\n\n"
        "6. Questions and mistakes: tell the communications staff or leadership at once; "
        "a post can be taken down, a name that was published cannot be taken back."
    )
