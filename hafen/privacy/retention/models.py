"""Tables of retention; imported by ``hafen.privacy.models`` so that Django finds them.

Cases are referenced by string ("cases.Case"): the cases app imports the privacy
models, so importing it here would be circular.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = [
    "CategoryStatute",
    "DeletionCause",
    "DeletionLog",
    "LegalHold",
    "ProcessingRestriction",
    "RestrictedRead",
    "RetentionFacts",
    "RetentionKind",
    "RetentionRule",
    "RetentionRun",
    "Statute",
]

MAX_REASON_CHARS = 1000
MAX_LEGAL_BASIS_CHARS = 500


class RetentionKind(models.TextChoices):
    """Kinds of data with a retention period. The deletion log has none: it never expires."""

    CONVERSATION = "conversation", _("Anonymous conversations")
    CASE = "case", _("Closed case files")
    AUDIT = "audit", _("Audit entries")


class RetentionRule(models.Model):
    """How long one organisation keeps one kind of data; no row = the default of the kind."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="retention_rules"
    )
    kind = models.CharField(_("kind of data"), max_length=20, choices=RetentionKind.choices)
    period_days = models.PositiveIntegerField(_("period in days"))
    legal_basis = models.TextField(_("legal basis"), max_length=MAX_LEGAL_BASIS_CHARS)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind"], name="retention_rule_once"),
            models.CheckConstraint(
                condition=Q(period_days__gt=0), name="retention_period_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.period_days} days"

    def clean(self) -> None:
        from hafen.privacy.retention.rules import validate_period

        validate_period(self.organisation_id, self.kind, self.period_days)


class Statute(models.TextChoices):
    """Laws that forbid deleting a case file before a date; their rules are in ``statutes``."""

    SGB_VIII_9B = "sgb8_9b", _("§ 9b SGB VIII: youth-welfare file, kept until the 100th birthday")
    BGB_630F = "bgb_630f", _("§ 630f BGB: treatment record, kept 10 years after the end")


class CategoryStatute(models.Model):
    """A case category whose files fall under a statutory minimum (set by the DSB)."""

    category = models.OneToOneField(
        "cases.CaseCategory", on_delete=models.CASCADE, related_name="statute"
    )
    statute = models.CharField(_("statute"), max_length=20, choices=Statute.choices)

    class Meta:
        verbose_name = _("statutory retention of a category")
        verbose_name_plural = _("statutory retention of categories")

    def __str__(self) -> str:
        return f"{self.category_id}: {self.statute}"


class RetentionFacts(models.Model):
    """What retention needs to know about a case beyond the case file itself.

    The birth date decides when § 9b SGB VIII lets a youth-welfare file go (the 100th
    birthday). Cases have no birth date, so it lives here, keyed by the case and
    deleted with it; without it such a file is never deleted by a rule.
    """

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="+")
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)

    class Meta:
        verbose_name = _("retention facts")
        verbose_name_plural = _("retention facts")

    def __str__(self) -> str:
        return f"facts of {self.case_id}"


class LegalHold(models.Model):
    """A Löschsperre: while not lifted, nothing deletes the case."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"), max_length=MAX_REASON_CHARS)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    placed_at = models.DateTimeField(auto_now_add=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-placed_at", "-pk"]
        indexes = [models.Index(fields=["case", "lifted_at"])]

    def __str__(self) -> str:
        return f"hold {self.pk} on {self.case_id}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class ProcessingRestriction(models.Model):
    """Restriction of processing (Art. 18 DSGVO, § 84 SGB X) of one case, with the reason.

    The data stays stored; reading it needs a reasoned, audited step
    (``RestrictedRead``, granted by ``actions.open_restricted``). While
    active it also stops deletion by a rule: a restriction is asked for when the data
    must be kept (Art. 18 Abs. 1 lit. b, c DSGVO).
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"), max_length=MAX_REASON_CHARS)
    restricted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    restricted_at = models.DateTimeField(auto_now_add=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("restriction of processing")
        verbose_name_plural = _("restrictions of processing")
        ordering = ["-restricted_at", "-pk"]
        indexes = [models.Index(fields=["case", "lifted_at"])]

    def __str__(self) -> str:
        return f"restriction {self.pk} of {self.case_id}"


class DeletionCause(models.TextChoices):
    """Why a record was erased; every erasure writes one ``DeletionLog`` row."""

    RETENTION = "retention", _("Retention period ended")
    CLIENT = "client", _("Deleted by the client in the client door")
    REQUEST = "request", _("Data-subject request (data-protection officer)")


class DeletionLog(models.Model):
    """One record erased: kind, id, why (cause, rule or request), when. Never content.

    No file number or pseudonym either: they can identify a person. The data key id
    lets a restore of an older backup shred the same key again (replay); ``kind``,
    ``record_id`` and ``data_key_id`` are what replay reads. Every erasure writes a
    row, whatever its cause. The log never expires by a rule.
    """

    kind = models.CharField(max_length=20, choices=RetentionKind.choices)
    record_id = models.CharField(max_length=64)
    organisation_id = models.BigIntegerField(null=True)
    data_key_id = models.UUIDField(null=True)
    cause = models.CharField(max_length=12, choices=DeletionCause.choices)
    # The data-subject request (``SubjectRequest``) behind an erasure of cause "request";
    # a plain number like ``organisation_id``, so the log never depends on another row.
    request_id = models.BigIntegerField(null=True, blank=True)
    # Only retention has a rule; other causes name their legal basis if they have one.
    rule_period_days = models.PositiveIntegerField(null=True, blank=True)
    legal_basis = models.TextField(max_length=MAX_LEGAL_BASIS_CHARS, blank=True)
    deleted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("deletion log entry")
        verbose_name_plural = _("deletion log")
        ordering = ["-deleted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "record_id"], name="deletion_log_once"),
            # A deletion by retention always names the period of its rule.
            models.CheckConstraint(
                condition=~Q(cause="retention") | Q(rule_period_days__isnull=False),
                name="deletion_log_rule_of_retention",
            ),
            models.CheckConstraint(
                condition=~Q(cause="request") | Q(request_id__isnull=False),
                name="deletion_log_request_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id} deleted ({self.cause})"


class RestrictedRead(models.Model):
    """The reasoned, audited step to read a case whose processing is restricted.

    Art. 18 Abs. 2 DSGVO allows processing restricted data only for named purposes
    (legal claims, another person's rights, an important public interest, consent), so
    staff who may see the case state theirs; the grant lets only them read, only for a
    short time, and never write. The reason is the staff member's words about the
    purpose, not client content.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"), max_length=MAX_REASON_CHARS)
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("reading of restricted data")
        verbose_name_plural = _("readings of restricted data")
        indexes = [models.Index(fields=["case", "user", "expires_at"])]

    def __str__(self) -> str:
        return f"restricted read of {self.case_id} by {self.user_id}"


class RetentionRun(models.Model):
    """One run of the retention job: when, started by whom (None: the schedule), counts."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    planned = models.PositiveIntegerField(default=0)
    deleted_conversations = models.PositiveIntegerField(default=0)
    deleted_cases = models.PositiveIntegerField(default=0)
    deleted_audit = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"retention run {self.pk}"

    @property
    def deleted(self) -> int:
        return self.deleted_conversations + self.deleted_cases
