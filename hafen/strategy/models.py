"""The communication strategy of an organisation: versions, and the parts each holds.

One ``Strategy`` per organisation. Its content lives in ``StrategyVersion`` rows: at most
one draft (being edited), at most one signed version (what staff see), and the
superseded versions before it. Changing a signed strategy copies it into a new draft;
the signed version stays in force until leadership signs the draft.

Every part (expectation, goal, target group, participant, deficit) belongs to one
version and either to the organisation (``facility`` empty) or, as a facility's own
addition, to one facility — shown under the organisation's parts, never instead of them.

A version's ``revision`` grows with every change of the draft. Editing and signing
carry the revision the person loaded; a different revision refuses the change, so that
leadership signs exactly the text it read.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hafen.accounts.models import Facility, Organisation
from hafen.strategy import metrics

# Limits that keep a strategy readable and the pages fast; forms say them in words.
SHORT_TEXT = 300
LONG_TEXT = 1000
NOTE_TEXT = 2000
MAX_PARTS = 30


class Strategy(models.Model):
    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="strategy"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("communication strategy")
        verbose_name_plural = _("communication strategies")

    def __str__(self) -> str:
        return str(self.organisation_id)


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")
    SUPERSEDED = "superseded", _("Superseded")


class StrategyVersion(models.Model):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    state = models.CharField(max_length=12, choices=VersionState.choices)
    revision = models.PositiveIntegerField(default=1)
    budget = models.DecimalField(
        _("budget per year (euros)"), max_digits=11, decimal_places=2, null=True, blank=True
    )
    budget_note = models.CharField(_("what the budget is for"), max_length=SHORT_TEXT, blank=True)
    guideline = models.ForeignKey(
        "publishing.GuidelineVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("social-media guidelines"),
    )
    rules_note = models.TextField(_("further rules"), max_length=NOTE_TEXT, blank=True)
    review_on = models.DateField(_("review date"), null=True, blank=True)
    review_reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("strategy version")
        verbose_name_plural = _("strategy versions")
        ordering = ["strategy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="strategy_version_unique"),
            models.UniqueConstraint(
                fields=["strategy"], condition=Q(state="draft"), name="strategy_one_draft"
            ),
            models.UniqueConstraint(
                fields=["strategy"], condition=Q(state="signed"), name="strategy_one_signed"
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(signed_by__isnull=False, signed_at__isnull=False),
                name="strategy_signed_has_signer",
            ),
        ]
        indexes = [
            # The daily reminder finds signed versions whose review date has come.
            models.Index(
                fields=["review_on"],
                condition=Q(state="signed", review_reminded_at__isnull=True),
                name="strategy_review_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.strategy_id} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.state == VersionState.DRAFT


class Part(models.Model):
    """A part of one version, of the organisation (``facility`` empty) or of a facility."""

    version = models.ForeignKey(StrategyVersion, on_delete=models.CASCADE, related_name="+")
    facility = models.ForeignKey(
        Facility, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects: models.Manager[Any] = models.Manager()

    class Meta:
        abstract = True
        ordering = ["position", "pk"]


class Expectation(Part):
    text = models.TextField(_("expectation"), max_length=LONG_TEXT)

    class Meta(Part.Meta):
        verbose_name = _("expectation")
        verbose_name_plural = _("expectations")

    def __str__(self) -> str:
        return self.text[:60]


class Direction(models.TextChoices):
    AT_LEAST = "at_least", _("at least")
    AT_MOST = "at_most", _("at most")


class Period(models.TextChoices):
    MONTH = "month", _("per month")
    QUARTER = "quarter", _("per quarter")
    YEAR = "year", _("per year")


class Goal(Part):
    text = models.CharField(_("goal"), max_length=SHORT_TEXT)
    # A key of ``metrics.METRICS``; checked by the form, not a database choice, so that
    # declaring a new figure needs no migration.
    metric = models.CharField(_("measured by"), max_length=60)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    target = models.DecimalField(_("target value"), max_digits=12, decimal_places=2)
    period = models.CharField(_("period"), max_length=10, choices=Period.choices)

    class Meta(Part.Meta):
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.text[:60]

    def metric_label(self) -> str:
        metric = metrics.get(self.metric)
        return str(metric.label) if metric else self.metric

    def unit_label(self) -> str:
        metric = metrics.get(self.metric)
        return str(metric.unit.label) if metric else ""


class Channel(models.TextChoices):
    """Ways of reaching a target group; social networks only for the first contact."""

    CLIENT_DOOR = "client_door", _("Secure chat (client door)")
    HANDOVER = "handover", _("Handover from social networks")
    INSTAGRAM = "instagram", _("Instagram (first contact only)")
    FACEBOOK = "facebook", _("Facebook (first contact only)")
    WHATSAPP = "whatsapp", _("WhatsApp (first contact only)")
    TIKTOK = "tiktok", _("TikTok (first contact only)")
    NEWS_PAGE = "news_page", _("News page and newsletter")
    PHONE = "phone", _("Telephone")
    EMAIL = "email", _("E-mail")
    IN_PERSON = "in_person", _("In person, outreach")


class TargetGroup(Part):
    name = models.CharField(_("target group"), max_length=SHORT_TEXT)
    channels = models.JSONField(_("channels"), default=list)
    reason = models.TextField(_("why these channels"), max_length=LONG_TEXT)

    class Meta(Part.Meta):
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")

    def __str__(self) -> str:
        return self.name[:60]

    def channel_labels(self) -> list[str]:
        labels = dict(Channel.choices)
        return [str(labels.get(key, key)) for key in self.channels]


class Participant(Part):
    """A staff member taking part in communication, and the time the organisation gives."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff member"),
    )
    task = models.CharField(_("task"), max_length=SHORT_TEXT, blank=True)
    hours_per_week = models.DecimalField(_("hours per week"), max_digits=4, decimal_places=1)

    class Meta(Part.Meta):
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.hours_per_week}"


class Remedy(models.TextChoices):
    TRAINING = "training", _("Training")
    EQUIPMENT = "equipment", _("Equipment")
    ORGANISATION = "organisation", _("Organisation and time")
    OTHER = "other", _("Other")


class Deficit(Part):
    description = models.CharField(_("known deficit"), max_length=SHORT_TEXT)
    remedy = models.CharField(_("what helps"), max_length=15, choices=Remedy.choices)
    measure = models.CharField(_("what is done"), max_length=SHORT_TEXT)
    due_on = models.DateField(_("done by"), null=True, blank=True)

    class Meta(Part.Meta):
        verbose_name = _("known deficit")
        verbose_name_plural = _("known deficits")

    def __str__(self) -> str:
        return self.description[:60]


# The figures' counts of closed months live in the strategy app (DESIGN part 6).
from hafen.strategy.figures.models import TeamMonth  # noqa: E402, F401
