"""Handovers from a social network into the organisation's own chat, and their reply texts.

A handover is a one-time link a counsellor sends to somebody who first wrote on
Facebook, WhatsApp & co. Only the SHA-256 of its token is stored, so a copy of the
database does not let anybody start a conversation in a team's name. Nothing the
person wrote on the social network is copied here: the handover knows the team,
the channel, an optional short topic the counsellor chose, and its times.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hafen.accounts.models import Organisation, Team
from hafen.conversations.models import Conversation, Origin

StrOrPromise = str | Promise

MAX_TOPIC_CHARS = 40
MAX_REPLY_TEXT_CHARS = 1000
LINK_PLACEHOLDER = "{link}"

# Every origin but the door itself: a handover always comes from somewhere else.
CHANNEL_CHOICES: list[tuple[str, StrOrPromise]] = [
    (origin.value, origin.label) for origin in Origin if origin != Origin.DOOR
]
CHANNELS = frozenset(value for value, _label in CHANNEL_CHOICES)


class Validity(models.TextChoices):
    """How long a handover link works: short for a chat that is going on right now,
    long for a flyer handed over in person."""

    HOUR = "1h", _("1 hour")
    DAY = "24h", _("24 hours")
    WEEK = "7d", _("7 days")
    MONTH = "30d", _("30 days")


VALIDITY_SPANS = {
    Validity.HOUR: timedelta(hours=1),
    Validity.DAY: timedelta(hours=24),
    Validity.WEEK: timedelta(days=7),
    Validity.MONTH: timedelta(days=30),
}
DEFAULT_VALIDITY = Validity.WEEK


class HandoverState(models.TextChoices):
    OPEN = "open", _("Not opened yet")
    OPENED = "opened", _("Opened")
    USED = "used", _("Conversation started")
    EXPIRED = "expired", _("Expired")


class HandoverQuerySet(models.QuerySet["Handover"]):
    def usable(self) -> HandoverQuerySet:
        return self.filter(used_at__isnull=True, expires_at__gt=timezone.now())

    def made_by(self, user_id: int) -> HandoverQuerySet:
        return self.filter(created_by_id=user_id)


class Handover(models.Model):
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="handovers", verbose_name=_("team")
    )
    channel = models.CharField(_("channel"), max_length=12, choices=CHANNEL_CHOICES)
    topic = models.CharField(_("topic"), max_length=MAX_TOPIC_CHARS, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField(_("valid until"))
    opened_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    # Empty until used, and again if the client deletes the conversation (crypto-shredding
    # removes it; the handover keeps only that it was used).
    conversation = models.OneToOneField(
        Conversation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handover",
    )

    objects = HandoverQuerySet.as_manager()

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "created_at"])]

    def __str__(self) -> str:
        return f"handover {self.pk} to team {self.team_id}"

    @property
    def state(self) -> str:
        if self.used_at is not None:
            return HandoverState.USED
        if self.expires_at <= timezone.now():
            return HandoverState.EXPIRED
        if self.opened_at is not None:
            return HandoverState.OPENED
        return HandoverState.OPEN

    def get_state_display(self) -> str:
        return str(HandoverState(self.state).label)


class Variant(models.TextChoices):
    """The two forms of every reply text: German and Easy German (Einfache Sprache)."""

    STANDARD = "standard", _("German")
    SIMPLE = "simple", _("Easy German")


class ReplyText(models.Model):
    """An organisation's own wording of the reply for one channel and variant.

    Without a row the built-in default of ``replies.default_text`` applies.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("channel"), max_length=12, choices=CHANNEL_CHOICES)
    variant = models.CharField(_("language"), max_length=10, choices=Variant.choices)
    text = models.TextField(_("text"), max_length=MAX_REPLY_TEXT_CHARS)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("handover reply text")
        verbose_name_plural = _("handover reply texts")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "channel", "variant"], name="reply_text_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel}/{self.variant}"
