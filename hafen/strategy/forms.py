"""All input of the strategy pages, validated with messages for the person.

Limits are said in words: a target beyond what its unit allows (more than 100 %, more
hours than a year has) is a typing error; texts have a length limit each; a section holds
at most ``MAX_PARTS`` parts per scope, and a tampered formset is refused, not obeyed.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms import BaseFormSet, formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hafen.accounts.models import User
from hafen.publishing.models import GuidelineVersion
from hafen.strategy import metrics
from hafen.strategy.models import (
    LONG_TEXT,
    MAX_PARTS,
    NOTE_TEXT,
    SHORT_TEXT,
    Channel,
    Direction,
    Period,
    Remedy,
)
from hafen.strategy.sections import number

MAX_BUDGET = Decimal(100_000_000)
# Ids and revisions beyond a 32-bit integer are tampering; SQLite would not even compare them.
MAX_ID = 2**31 - 1
MAX_HOURS = Decimal(60)
REVIEW_HORIZON_DAYS = 5 * 366


BLANK = [("", _("— please choose —"))]


def _choice(label: Any, choices: Any) -> forms.ChoiceField:
    """A required choice that starts blank: an untouched new row stays empty (and is not
    saved), and a forgotten choice gets a message instead of a silent first option."""
    return forms.ChoiceField(
        label=label,
        choices=lambda: [*BLANK, *(choices() if callable(choices) else choices)],
        error_messages={
            "required": _("Please choose one."),
            "invalid_choice": _("Please choose from the list."),
        },
    )


# Django fills in the limit when it validates, in the language of that request (a message
# filled in here would be frozen in the language the module was imported in).
TOO_LONG = _("Please keep it to at most %(limit_value)d characters.")


def _text(label: Any, limit: int, *, required: bool = True, area: bool = False) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": 3}) if area else forms.TextInput()
    return forms.CharField(
        label=label,
        max_length=limit,
        required=required,
        widget=widget,
        error_messages={"max_length": TOO_LONG, "required": _("Please fill in this field.")},
    )


class RevisionForm(forms.Form):
    """The draft's revision the person loaded: the optimistic check of every change."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)


class GuidelineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(
            _("Version %(number)s of %(date)s")
            % {"number": obj.number, "date": obj.published_at.date().isoformat()}
        )


class BasicsForm(forms.Form):
    budget = forms.DecimalField(
        label=_("Budget per year (euros)"),
        required=False,
        min_value=0,
        max_value=MAX_BUDGET,
        max_digits=11,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("For example licences, equipment, training, paid advertising. Optional."),
        error_messages={
            "invalid": _("Please enter an amount in euros, for example 2500 or 2500,50."),
            "min_value": _("A budget cannot be negative."),
            "max_value": _("Please enter at most 100,000,000 euros."),
            "max_digits": _("Please enter at most 100,000,000 euros."),
            "max_decimal_places": _("Please give the amount to the cent at most."),
        },
    )
    budget_note = _text(_("What the budget is for"), SHORT_TEXT, required=False)
    guideline = GuidelineChoiceField(
        label=_("Social-media guidelines"),
        queryset=GuidelineVersion.objects.none(),
        required=False,
        empty_label=_("— no guidelines linked —"),
        help_text=_("The rules staff follow online; they are published under Posts → Guidelines."),
        error_messages={"invalid_choice": _("Please choose guidelines from the list.")},
    )
    rules_note = _text(_("Further rules"), NOTE_TEXT, required=False, area=True)
    review_on = forms.DateField(
        label=_("Review date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("When leadership looks at the strategy again. Hafen reminds you that day."),
        error_messages={"invalid": _("Please enter a valid date.")},
    )

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["guideline"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = GuidelineVersion.objects.filter(organisation_id=organisation_id)

    def clean_review_on(self) -> Any:
        day = self.cleaned_data.get("review_on")
        today = timezone.localdate()
        if day is not None and day < today:
            raise forms.ValidationError(_("The review date cannot lie in the past."))
        if day is not None and day > today + timedelta(days=REVIEW_HORIZON_DAYS):
            raise forms.ValidationError(_("Please choose a review date within five years."))
        return day


class ExpectationForm(forms.Form):
    text = _text(_("Expectation"), LONG_TEXT, area=True)


class GoalForm(forms.Form):
    text = _text(_("Goal"), SHORT_TEXT)
    metric = _choice(_("Measured by"), metrics.metric_choices)
    direction = _choice(_("Direction"), Direction.choices)
    target = forms.DecimalField(
        label=_("Target value"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "required": _("Please enter a target value."),
            "invalid": _("Please enter a number, for example 80 or 2,5."),
            "min_value": _("A target value cannot be negative."),
            "max_digits": _("This number is too large for a target."),
            "max_whole_digits": _("This number is too large for a target."),
            "max_decimal_places": _("Please use at most two decimal places."),
        },
    )
    period = _choice(_("Period"), Period.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].error_messages["invalid_choice"] = _(
            "Please choose a figure from the list."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        metric = metrics.get(data.get("metric", ""))
        target = data.get("target")
        if metric is not None and target is not None and target > metric.unit.max_target:
            self.add_error(
                "target",
                _("For this figure the target can be at most %(max)s.")
                % {"max": f"{number(metric.unit.max_target)} {metric.unit.label}".strip()},
            )
        return data


class TargetGroupForm(forms.Form):
    name = _text(_("Target group"), SHORT_TEXT)
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Please choose at least one channel."),
            "invalid_choice": _("Please choose channels from the list."),
        },
    )
    reason = _text(_("Why these channels"), LONG_TEXT, area=True)


class ParticipantForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Staff member"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("Please choose a staff member."),
            "invalid_choice": _("Please choose a staff member from the list."),
        },
    )
    task = _text(_("Task"), SHORT_TEXT, required=False)
    hours_per_week = forms.DecimalField(
        label=_("Hours per week"),
        max_digits=4,
        decimal_places=1,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        validators=[
            MinValueValidator(
                Decimal("0.5"), message=_("Please enter at least half an hour a week.")
            ),
            MaxValueValidator(MAX_HOURS, message=_("Please enter at most 60 hours a week.")),
        ],
        error_messages={
            "required": _("Please enter the hours per week."),
            "invalid": _("Please enter hours as a number, for example 4 or 2,5."),
            "max_digits": _("Please enter at most 60 hours a week."),
            "max_whole_digits": _("Please enter at most 60 hours a week."),
            "max_decimal_places": _("Please use at most one decimal place."),
        },
    )

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(
            organisation_id=organisation_id, is_active=True
        ).order_by("display_name", "username")


