"""Input of the retention pages. The actions check again; the forms give the messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hafen.conversations.inbox_forms import TextField
from hafen.privacy.retention.models import MAX_LEGAL_BASIS_CHARS, MAX_REASON_CHARS, Statute


def _textarea(limit: int, rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": limit})


class RuleForm(forms.Form):
    # A text field, not an IntegerField: ``validate_period`` says what is wrong with
    # "dreißig" or "-5" in the DSB's words, in one place for the page and the action.
    period_days = forms.CharField(
        label=_("Period in days"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("e.g. 90 for three months, 3653 for ten years"),
    )
    legal_basis = TextField(
        label=_("Legal basis"),
        max_length=MAX_LEGAL_BASIS_CHARS * 2,
        widget=_textarea(MAX_LEGAL_BASIS_CHARS),
        help_text=_("The law or purpose that sets this period, as you would tell the authority."),
    )


class ReferenceField(TextField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("File number"))
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("help_text", _("e.g. F-2026-0042"))
        kwargs.setdefault("widget", forms.TextInput(attrs={"maxlength": 20, "autocomplete": "off"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        return " ".join(str(super().clean(value)).split()).upper()[:20]


class FindCaseForm(forms.Form):
    reference = ReferenceField()


class ReasonForm(forms.Form):
    """A reason for a hold, a restriction, or reading restricted data."""

    reason = TextField(
        label=_("Reason"),
        max_length=MAX_REASON_CHARS * 2,
        strip=False,
        widget=_textarea(MAX_REASON_CHARS),
    )


class BirthDateForm(forms.Form):
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Only for files under § 9b SGB VIII: it sets the 100th birthday."),
    )


class CategoryStatuteForm(forms.Form):
    statute = forms.ChoiceField(
        label=_("Statutory minimum"),
        required=False,
        choices=[("", _("none")), *Statute.choices],
    )


class ConfirmRunForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked the list: delete these records for good now."),
        error_messages={"required": _("Please confirm that the listed records may be deleted.")},
    )
