"""The data-subject request (Art. 15-20 DSGVO, §§ 83, 84 SGB X) about one case file.

Recorded by the data-protection officer. The row stays after the case is erased, as
proof that the request was answered: the case reference then goes (SET NULL), the
case's number stays in ``case_record_id`` (as in the deletion log) and the free texts
that could hold content are emptied.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hafen.privacy.requests.deadlines import due_on

__all__ = ["RequestKind", "RequestOutcome", "SubjectRequest"]

MAX_IDENTITY_CHARS = 300
MAX_NOTES_CHARS = 2000
MAX_EXTENSION_MONTHS = 2  # Art. 12 Abs. 3 Satz 2 DSGVO: by two further months, once


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access and copy (Art. 15 DSGVO, § 83 SGB X)")
    PORTABILITY = "portability", _("Data portability (Art. 20 DSGVO)")
    RECTIFICATION = "rectification", _("Rectification (Art. 16 DSGVO, § 84 SGB X)")
    ERASURE = "erasure", _("Erasure (Art. 17 DSGVO, § 84 SGB X)")
    RESTRICTION = "restriction", _("Restriction of processing (Art. 18 DSGVO, § 84 SGB X)")


EXPORT_KINDS = (RequestKind.ACCESS, RequestKind.PORTABILITY)


class RequestOutcome(models.TextChoices):
    FULFILLED = "fulfilled", _("Fulfilled")
    PARTLY = "partly", _("Partly fulfilled (exceptions given)")
    REFUSED = "refused", _("Refused (reasons given)")
    WITHDRAWN = "withdrawn", _("Withdrawn by the requester")


class SubjectRequest(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind of request"), max_length=16, choices=RequestKind.choices)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case file"),
    )
    # The case's id, kept after an erasure: it matches the deletion log's record id.
    case_record_id = models.CharField(max_length=64)
    received_on = models.DateField(_("received on"))
    identity_check = models.CharField(
        _("identity checked by"), max_length=MAX_IDENTITY_CHARS, blank=True
    )
    notes = models.TextField(_("notes"), max_length=MAX_NOTES_CHARS, blank=True)
    extension_months = models.PositiveSmallIntegerField(_("extended by months"), default=0)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    extended_at = models.DateTimeField(null=True, blank=True)
    # Legal reasons that stopped an erasure (Art. 17 Abs. 3 DSGVO), in the DSB's words
    # at the time; no content of the case.
    exceptions = models.TextField(_("exceptions"), blank=True)
    restriction = models.ForeignKey(
        "privacy.ProcessingRestriction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    exports = models.PositiveIntegerField(default=0)
    erased_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=RequestOutcome.choices, blank=True
    )
    outcome_note = models.TextField(_("note on the outcome"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The form's one-time token: the same form posted twice records one request.
    form_token = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        ordering = ["received_on", "pk"]
        indexes = [models.Index(fields=["organisation", "closed_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "form_token"],
                condition=~Q(form_token=""),
                name="subject_request_form_once",
            ),
            models.CheckConstraint(
                condition=Q(extension_months__lte=MAX_EXTENSION_MONTHS),
                name="subject_request_extension_limit",
            ),
        ]

    def __str__(self) -> str:
        return f"request {self.pk} ({self.kind})"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def due_on(self) -> date:
        """One month after receipt, plus an extension (Art. 12 Abs. 3 DSGVO)."""
        return due_on(self.received_on, self.extension_months)
