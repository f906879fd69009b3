"""Forms of the DSB's request pages; the actions check everything again."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hafen.cases.forms_files import DateField
from hafen.conversations.inbox_forms import TextField
from hafen.privacy.requests.actions import MAX_FILE_NUMBER_CHARS, MAX_REASON_CHARS
from hafen.privacy.requests.models import (
    MAX_EXTENSION_MONTHS,
    MAX_IDENTITY_CHARS,
    MAX_NOTES_CHARS,
    RequestKind,
    RequestOutcome,
)


def new_token() -> str:
    return secrets.token_urlsafe(18)


def _textarea(limit: int, rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": limit})


class NewRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of request"), choices=RequestKind.choices)
    file_number = TextField(
        label=_("File number of the case file"),
        max_length=MAX_FILE_NUMBER_CHARS,
        help_text=_(
            "As the team writes it, e.g. F-2026-0042. Only case files of your organisation."
        ),
    )
    received_on = DateField(label=_("Received on"))
    identity_check = TextField(
        label=_("Identity checked by"),
        max_length=MAX_IDENTITY_CHARS,
        help_text=_(
            "How you made sure the requester is the client or may act for them, e.g. "
            '"ID card shown in person". Write the way, not the ID number.'
        ),
    )
    notes = TextField(
        label=_("Notes"),
        required=False,
        max_length=MAX_NOTES_CHARS,
        widget=_textarea(MAX_NOTES_CHARS, rows=4),
        help_text=_("Emptied when the case file is erased."),
    )
    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_token", new_token())


class ExtendForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("Extend by"),
        coerce=int,
        choices=[
            (n, _("one month") if n == 1 else _("two months"))
            for n in range(1, MAX_EXTENSION_MONTHS + 1)
        ],
    )
    reason = TextField(
        label=_("Reason for the extension"),
        max_length=MAX_REASON_CHARS,
        widget=_textarea(MAX_REASON_CHARS),
        help_text=_(
            "The complexity or number of requests (Art. 12 Abs. 3 DSGVO). Tell the requester "
            "within the first month."
        ),
    )


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked the request: erase the case file for good."),
        error_messages={"required": _("Please confirm the erasure.")},
    )


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=RequestOutcome.choices)
    note = TextField(
        label=_("Note on the outcome"),
        required=False,
        max_length=MAX_NOTES_CHARS,
        widget=_textarea(MAX_NOTES_CHARS),
        help_text=_("For a partial answer or a refusal: the reasons the requester is told."),
    )
