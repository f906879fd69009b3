"""The counts of a team's month, kept (``tally``): the past is read, not recounted."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hafen.accounts.models import Team


class TeamMonth(models.Model):
    """What the figures need of one team's month, in numbers only (``tally.Tally``):
    client messages by weekday and hour, how many outside office hours, the waiting
    times to the minute, new and active conversations and their first contacts."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # its first day
    data = models.JSONField()
    counted_at = models.DateTimeField(default=timezone.now)
    # A closed month is counted for good; an open month's counts are replaced when they
    # are older than ``tally.OPEN_FOR`` (the worker recounts them every few minutes).
    final = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("counts of a team's month")
        verbose_name_plural = _("counts of teams' months")
        constraints = [models.UniqueConstraint(fields=["team", "month"], name="team_month_unique")]

    def __str__(self) -> str:
        return f"{self.team_id} {self.month:%Y-%m}"
