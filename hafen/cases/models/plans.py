"""Help and support plans (Hilfeplan §36 SGB VIII, Förderplan): goals, measures, reviews.

A plan is changed by making a new version (``previous`` points back), never by
rewriting one the client agreed to. Goals of a new version point to the goal they
were copied from, so progress ratings form one line over all versions of a plan.
Texts are sealed with the case's data key.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hafen.cases.models.cases import Case
from hafen.privacy.crypto import SealedText
from hafen.privacy.models import DataKey

MAX_TITLE_CHARS = 200
MAX_GOAL_CHARS = 2000
MAX_PLAN_TEXT_CHARS = 10_000
RATING_MIN = 0
RATING_MAX = 10


class PlanKind(models.TextChoices):
    HELP_PLAN = "help_plan", _("Help plan")
    SUPPORT_PLAN = "support_plan", _("Support plan")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("In force")
    SUPERSEDED = "superseded", _("Replaced by a newer version")
    COMPLETED = "completed", _("Completed")


# Plans still being worked on: reminders and to-do lists look only at these.
LIVE_PLAN_STATES = (PlanStatus.DRAFT, PlanStatus.ACTIVE)


class AgreementWay(models.TextChoices):
    SIGNED = "signed", _("Signed")
    ORAL = "oral", _("Agreed orally in the meeting")
    WRITTEN = "written", _("Agreed in writing (letter, e-mail)")


class Plan(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    kind = models.CharField(_("kind"), max_length=14, choices=PlanKind.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    title_sealed = models.BinaryField()
    participants_sealed = models.BinaryField(null=True)
    # The starting point (Ausgangslage) and how client and staff see it: the part of
    # a plan that the organisation's plan templates give headings for.
    situation_sealed = models.BinaryField(null=True)
    agreed_on = models.DateField(_("client agreed on"), null=True, blank=True)
    agreed_how = models.CharField(
        _("how the client agreed"), max_length=10, choices=AgreementWay.choices, blank=True
    )
    agreement_note_sealed = models.BinaryField(null=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    title = SealedText("title_sealed", context="case.plan.title")
    participants = SealedText("participants_sealed", context="case.plan.participants")
    situation = SealedText("situation_sealed", context="case.plan.situation")
    agreement_note = SealedText("agreement_note_sealed", context="case.plan.agreement_note")

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["case", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(agreed_on__isnull=True) | ~Q(agreed_how=""),
                name="plan_agreement_says_how",
            )
        ]

    def __str__(self) -> str:
        return f"plan {self.pk} v{self.version} of {self.case_id}"

    @property
    def data_key(self) -> DataKey:
        return self.case.data_key


class Goal(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    position = models.PositiveIntegerField(default=0)
    wording_sealed = models.BinaryField()
    indicator_sealed = models.BinaryField(null=True)
    target_on = models.DateField(_("target date"), null=True, blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    wording = SealedText("wording_sealed", context="case.goal.wording")
    indicator = SealedText("indicator_sealed", context="case.goal.indicator")

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["plan", "position", "pk"]

    def __str__(self) -> str:
        return f"goal {self.pk} of plan {self.plan_id}"

    @property
    def data_key(self) -> DataKey:
        return self.plan.case.data_key


class Responsible(models.TextChoices):
    CLIENT = "client", _("Client")
    STAFF = "staff", _("Staff member")
    PARTNER = "partner", _("Partner")


class Measure(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="measures")
    text_sealed = models.BinaryField()
    responsible = models.CharField(_("responsible"), max_length=8, choices=Responsible.choices)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member"),
    )
    # A partner organisation or person; sealed, because it may say who helps the client.
    partner_sealed = models.BinaryField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    text = SealedText("text_sealed", context="case.measure.text")
    partner = SealedText("partner_sealed", context="case.measure.partner")

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["goal", "pk"]

    def __str__(self) -> str:
        return f"measure {self.pk} of goal {self.goal_id}"

    @property
    def data_key(self) -> DataKey:
        return self.goal.plan.case.data_key


class Review(models.Model):
    """A review date of a plan (Hilfeplanfortschreibung); ``held_on`` once it took place."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    due_on = models.DateField(_("due on"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    # Set once the responsible staff were reminded: a reminder goes out once.
    reminded_at = models.DateTimeField(null=True, blank=True)
    note_sealed = models.BinaryField(null=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    note = SealedText("note_sealed", context="case.review.note")

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["plan", "due_on", "pk"]
        indexes = [
            # The reminder task's question: which pending reviews are due soon?
            models.Index(
                fields=["due_on"],
                condition=Q(held_on__isnull=True, reminded_at__isnull=True),
                name="case_review_reminder_due",
            )
        ]

    def __str__(self) -> str:
        return f"review {self.pk} of plan {self.plan_id}"

    @property
    def data_key(self) -> DataKey:
        return self.plan.case.data_key


class ProgressRating(models.Model):
    """How far one goal was reached at one review, 0 (not at all) to 10 (fully)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="ratings")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="ratings")
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment_sealed = models.BinaryField(null=True)

    comment = SealedText("comment_sealed", context="case.rating.comment")

    class Meta:
        verbose_name = _("progress rating")
        verbose_name_plural = _("progress ratings")
        ordering = ["goal", "review__held_on"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "review"], name="case_rating_once_per_review"),
            models.CheckConstraint(
                condition=Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX),
                name="case_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating} for goal {self.goal_id}"

    @property
    def data_key(self) -> DataKey:
        return self.goal.plan.case.data_key
