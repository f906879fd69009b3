"""Minutes of team meetings and case conferences, and their action items.

A meeting has its own data key: minutes concern several clients or none, so they
cannot hang on one case's key, and a meeting can be shredded on its own. A case
conference names its cases only by their pseudonymous file number (``cases``);
the minutes never carry a case's name or pseudonym.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hafen.accounts.models import Organisation, Team
from hafen.cases.models.cases import Case
from hafen.privacy.crypto import SealedText
from hafen.privacy.models import DataKey

MAX_MINUTES_CHARS = 50_000
MAX_ACTION_CHARS = 1000


class MeetingKind(models.TextChoices):
    TEAM_MEETING = "team_meeting", _("Team meeting")
    CASE_CONFERENCE = "case_conference", _("Case conference")


class Meeting(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="meetings")
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices)
    held_on = models.DateField(_("held on"))
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="meetings_attended",
        verbose_name=_("attendees"),
    )
    # Guests without an account (a youth-office colleague, a school social worker).
    guests_sealed = models.BinaryField(null=True)
    agenda_sealed = models.BinaryField(null=True)
    decisions_sealed = models.BinaryField(null=True)
    cases = models.ManyToManyField(Case, blank=True, related_name="conferences")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    guests = SealedText("guests_sealed", context="meeting.guests")
    agenda = SealedText("agenda_sealed", context="meeting.agenda")
    decisions = SealedText("decisions_sealed", context="meeting.decisions")

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["team", "held_on"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.held_on}"


class ActionItem(models.Model):
    """Who does what by when, decided in a meeting; in the owner's to-do list until done."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    text_sealed = models.BinaryField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="case_action_items",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    text = SealedText("text_sealed", context="meeting.action.text")

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["meeting", "pk"]
        indexes = [models.Index(fields=["owner", "done_at"])]

    def __str__(self) -> str:
        return f"action item {self.pk}"

    @property
    def data_key(self) -> DataKey:
        return self.meeting.data_key
