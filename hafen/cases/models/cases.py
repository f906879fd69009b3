"""The case file (Fallakte), its history entries with their versions, and attachments.

Every text about the client is sealed with the case's own data key: the name and
contact, every version of every entry, the reasons for corrections and disclosures,
attachment names and bytes. Shredding that one key (``crypto.shred``) deletes the
whole case content for good, in the database and in every backup. What stays
readable is what lists, reminders and figures need: the pseudonymous reference, the
pseudonym, team, category, status and dates, entry types and confidentiality.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hafen.accounts.models import Organisation, Team
from hafen.conversations.models import Conversation
from hafen.privacy.crypto import SealedText
from hafen.privacy.models import DataKey

# Long enough for a detailed report of a home visit, short enough that one entry
# cannot fill the database or a PDF page by page.
MAX_ENTRY_CHARS = 50_000
MAX_PSEUDONYM_CHARS = 80
MAX_NAME_CHARS = 200
MAX_CONTACT_CHARS = 1000
MAX_REASON_CHARS = 1000
# Bound into every ciphertext of an entry's text (search decrypts with it too).
ENTRY_TEXT_CONTEXT = "case.entry.text"


class CaseCategory(models.Model):
    """A kind of help the organisation offers, e.g. "§27 SGB VIII Hilfe zur Erziehung"."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="case_categories"
    )
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(
        _("offered for new cases"),
        default=True,
        help_text=_("Categories no longer in use stay on the cases that have them."),
    )

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="case_category_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CaseSettings(models.Model):
    """What the organisation allows around case files; missing row = the defaults."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="case_settings"
    )
    volunteers_see_cases = models.BooleanField(
        _("volunteers may read the case files of their team"),
        default=False,
        help_text=_(
            "Volunteers then read case files (never entries entrusted to a colleague) "
            "but do not write in them."
        ),
    )

    class Meta:
        verbose_name = _("case file settings")
        verbose_name_plural = _("case file settings")

    def __str__(self) -> str:
        return f"case settings of {self.organisation_id}"


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAUSED = "paused", _("Paused")
    CLOSED = "closed", _("Closed")


class ReferenceCounter(models.Model):
    """The last number given out per organisation and year (F-2026-0042), taken under a lock."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="case_reference_year")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last}"


class Case(models.Model):
    """One client's case file in one team.

    ``reference`` is the pseudonymous file number used wherever the case is named
    outside its own page (case conferences, reminders, figures); ``pseudonym`` is
    what the team calls the client in lists. The real name and contact are sealed.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("file number"), max_length=20)
    pseudonym = models.CharField(_("pseudonym"), max_length=MAX_PSEUDONYM_CHARS)
    name_sealed = models.BinaryField(null=True)
    contact_sealed = models.BinaryField(null=True)
    category = models.ForeignKey(
        CaseCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("category"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    responsible = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="responsible_cases",
        verbose_name=_("responsible staff"),
    )
    conversations: models.ManyToManyField[Conversation, CaseConversationLink] = (
        models.ManyToManyField(
            Conversation, through="CaseConversationLink", blank=True, related_name="cases"
        )
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    name = SealedText("name_sealed", context="case.name")
    contact = SealedText("contact_sealed", context="case.contact")

    class Meta:
        verbose_name = _("case file")
        verbose_name_plural = _("case files")
        ordering = ["-opened_on", "-pk"]
        indexes = [models.Index(fields=["team", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="case_reference_unique"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="case_closed_after_opened",
            ),
            # A closed case has a closing date, an open or paused one has none.
            models.CheckConstraint(
                condition=Q(status=CaseStatus.CLOSED, closed_on__isnull=False)
                | (~Q(status=CaseStatus.CLOSED) & Q(closed_on__isnull=True)),
                name="case_closed_on_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def assigned_user_ids(self) -> list[int]:
        """The seam ``accounts.access.may_see`` asks: responsible staff may read the case."""
        return [user.pk for user in self.responsible.all()]


class CaseConversationLink(models.Model):
    """A chat conversation that belongs to a case (linked from the inbox or the case)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="conversation_links")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="case_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "conversation"], name="case_link_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} ↔ {self.conversation_id}"


