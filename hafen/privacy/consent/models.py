"""Tables of consent; imported by ``hafen.privacy.models`` so that Django finds them.

Cases and conversations are referenced by string: both apps import the privacy
models, so importing them here would be circular.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = [
    "ConsentKind",
    "ConsentMethod",
    "ConsentRecord",
    "ConsentRecordQuerySet",
    "ConsentText",
    "ConsentTextQuerySet",
]

MAX_TITLE_CHARS = 200
# A privacy notice of several pages fits; a pasted book does not.
MAX_BODY_CHARS = 20_000
MAX_LABEL_CHARS = 200


class ConsentKind(models.TextChoices):
    """The four texts an organisation keeps. The door notice is information (Art. 13
    DSGVO) that the client takes note of; the other three ask for consent (Art. 7)."""

    DOOR_NOTICE = "door_notice", _("Privacy notice of the client door")
    DOCUMENTATION = "documentation", _("Consent to case documentation")
    REFERRAL = "referral", _("Consent to a referral to a partner organisation")
    PHOTOS = "photos", _("Consent to photos in public posts")


class ConsentMethod(models.TextChoices):
    DOOR = "door", _("in the client door")
    WRITTEN = "written", _("in writing")
    VERBAL = "verbal", _("verbally")


class ConsentTextQuerySet(models.QuerySet["ConsentText"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("A published consent text is never changed; publish a new version.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("A published consent text is never deleted.")

    def of(self, organisation_id: int, kind: str) -> ConsentTextQuerySet:
        return self.filter(organisation_id=organisation_id, kind=kind)

    def current(self, organisation_id: int, kind: str) -> ConsentText | None:
        """The version in force: the one with the highest number."""
        return self.of(organisation_id, kind).order_by("-number").first()


class ConsentText(models.Model):
    """One published version of one kind of text of one organisation. Never changed.

    A consent record points at the exact version the client agreed to, so the
    version must stay as it was: a change is a new version with the next number.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="consent_texts"
    )
    kind = models.CharField(_("kind of text"), max_length=20, choices=ConsentKind.choices)
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=MAX_TITLE_CHARS)
    body_de = models.TextField(_("text in German"), max_length=MAX_BODY_CHARS)
    body_en = models.TextField(_("text in English"), max_length=MAX_BODY_CHARS, blank=True)
    body_easy = models.TextField(_("text in Easy German"), max_length=MAX_BODY_CHARS, blank=True)
    # True for Hafen's built-in text, stored when it was first used (``defaults``).
    is_default = models.BooleanField(default=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"))

    objects = ConsentTextQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ["organisation", "kind", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "number"], name="consent_text_number_once"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="consent_text_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("A published consent text is never changed; publish a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("A published consent text is never deleted.")

    def body_for(self, language: str) -> tuple[str, str]:
        """The body in ``language`` and the language it is really in (German as fallback)."""
        from hafen.languages import EASY_GERMAN

        if language == "en" and self.body_en:
            return self.body_en, "en"
        if language == EASY_GERMAN and self.body_easy:
            return self.body_easy, EASY_GERMAN
        return self.body_de, "de"


class ConsentRecordQuerySet(models.QuerySet["ConsentRecord"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        # Deleting the conversation or case file takes its records along (the database
        # cascade does not pass through here); nothing else deletes one.
        raise TypeError("A consent record is never deleted; record a withdrawal.")


class ConsentRecord(models.Model):
    """Who agreed to which version, when and how; and the withdrawal, if any.

    Exactly one subject: a conversation of the client door (door notice), a case
    file (documentation, referral), or a free label (photos, until posts exist).
    A withdrawal is written into the record and never deletes it: the record
    proves that the processing before the withdrawal was lawful (Art. 7 Abs. 3
    DSGVO). The record goes with its subject when the conversation or case file is
    deleted (by the client, or by a retention rule): it holds nothing but the link
    between the two, and without the subject nothing is left to prove.
    """

    version = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="records")
    conversation = models.ForeignKey(
        "conversations.Conversation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject_label = models.CharField(_("subject"), max_length=MAX_LABEL_CHARS, blank=True)
    method = models.CharField(_("given"), max_length=10, choices=ConsentMethod.choices)
    given_on = models.DateField(_("given on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawal_recorded_at = models.DateTimeField(null=True, blank=True)

    objects = ConsentRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-given_on", "-recorded_at", "-pk"]
        indexes = [
            models.Index(fields=["version", "recorded_at"]),
            models.Index(fields=["case", "version"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(conversation__isnull=False, case__isnull=True, subject_label="")
                    | Q(conversation__isnull=True, case__isnull=False, subject_label="")
                    | (Q(conversation__isnull=True, case__isnull=True) & ~Q(subject_label=""))
                ),
                name="consent_record_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True, withdrawal_recorded_at__isnull=True)
                | Q(withdrawn_on__isnull=False, withdrawal_recorded_at__isnull=False),
                name="consent_record_withdrawal_complete",
            ),
            # A second click records nothing twice: one standing record per version and
            # subject (after a withdrawal the client may agree again).
            models.UniqueConstraint(
                fields=["version", "conversation"],
                condition=Q(conversation__isnull=False, withdrawn_on__isnull=True),
                name="consent_record_once_per_conversation",
            ),
            models.UniqueConstraint(
                fields=["version", "case"],
                condition=Q(case__isnull=False, withdrawn_on__isnull=True),
                name="consent_record_once_per_case",
            ),
            models.UniqueConstraint(
                fields=["version", "subject_label"],
                condition=~Q(subject_label="") & Q(withdrawn_on__isnull=True),
                name="consent_record_once_per_label",
            ),
        ]

    def __str__(self) -> str:
        return f"consent {self.pk} to {self.version_id}"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("A consent record is never deleted; record a withdrawal.")

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_on is not None
