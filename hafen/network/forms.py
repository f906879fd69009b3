"""Input of the network pages. Field checks here; the rules (lengths, duplicates,
consent) are the actions', whose messages the views put on the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hafen.accounts.models import User
from hafen.network.csv_io import MAX_IMPORT_BYTES
from hafen.network.models import (
    MAX_DESCRIPTION_CHARS,
    MAX_LIST_CHARS,
    MAX_NAME_CHARS,
    MAX_NOTES_CHARS,
    MAX_PASSED_ON_CHARS,
    MAX_REACH_CHARS,
    MAX_URL_CHARS,
    EventKind,
    Partner,
    ReferralOutcome,
)
from hafen.privacy.consent.forms import DateField
from hafen.privacy.consent.models import ConsentMethod

LIST_HELP = _("Several separated by commas.")


def _text(
    label: Any, limit: int, *, required: bool = False, rows: int = 0, help_text: Any = ""
) -> forms.CharField:
    widget: forms.Widget = (
        forms.Textarea(attrs={"rows": rows, "maxlength": limit})
        if rows
        else forms.TextInput(attrs={"maxlength": limit})
    )
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        strip=False,
        widget=widget,
        help_text=help_text,
        error_messages={
            "required": _("Please fill in this field."),
            "max_length": _("Too long: at most %(limit_value)d characters."),
        },
    )


class FilterForm(forms.Form):
    q = _text(_("Search"), 100)
    service = _text(_("Service"), 100)
    area = _text(_("Area"), 100)
    language = _text(_("Language"), 100)

    def __init__(
        self, *args: Any, suggestions: dict[str, list[str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, key in (("service", "services"), ("area", "areas"), ("language", "languages")):
            self.fields[name].widget.attrs["list"] = f"vorschlaege-{key}"
        self.suggestions = suggestions or {}


class PartnerForm(forms.Form):
    name = _text(_("Name"), MAX_NAME_CHARS, required=True)
    services = _text(
        _("Services offered"),
        MAX_LIST_CHARS,
        help_text=_("For example: debt counselling, housing. Several separated by commas."),
    )
    areas = _text(
        _("Areas"),
        MAX_LIST_CHARS,
        help_text=_("Districts or towns they serve. Several separated by commas."),
    )
    target_groups = _text(_("Target groups"), MAX_LIST_CHARS, help_text=LIST_HELP)
    languages = _text(_("Languages"), MAX_LIST_CHARS, help_text=LIST_HELP)
    reach = _text(
        _("How to reach them"),
        MAX_REACH_CHARS,
        rows=4,
        help_text=_("Address, opening hours, phone, website."),
    )
    notes = _text(_("Notes"), MAX_NOTES_CHARS, rows=4)


class PartnerEditForm(PartnerForm):
    is_active = forms.BooleanField(
        label=_("Offered for referrals"),
        required=False,
        help_text=_("Partners no longer offered stay in the history of past referrals."),
    )


class ContactForm(forms.Form):
    name = _text(_("Name"), MAX_NAME_CHARS, required=True)
    function = _text(_("Function"), MAX_NAME_CHARS)
    phone = _text(_("Phone"), 60)
    email = _text(_("E-mail"), 254)
    notes = _text(_("Notes"), MAX_NOTES_CHARS, rows=3)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "First row: the column names (Name, Angebote, Gebiete, Zielgruppen, Sprachen, "
            "Erreichbarkeit, Notizen). Separated by semicolons or commas. At most 1 MB."
        ),
        error_messages={
            "required": _("Please choose a CSV file."),
            "empty": _("The file is empty."),
        },
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(
                _("The file is too big: at most %(limit)s MB can be imported at once."),
                params={"limit": MAX_IMPORT_BYTES // (1024 * 1024)},
            )
        return upload


class ReferralForm(forms.Form):
    """A referral, with the client's consent recorded on the way if none stands."""

    partner = forms.ModelChoiceField(
        label=_("Partner organisation"),
        queryset=Partner.objects.none(),
        error_messages={
            "required": _("Please choose the partner organisation."),
            "invalid_choice": _("Please choose a partner organisation of the list."),
        },
    )
    referred_on = DateField(label=_("Referred on"))
    passed_on = _text(
        _("What was passed on"),
        MAX_PASSED_ON_CHARS,
        required=True,
        rows=5,
        help_text=_(
            "What you told or gave the partner about the client. Only this is recorded, "
            "encrypted with the case file."
        ),
    )

    def __init__(
        self, *args: Any, organisation_id: int, needs_consent: bool, **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("referred_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.filter(  # type: ignore[attr-defined]
            organisation_id=organisation_id, is_active=True
        )
        self.needs_consent = needs_consent
        if needs_consent:
            self.fields["consent_method"] = forms.ChoiceField(
                label=_("The client consented to the referral"),
                choices=[
                    (ConsentMethod.WRITTEN, ConsentMethod.WRITTEN.label),
                    (ConsentMethod.VERBAL, ConsentMethod.VERBAL.label),
                ],
                widget=forms.RadioSelect,
                error_messages={
                    "required": _(
                        "Without the client's consent there is no referral. "
                        "Please say how the client consented."
                    ),
                    "invalid_choice": _("Please say how the client consented."),
                },
            )
            self.fields["consent_given_on"] = DateField(
                label=_("Consent given on"), initial=timezone.localdate()
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("referred_on", "consent_given_on"):
            day = data.get(name)
            if day is not None and day > timezone.localdate():
                self.add_error(name, _("The date cannot be in the future."))
        return data


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=ReferralOutcome.choices,
        error_messages={"invalid_choice": _("Please choose an outcome of the list.")},
    )
    outcome_on = DateField(label=_("Date of the outcome"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("outcome") not in (None, ReferralOutcome.OPEN)
            and data.get("outcome_on") is None
        ):
            self.add_error("outcome_on", _("Please give the date of the outcome."))
        return data


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class EventForm(forms.Form):
    title = _text(_("Title"), MAX_NAME_CHARS, required=True)
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"],
        error_messages={
            "required": _("Please give when the event starts."),
            "invalid": _("Please give date and time, e.g. 24.11.2026 09:30."),
        },
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"],
        error_messages={
            "required": _("Please give when the event ends."),
            "invalid": _("Please give date and time, e.g. 24.11.2026 17:00."),
        },
    )
    place = _text(_("Place"), MAX_NAME_CHARS)
    link = _text(_("Link"), MAX_URL_CHARS, help_text=_("The event's web page or the video call."))
    description = _text(_("Description"), MAX_DESCRIPTION_CHARS, rows=5)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("The event cannot end before it starts."))
        return data


class AgreementForm(forms.Form):
    title = _text(_("Title"), MAX_NAME_CHARS, required=True)
    text = _text(_("What was agreed"), MAX_NOTES_CHARS, rows=5)
    responsible = forms.ModelChoiceField(
        label=_("Responsible"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("Please choose who is responsible."),
            "invalid_choice": _("Please choose the responsible person among your colleagues."),
        },
    )
    review_on = DateField(
        label=_("Review on"), help_text=_("The responsible person is reminded two weeks before.")
    )

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            organisation_id=organisation_id, is_active=True
        ).order_by("display_name", "username")