class DeficitForm(forms.Form):
    description = _text(_("Known deficit"), SHORT_TEXT)
    remedy = _choice(_("What helps"), Remedy.choices)
    measure = _text(_("What is done"), SHORT_TEXT)
    due_on = forms.DateField(
        label=_("Done by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Please enter a valid date.")},
    )


def _deleted(form: forms.Form) -> bool:
    return bool(getattr(form, "cleaned_data", {}).get("DELETE"))


class PartFormSet(BaseFormSet):
    """Parts of one section; new rows left empty are ignored, rows marked are removed."""

    default_error_messages = {
        "missing_management_form": _(
            "The form arrived incomplete. Please load the page again; nothing was saved."
        ),
        "too_many_forms": _("A section holds at most %(num)d parts."),
        "too_few_forms": _("Please fill in at least %(num)d parts."),
    }

    def _kept(self) -> list[forms.Form]:
        initial = self.initial_form_count()
        return [
            form
            for index, form in enumerate(self.forms)
            if not _deleted(form) and (index < initial or form.has_changed())
        ]

    def rows(self) -> list[dict[str, Any]]:
        kept = []
        for form in self._kept():
            row = {key: value for key, value in form.cleaned_data.items() if key != "DELETE"}
            kept.append(row)
        return kept

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        if self.forms and "user" in self.forms[0].fields:
            seen = set()
            for form in self._kept():
                user = form.cleaned_data.get("user")
                if user in seen:
                    raise forms.ValidationError(
                        _("%(person)s is listed twice; please list each person once.")
                        % {"person": user}
                    )
                seen.add(user)


FORMS: dict[str, type[forms.Form]] = {
    "erwartungen": ExpectationForm,
    "ziele": GoalForm,
    "zielgruppen": TargetGroupForm,
    "beteiligte": ParticipantForm,
    "defizite": DeficitForm,
}


def part_formset(
    slug: str,
    *,
    organisation_id: int,
    data: Any = None,
    initial: list[dict[str, Any]] | None = None,
) -> PartFormSet:
    """The formset of one section: the parts there are, plus two empty rows to add."""
    form_class = FORMS[slug]
    factory = formset_factory(
        form_class,
        formset=PartFormSet,
        extra=2,
        can_delete=True,
        max_num=MAX_PARTS,
        validate_max=True,
        absolute_max=MAX_PARTS,
    )
    kwargs = {"organisation_id": organisation_id} if slug == "beteiligte" else {}
    formset = factory(data, initial=initial, prefix="part", form_kwargs=kwargs)
    return formset  # type: ignore[return-value]
