"""The filter of the figures pages: months from and to, a facility, a team (all checked)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hafen.accounts.models import Facility, Organisation, Team
from hafen.strategy.figures.period import MAX_MONTHS, Period, Scope

_MONTH = re.compile(r"(\d{4})-(\d{2})")
DEFAULT_MONTHS = 12


class MonthInput(forms.DateInput):
    input_type = "month"


class MonthField(forms.CharField):
    """A month as the browser's month input sends it: YYYY-MM."""

    widget = MonthInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        match = _MONTH.fullmatch(text.strip()[:8])
        if match is None or not (1 <= int(match.group(2)) <= 12) or int(match.group(1)) < 2000:
            raise forms.ValidationError(
                _("Please give a month as year and month, for example 2026-03.")
            )
        return date(int(match.group(1)), int(match.group(2)), 1)


class FiguresFilter(forms.Form):
    von = MonthField(label=_("From (month)"))
    bis = MonthField(label=_("To (month)"))
    einrichtung = forms.ModelChoiceField(
        label=_("Facility"),
        queryset=Facility.objects.none(),
        required=False,
        empty_label=_("All facilities"),
        error_messages={"invalid_choice": _("This facility is not one of your organisation.")},
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("All teams"),
        error_messages={"invalid_choice": _("This team is not one of your organisation.")},
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        facility_field = self.fields["einrichtung"]
        team_field = self.fields["team"]
        assert isinstance(facility_field, forms.ModelChoiceField)
        assert isinstance(team_field, forms.ModelChoiceField)
        facility_field.queryset = Facility.objects.filter(organisation=organisation)
        team_field.queryset = Team.objects.filter(
            facility__organisation=organisation
        ).select_related("facility")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("von"), cleaned.get("bis")
        this_month = timezone.localdate().replace(day=1)
        if start and end and start > end:
            raise forms.ValidationError(
                _("The period starts after it ends. Please swap the months.")
            )
        if start and start > this_month:
            self.add_error("von", _("The period cannot start in the future."))
        period = self._period(start, end)
        if len(period.months()) > MAX_MONTHS:
            raise forms.ValidationError(
                _("Please choose at most %(months)d months.") % {"months": MAX_MONTHS}
            )
        facility, team = cleaned.get("einrichtung"), cleaned.get("team")
        if facility and team and team.facility_id != facility.pk:
            self.add_error("team", _("This team does not belong to the chosen facility."))
        return cleaned

    @staticmethod
    def _period(start: date | None, end: date | None) -> Period:
        if start and end:
            return Period(start, end)
        if start:
            return Period(start, max(start, timezone.localdate().replace(day=1)))
        if end:
            return Period.months_back(DEFAULT_MONTHS, end)
        return Period.months_back(DEFAULT_MONTHS)

    def period(self) -> Period:
        """The chosen period; the default (the last twelve months) if the form is not valid."""
        if self.is_bound and self.is_valid():
            return self._period(self.cleaned_data.get("von"), self.cleaned_data.get("bis"))
        return Period.months_back(DEFAULT_MONTHS)

    def scope(self) -> Scope:
        if self.is_bound and self.is_valid():
            return Scope(
                self.organisation,
                self.cleaned_data.get("einrichtung"),
                self.cleaned_data.get("team"),
            )
        return Scope(self.organisation)


class ReportForm(forms.Form):
    """The year (and facility) of an annual report."""

    jahr = forms.IntegerField(
        label=_("Year"),
        error_messages={"invalid": _("Please give a year, for example 2026.")},
    )
    einrichtung = forms.ModelChoiceField(
        label=_("Facility"),
        queryset=Facility.objects.none(),
        required=False,
        empty_label=_("The whole organisation"),
        error_messages={"invalid_choice": _("This facility is not one of your organisation.")},
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        field = self.fields["einrichtung"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Facility.objects.filter(organisation=organisation)
        self.fields["jahr"].initial = timezone.localdate().year - 1

    def clean_jahr(self) -> int:
        year: int = self.cleaned_data["jahr"]
        if not 2000 <= year <= timezone.localdate().year:
            raise forms.ValidationError(_("Please choose a year from 2000 to this year."))
        return year

    def scope(self) -> Scope:
        return Scope(self.organisation, self.cleaned_data.get("einrichtung"))
