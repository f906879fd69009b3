"""Forms of the client door and the inbox: all input checked here, messages via gettext."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hafen.conversations import attachments, validation
from hafen.conversations.actions import MAX_PASSPHRASE
from hafen.conversations.codes import MAX_CODE_INPUT
from hafen.conversations.models import MAX_MESSAGE_CHARS


class StartForm(forms.Form):
    agree = forms.BooleanField(
        label=_("I have read how Hafen protects my data."),
        error_messages={"required": _("Please confirm that you have read the notice.")},
    )
    passphrase = forms.CharField(
        label=_("Extra password (optional)"),
        help_text=_("If you set one, you need it together with your code to come back."),
        required=False,
        max_length=MAX_PASSPHRASE,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    # The version of the privacy notice the page showed, recorded with the conversation.
    # A plain Field, not a CharField: a CharField refuses a NUL byte with a message that
    # a hidden field cannot show; ``clean_notice`` reads anything unusable as "current".
    notice = forms.Field(required=False, widget=forms.HiddenInput)

    def clean_passphrase(self) -> str:
        value: str = self.cleaned_data["passphrase"]
        if value and len(value) < 6:
            raise ValidationError(_("The extra password needs at least 6 characters."))
        return value

    def clean_notice(self) -> int | None:
        """A version number, or None (the current version is recorded then): a client
        is never refused over a hidden field."""
        raw = self.cleaned_data.get("notice") or ""
        if not isinstance(raw, str):
            return None
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


class ReturnForm(forms.Form):
    code = forms.CharField(
        label=_("Your code"),
        max_length=MAX_CODE_INPUT,
        # Too long is just another wrong code: one answer for every failure.
        error_messages={"max_length": _("We could not open a conversation with this code.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "none",
                "spellcheck": "false",
                "placeholder": _("e.g. anker-wolke-tiger-brot"),
            }
        ),
    )
    passphrase = forms.CharField(
        label=_("Extra password (if you set one)"),
        required=False,
        max_length=MAX_PASSPHRASE,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class MessageForm(forms.Form):
    # Not required as a field: a photo or PDF may stand alone (see ``clean``).
    body = forms.CharField(
        label=_("Your message"),
        required=False,
        # No max_length here: validation.clean_body checks the limit after normalising,
        # and the widget's maxlength tells the browser the real one.
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_MESSAGE_CHARS}),
    )
    client_id = forms.CharField(widget=forms.HiddenInput, max_length=64)
    attachment = forms.FileField(
        label=_("Photo or PDF (optional)"),
        required=False,
        allow_empty_file=True,  # ``attachments.check_upload`` says so in its own words
        widget=forms.FileInput(attrs={"accept": attachments.ACCEPT}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = _(
            "JPEG, PNG, WebP or PDF, at most %(mb)d MB. "
            "Location and camera data are removed from photos."
        ) % {"mb": settings.HAFEN_ATTACHMENT_MAX_MB}

    def clean_body(self) -> str:
        try:
            return validation.clean_body(self.cleaned_data["body"])
        except ValidationError as error:
            if error.code == "empty":
                return ""  # allowed with an attachment; ``clean`` decides
            raise

    def clean_client_id(self) -> str:
        return validation.clean_client_msg_id(self.cleaned_data["client_id"])

    def clean_attachment(self) -> attachments.CheckedFile | None:
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        return attachments.check_upload(upload)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "client_id" in self.errors:
            # A hidden field: the page shows no place beside it, so its message goes
            # above the form (a stale or altered page must still say why it failed).
            for message in self.errors.pop("client_id"):
                self.add_error(None, message)
        has_file = bool(cleaned.get("attachment")) or "attachment" in self.errors
        if "body" not in self.errors and not cleaned.get("body") and not has_file:
            self.add_error("body", ValidationError(_("Please write a message."), code="empty"))
        return cleaned


class NoteForm(forms.Form):
    """An internal note; its ids differ from the answer form's on the same page (both
    have a ``body``): with one id twice, the note's label would name the answer field
    and the note field would have no name for a screen reader."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "note_%s")
        super().__init__(*args, **kwargs)

    body = forms.CharField(
        label=_("Internal note (the client never sees it)"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": MAX_MESSAGE_CHARS}),
    )

    def clean_body(self) -> str:
        return validation.clean_body(self.cleaned_data["body"])


def posted(request: Any) -> Any:
    """The POST data for a POST request, else None (unbound form)."""
    return request.POST if request.method == "POST" else None
