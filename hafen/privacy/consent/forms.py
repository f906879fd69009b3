"""Input of the consent pages: a new version of a text, a consent and a withdrawal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hafen.privacy.consent.actions import STAFF_METHODS, clean_text
from hafen.privacy.consent.models import (
    MAX_BODY_CHARS,
    MAX_TITLE_CHARS,
    ConsentMethod,
    ConsentText,
)

DATE_INPUTS = ["%Y-%m-%d", "%d.%m.%Y"]


class DateField(forms.DateField):
    """A date picker in the browser; typed "24.11.2026" works too."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATE_INPUTS)
        kwargs.setdefault("widget", forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
        super().__init__(**kwargs)


TITLE_MISSING = _("Please give the text a title.")
GERMAN_MISSING = _("Please write the text in German.")
METHOD_MISSING = _("Please say how the consent was given.")


def _body(label: Any, required: bool, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        error_messages={"required": GERMAN_MISSING},
        strip=False,  # ``clean_text`` strips, after normalising line endings
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 14, "maxlength": MAX_BODY_CHARS}),
    )


class PublishForm(forms.Form):
    """A new version of a text; the limits are those of ``actions.publish_version``."""

    title = forms.CharField(
        label=_("Title"),
        strip=False,
        error_messages={"required": TITLE_MISSING},
        widget=forms.TextInput(attrs={"maxlength": MAX_TITLE_CHARS}),
    )
    body_de = _body(_("Text in German"), True)
    body_en = _body(
        _("Text in English (optional)"),
        False,
        _("English-speaking clients see the German text if this stays empty."),
    )
    body_easy = _body(
        _("Text in Easy German (optional)"),
        False,
        _("Short sentences, common words. Clients who chose Easy German see it."),
    )

    def clean_title(self) -> str:
        return clean_text(
            self.cleaned_data.get("title"),
            limit=MAX_TITLE_CHARS,
            required=True,
            message=TITLE_MISSING,
        )

    def clean_body_de(self) -> str:
        return clean_text(
            self.cleaned_data.get("body_de"),
            limit=MAX_BODY_CHARS,
            required=True,
            message=GERMAN_MISSING,
        )

    def clean_body_en(self) -> str:
        return clean_text(
            self.cleaned_data.get("body_en"), limit=MAX_BODY_CHARS, required=False, message=""
        )

    def clean_body_easy(self) -> str:
        return clean_text(
            self.cleaned_data.get("body_easy"), limit=MAX_BODY_CHARS, required=False, message=""
        )


def version_choices(versions: list[ConsentText]) -> list[tuple[str, str]]:
    """The versions staff may record a consent against, newest (the one in force) first."""
    choices = []
    for position, version in enumerate(versions):
        if version.pk is None:
            label = gettext("version %(number)s (Hafen's default text)") % {
                "number": version.number
            }
        else:
            label = gettext("version %(number)s of %(date)s") % {
                "number": version.number,
                "date": date_format(timezone.localtime(version.published_at), "SHORT_DATE_FORMAT"),
            }
        if position == 0:
            label = gettext("%(version)s, in force") % {"version": label}
        choices.append((str(version.number), label))
    return choices


class RecordForm(forms.Form):
    """A client's consent, given in writing or verbally, to one version of a text."""

    number = forms.TypedChoiceField(label=_("Version of the text"), coerce=int)
    method = forms.ChoiceField(
        label=_("Given"),
        choices=[(m.value, m.label) for m in ConsentMethod if m in STAFF_METHODS],
        widget=forms.RadioSelect,
        initial=ConsentMethod.WRITTEN,
        error_messages={"required": METHOD_MISSING, "invalid_choice": METHOD_MISSING},
    )
    given_on = DateField(label=_("Given on"))

    def __init__(self, versions: list[ConsentText], *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("given_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        number = self.fields["number"]
        assert isinstance(number, forms.TypedChoiceField)
        number.choices = version_choices(versions)
        number.error_messages["invalid_choice"] = _(
            "This version of the text does not exist. Please choose one of the list."
        )
        if versions:
            number.initial = str(versions[0].number)

    def clean_given_on(self) -> Any:
        day = self.cleaned_data["given_on"]
        if day > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return day


class WithdrawForm(forms.Form):
    withdrawn_on = DateField(label=_("Withdrawn on"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("withdrawn_on", timezone.localdate())
        super().__init__(*args, **kwargs)

    def clean_withdrawn_on(self) -> Any:
        day = self.cleaned_data["withdrawn_on"]
        if day > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return day