class EntryKind(models.TextChoices):
    CONTACT = "contact", _("Contact")
    PHONE_CALL = "phone_call", _("Phone call")
    HOME_VISIT = "home_visit", _("Home visit")
    CONVERSATION = "conversation", _("Counselling session")
    DECISION = "decision", _("Decision")
    NOTE = "note", _("Note")


class Confidentiality(models.TextChoices):
    NORMAL = "normal", _("Team")
    # §65 SGB VIII, §203 StGB: what a client entrusted to one professional personally.
    ENTRUSTED = "entrusted", _("Entrusted to me personally")
    THIRD_PARTY = "third_party", _("Information from third parties")


RESTRICTED = (Confidentiality.ENTRUSTED, Confidentiality.THIRD_PARTY)


class CaseEntry(models.Model):
    """One dated entry of the case history; its text lives in its versions.

    ``occurred_on`` and ``kind`` repeat those of the current version, so that the
    history sorts and filters in the database; every version keeps its own.
    Nothing here is ever overwritten in place: a correction adds a version.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="entries")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confidentiality = models.CharField(
        _("who may read it"),
        max_length=12,
        choices=Confidentiality.choices,
        default=Confidentiality.NORMAL,
    )
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("substitute"),
        help_text=_("The colleague who may also read an entrusted entry, e.g. in your absence."),
    )
    occurred_on = models.DateField(_("date"))
    kind = models.CharField(_("type"), max_length=14, choices=EntryKind.choices)
    current_version = models.ForeignKey(
        "CaseEntryVersion", on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("case entry")
        verbose_name_plural = _("case entries")
        ordering = ["-occurred_on", "-pk"]
        indexes = [models.Index(fields=["case", "occurred_on"])]

    def __str__(self) -> str:
        return f"entry {self.pk} of {self.case_id}"

    @property
    def is_restricted(self) -> bool:
        return self.confidentiality in RESTRICTED


class CaseEntryVersion(models.Model):
    """One wording of an entry: who wrote it when, and (for corrections) why."""

    entry = models.ForeignKey(CaseEntry, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    occurred_on = models.DateField(_("date"))
    kind = models.CharField(_("type"), max_length=14, choices=EntryKind.choices)
    text_sealed = models.BinaryField()
    reason_sealed = models.BinaryField(null=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    text = SealedText("text_sealed", context=ENTRY_TEXT_CONTEXT)
    reason = SealedText("reason_sealed", context="case.entry.reason")

    class Meta:
        verbose_name = _("entry version")
        verbose_name_plural = _("entry versions")
        ordering = ["entry", "number"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "number"], name="case_entry_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} v{self.number}"

    @property
    def data_key(self) -> DataKey:
        return self.entry.case.data_key


class CaseAttachment(models.Model):
    """A photo or PDF on an entry, checked by its content and stored encrypted."""

    entry = models.ForeignKey(CaseEntry, on_delete=models.CASCADE, related_name="attachments")
    name_sealed = models.BinaryField()
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    storage_name = models.CharField(max_length=200)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    name = SealedText("name_sealed", context="case.attachment.name")

    class Meta:
        ordering = ["entry", "pk"]

    def __str__(self) -> str:
        return f"attachment {self.pk} of entry {self.entry_id}"

    @property
    def data_key(self) -> DataKey:
        return self.entry.case.data_key


class DisclosureKind(models.TextChoices):
    EXPORT = "export", _("Export")
    REFERRAL = "referral", _("Referral")


class Disclosure(models.Model):
    """A case (or part of it) passed on: an export or a referral, with its reason.

    Entrusted and third-party entries leave the case only with a recorded reason
    (§65 SGB VIII); ``includes_restricted`` says whether this disclosure took them.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disclosures")
    kind = models.CharField(max_length=10, choices=DisclosureKind.choices)
    includes_restricted = models.BooleanField(default=False)
    reason_sealed = models.BinaryField(null=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    reason = SealedText("reason_sealed", context="case.disclosure.reason")

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.kind} of {self.case_id}"

    @property
    def data_key(self) -> DataKey:
        return self.case.data_key
