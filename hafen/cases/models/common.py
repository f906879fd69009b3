"""Templates, staff notices and the record of submitted forms.

Templates are the organisation's own wording, not client content, so they are
stored in plain text. Notices carry no content either: kind and references only;
the page or e-mail says the rest in the reader's language.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hafen.accounts.models import BreakGlass, Organisation
from hafen.cases.models.cases import MAX_ENTRY_CHARS, Case, EntryKind
from hafen.cases.models.plans import Review


class TemplateKind(models.TextChoices):
    ENTRY = "entry", _("Case entry")
    PLAN = "plan", _("Plan")
    MINUTES = "minutes", _("Minutes")


class Template(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="case_templates"
    )
    kind = models.CharField(_("for"), max_length=8, choices=TemplateKind.choices)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), max_length=MAX_ENTRY_CHARS)
    entry_kind = models.CharField(
        _("type of entry"),
        max_length=14,
        choices=EntryKind.choices,
        blank=True,
        help_text=_("For entry templates: the type a new entry gets."),
    )
    is_active = models.BooleanField(_("offered"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("template")
        verbose_name_plural = _("templates")
        ordering = ["kind", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "title"], name="case_template_unique_title"
            )
        ]

    def __str__(self) -> str:
        return self.title


class NoticeKind(models.TextChoices):
    REVIEW_DUE = "review_due", _("A review is due")
    BREAK_GLASS = "break_glass", _("Emergency access to case files")


class Notice(models.Model):
    """Something a staff member should know: shown in Hafen, and by e-mail if they have one."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_notices"
    )
    kind = models.CharField(max_length=12, choices=NoticeKind.choices)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, related_name="+")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, null=True, related_name="+")
    grant = models.ForeignKey(BreakGlass, on_delete=models.CASCADE, null=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class SubmittedForm(models.Model):
    """A form's one-time token and what it created: a form posted twice creates once.

    The page puts a random token in the form; the action stores it with the new
    record in the same transaction, and a second post with the same token gets the
    record of the first. Rows are only needed for minutes; housekeeping removes them.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "token"], name="case_form_token_once")
        ]

    def __str__(self) -> str:
        return f"form {self.token[:8]} of {self.user_id}"
