"""Input of the bridge: all checked here, messages through gettext."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hafen.accounts.models import Team
from hafen.bridge import replies
from hafen.bridge.models import (
    CHANNEL_CHOICES,
    DEFAULT_VALIDITY,
    LINK_PLACEHOLDER,
    MAX_REPLY_TEXT_CHARS,
    MAX_TOPIC_CHARS,
    Validity,
    Variant,
)

# Control characters but tab and newline, and bidi overrides (Trojan Source).
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
MAX_FUNNEL_DAYS = 366


def _clean_text(value: str) -> str:
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    return _FORBIDDEN.sub("", text).strip()


class TeamChoiceField(forms.ModelChoiceField[Team]):
    def label_from_instance(self, obj: Team) -> str:
        return f"{obj.facility.name} · {obj.name}"


class HandoverForm(forms.Form):
    team = TeamChoiceField(
        label=_("Team that takes the conversation"),
        queryset=Team.objects.none(),
        empty_label=None,
        error_messages={
            "invalid_choice": _("Please choose one of your teams."),
            "required": _("Please choose one of your teams."),
        },
    )
    channel = forms.ChoiceField(
        label=_("Where did the first contact happen?"),
        choices=CHANNEL_CHOICES,
        error_messages={"invalid_choice": _("Please choose a channel from the list.")},
    )
    topic = forms.CharField(
        label=_("Topic (optional)"),
        help_text=_(
            "A word or two for your team, e.g. “debts” or “housing”. Never a name and "
            "nothing the person wrote: the topic is not shown to the client."
        ),
        required=False,
        # The browser stops at the limit; the server says so clearly if it gets more.
        max_length=MAX_TOPIC_CHARS,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    validity = forms.ChoiceField(
        label=_("The link works for"),
        choices=Validity.choices,
        initial=DEFAULT_VALIDITY,
        error_messages={"invalid_choice": _("Please choose how long the link works.")},
    )

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        assert isinstance(field, TeamChoiceField)
        field.queryset = teams

    def clean_topic(self) -> str:
        # One line: the topic is a label in a table, not a note.
        return _clean_text(self.cleaned_data["topic"]).replace("\n", " ")


class ReplyTextForm(forms.Form):
    """One reply text of the organisation; empty means: use the built-in default."""

    channel = forms.ChoiceField(choices=CHANNEL_CHOICES, widget=forms.HiddenInput)
    variant = forms.ChoiceField(choices=Variant.choices, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=MAX_REPLY_TEXT_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": MAX_REPLY_TEXT_CHARS}),
        help_text=_("Write {link} where the link goes. Leave the field empty to use Hafen's text."),
    )

    def clean_text(self) -> str:
        text = _clean_text(self.cleaned_data["text"])
        if not text:
            return ""
        wrong = replies.placeholder_problems(text)
        if wrong:
            raise ValidationError(
                _("Only {link} may stand in braces; please correct: %(wrong)s")
                % {"wrong": ", ".join(wrong)},
                code="placeholder",
            )
        if LINK_PLACEHOLDER not in text:
            raise ValidationError(
                _("The text must contain {link}: that is where the link is put in."),
                code="no_link",
            )
        return text


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        end: date = cleaned.get("end") or timezone.localdate()
        start: date | None = cleaned.get("start")
        if start is not None:
            if start > end:
                raise ValidationError(_("The start of the period must be before its end."))
            if end - start > timedelta(days=MAX_FUNNEL_DAYS):
                raise ValidationError(_("Please choose a period of at most one year."))
        return cleaned
