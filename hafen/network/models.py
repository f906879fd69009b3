"""The partner network: partner organisations and their contacts, referrals of clients,
events with who goes, cooperation agreements, and the calendar feed's secret.

Directory data (partners, contacts, agreements, events) is about organisations and
professionals, shared inside the organisation and stored in plain text. What a
referral passed on about a client is sealed with the case's data key, like a case
entry, so that erasing the case (crypto-shredding) takes it along.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hafen.accounts.models import Organisation, Team
from hafen.privacy.crypto import SealedText
from hafen.privacy.models import DataKey

MAX_NAME_CHARS = 200
MAX_LIST_CHARS = 500  # services, areas, target groups, languages: comma-separated
MAX_REACH_CHARS = 2000
MAX_NOTES_CHARS = 5000
MAX_PASSED_ON_CHARS = 5000
MAX_DESCRIPTION_CHARS = 10_000
MAX_URL_CHARS = 500
# Bound into every ciphertext of what a referral passed on (never change it).
PASSED_ON_CONTEXT = "network.referral.passed_on"


class Partner(models.Model):
    """A partner organisation (Kooperationspartner) in the organisation's directory."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=MAX_NAME_CHARS)
    services = models.CharField(_("services offered"), max_length=MAX_LIST_CHARS, blank=True)
    areas = models.CharField(_("areas"), max_length=MAX_LIST_CHARS, blank=True)
    target_groups = models.CharField(_("target groups"), max_length=MAX_LIST_CHARS, blank=True)
    languages = models.CharField(_("languages"), max_length=MAX_LIST_CHARS, blank=True)
    reach = models.TextField(_("how to reach them"), max_length=MAX_REACH_CHARS, blank=True)
    notes = models.TextField(_("notes"), max_length=MAX_NOTES_CHARS, blank=True)
    is_active = models.BooleanField(_("offered for referrals"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="network_partner_name")
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def split(value: str) -> list[str]:
        return [part.strip() for part in value.split(",") if part.strip()]

    @property
    def service_list(self) -> list[str]:
        return self.split(self.services)

    @property
    def area_list(self) -> list[str]:
        return self.split(self.areas)

    @property
    def language_list(self) -> list[str]:
        return self.split(self.languages)

    @property
    def target_group_list(self) -> list[str]:
        return self.split(self.target_groups)


class Contact(models.Model):
    """A person at a partner organisation. ``confirmed_on`` is the last day somebody
    checked that the details are still right; the retention rule (``retention``)
    flags and later deletes contacts nobody confirmed for long."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=MAX_NAME_CHARS)
    function = models.CharField(_("function"), max_length=MAX_NAME_CHARS, blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    notes = models.TextField(_("notes"), max_length=MAX_NOTES_CHARS, blank=True)
    confirmed_on = models.DateField(_("confirmed on"), db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class ReferralOutcome(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined by the partner")
    NO_SHOW = "no_show", _("Client did not go")
    WITHDRAWN = "withdrawn", _("Withdrawn by the client")
    COMPLETED = "completed", _("Help completed")


class Referral(models.Model):
    """A client referred from a case file to a partner, under a recorded consent.

    ``passed_on`` (what was told or handed to the partner) is sealed with the case's
    key. ``team`` repeats the case's team at the time, for the figures.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="referrals")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="referrals")
    consent = models.ForeignKey(
        "privacy.ConsentRecord", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    referred_on = models.DateField(_("referred on"))
    passed_on_sealed = models.BinaryField(null=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=ReferralOutcome.choices, default=ReferralOutcome.OPEN
    )
    outcome_on = models.DateField(_("outcome on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    passed_on = SealedText("passed_on_sealed", context=PASSED_ON_CONTEXT)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-referred_on", "-pk"]
        indexes = [models.Index(fields=["organisation", "referred_on"])]

    def __str__(self) -> str:
        return f"referral {self.pk} of {self.case_id}"

    @property
    def data_key(self) -> DataKey:
        return self.case.data_key


class EventKind(models.TextChoices):
    CONFERENCE = "conference", _("Conference (Fachtag)")
    TRAINING = "training", _("Training")
    BARCAMP = "barcamp", _("Barcamp")
    MEETUP = "meetup", _("Meetup")
    OTHER = "other", _("Other")


class Event(models.Model):
    """A Fachtag, training, barcamp or meetup that staff may go to."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=MAX_NAME_CHARS)
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=MAX_NAME_CHARS, blank=True)
    link = models.URLField(_("link"), max_length=MAX_URL_CHARS, blank=True)
    description = models.TextField(_("description"), max_length=MAX_DESCRIPTION_CHARS, blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="network_events"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["organisation", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at")), name="network_event_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title


class FeedToken(models.Model):
    """The secret in a person's calendar-feed address. Only its SHA-256 is stored: a
    copy of the database does not let anybody read the feed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"feed of {self.user_id}"


class Agreement(models.Model):
    """A cooperation agreement with a partner, with the day it is to be reviewed.

    ``reminded_at`` is set once the daily task told the responsible person; changing
    the review date clears it, so the new date is reminded again.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="agreements")
    title = models.CharField(_("title"), max_length=MAX_NAME_CHARS)
    text = models.TextField(_("what was agreed"), max_length=MAX_NOTES_CHARS, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="network_agreements",
        verbose_name=_("responsible"),
    )
    review_on = models.DateField(_("review on"))
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cooperation agreement")
        verbose_name_plural = _("cooperation agreements")
        ordering = ["review_on", "pk"]
        indexes = [
            models.Index(
                fields=["review_on"],
                name="network_agreement_unreminded",
                condition=Q(reminded_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.title
