"""A team's client door as leadership and administrators set it: form and audited change.

The form is made for people who do not think in JSON: per weekday at most two time
ranges (from, to), emergency numbers as rows, plain texts. It turns them into what
``DoorSettings`` stores (``office_hours`` per ISO weekday, ``emergency_numbers`` as a
list) and refuses anything that ``hours`` could not read: a bad input never changes
the door, it gets a message next to the field it concerns.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise
from typing import Any

from django import forms
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hafen.accounts.models import Team, User
from hafen.conversations.models import DoorSettings
from hafen.conversations.validation import _FORBIDDEN
from hafen.privacy import audit

WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]
RANGES_PER_DAY = 2
MAX_EMERGENCY_NUMBERS = 8
TEXT_MAX = DoorSettings._meta.get_field("welcome").max_length or 1000
NAME_MAX = 80
NUMBER_MAX = 30
REACHABLE_MAX = 40

# What people type into a time box where the browser has no time picker: 9, 9:00,
# 09.00; a time picker sends 09:00 (or 09:00:00 with a seconds step).
_TIME = re.compile(r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2})(?::00)?)?")
# Digits, spaces, + and / only: what a phone can dial from a tel: link.
_PHONE = re.compile(r"[0-9 +/]+")


def _plain(value: str) -> str:
    """Text as stored: normalised line ends, no control characters or bidi overrides."""
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    return _FORBIDDEN.sub("", value).strip()


def _limited(value: str) -> str:
    text = _plain(value)
    if len(text) > TEXT_MAX:
        raise forms.ValidationError(
            _("This text is too long: at most %(limit)d characters, it has %(count)d.")
            % {"limit": TEXT_MAX, "count": len(text)},
            code="too_long",
        )
    return text


def _one_line(value: str) -> str:
    return " ".join(_plain(value).split())


def public_address(team: Team) -> str:
    """The door's address as clients type it or scan it from a poster."""
    path = reverse("conversations:door", kwargs={"team_slug": team.slug})
    return f"{settings.HAFEN_BASE_URL}{path}"


class TimeWidget(forms.TextInput):
    # The phone's own time picker where there is one; a plain text box elsewhere.
    input_type = "time"


class TimeBox(forms.CharField):
    """A time of day as "HH:MM" (24 hours), or empty."""

    widget = TimeWidget

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, max_length=8, **kwargs)

    def to_python(self, value: Any) -> str:
        text = (super().to_python(value) or "").strip()
        if not text:
            return ""
        match = _TIME.fullmatch(text)
        hour = int(match["hour"]) if match else 99
        minute = int(match["minute"] or 0) if match else 99
        if hour > 23 or minute > 59:
            raise forms.ValidationError(
                _("Please enter a time like 09:00 or 17:30."), code="invalid_time"
            )
        return f"{hour:02d}:{minute:02d}"


def _range_fields(day: int, slot: int) -> tuple[str, str]:
    return f"day{day}_from{slot}", f"day{day}_to{slot}"


def _row_fields(row: int) -> tuple[str, str, str]:
    return f"number{row}_name", f"number{row}_number", f"number{row}_hours"


class DoorSettingsForm(forms.Form):
    is_open = forms.BooleanField(
        label=_("The door is open for new conversations"),
        help_text=_(
            "Switch off if your team cannot take new conversations for a while. "
            "Conversations that have started go on."
        ),
        required=False,
    )
    welcome = forms.CharField(
        label=_("Welcome text"),
        help_text=_(
            "A few friendly sentences at the top of the door: who you are and what you help "
            "with. Shown as you write it, in every language. Leave empty for a standard "
            "sentence in the client's language."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX}),
    )
    away_text = forms.CharField(
        label=_("Away message"),
        help_text=_(
            "Sent automatically when somebody writes outside your office hours; the "
            "emergency numbers are added below it. Shown as you write it, in every "
            "language. Leave empty for a standard text in the client's language that says "
            "when you are back."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX}),
    )

    def __init__(self, data: Any = None, *, door: DoorSettings) -> None:
        super().__init__(data, initial=initial_values(door))
        for day, _label in WEEKDAYS:
            for slot in range(1, RANGES_PER_DAY + 1):
                start, end = _range_fields(day, slot)
                self.fields[start] = TimeBox(label=_("from"))
                self.fields[end] = TimeBox(label=_("to"))
        for row in range(MAX_EMERGENCY_NUMBERS):
            name, number, reachable = _row_fields(row)
            self.fields[name] = forms.CharField(
                label=_("Name"), required=False, max_length=NAME_MAX
            )
            self.fields[number] = forms.CharField(
                label=_("Phone number"), required=False, max_length=NUMBER_MAX
            )
            self.fields[reachable] = forms.CharField(
                label=_("Reachable"), required=False, max_length=REACHABLE_MAX
            )

    # -- the parts the template lays out -------------------------------------------------

    def weekdays(self) -> list[tuple[Any, list[tuple[forms.BoundField, str]]]]:
        """[(day name, [(field, its spoken label), ...]), ...] for the office-hours table."""
        rows = []
        for day, label in WEEKDAYS:
            cells = []
            for slot in range(1, RANGES_PER_DAY + 1):
                start, end = _range_fields(day, slot)
                names = {"day": label, "number": slot}
                cells.append(
                    (self[start], gettext("%(day)s, from (time range %(number)d)") % names)
                )
                cells.append((self[end], gettext("%(day)s, to (time range %(number)d)") % names))
            rows.append((label, cells))
        return rows

    def text_fields(self) -> list[forms.BoundField]:
        return [self["welcome"], self["away_text"]]

    def number_rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [
            (row + 1, [self[name] for name in _row_fields(row)])
            for row in range(MAX_EMERGENCY_NUMBERS)
        ]

    # -- validation ------------------------------------------------------------------------

    # The limit is counted after normalising: a browser sends each line break as two
    # characters, and nobody should be told off for the text they see.
    def clean_welcome(self) -> str:
        return _limited(self.cleaned_data["welcome"])

    def clean_away_text(self) -> str:
        return _limited(self.cleaned_data["away_text"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["office_hours"] = self._office_hours(cleaned)
        cleaned["emergency_numbers"] = self._emergency_numbers(cleaned)
        return cleaned

    def _office_hours(self, cleaned: dict[str, Any]) -> dict[str, list[list[str]]]:
        hours: dict[str, list[list[str]]] = {}
        for day, label in WEEKDAYS:
            ranges: list[tuple[str, str, str]] = []
            for slot in range(1, RANGES_PER_DAY + 1):
                start_field, end_field = _range_fields(day, slot)
                if start_field in self.errors or end_field in self.errors:
                    continue
                start, end = cleaned.get(start_field, ""), cleaned.get(end_field, "")
                if not start and not end:
                    continue
                if not start or not end:
                    self.add_error(
                        end_field if start else start_field,
                        _("%(day)s: please enter both times, from and to, or leave both empty.")
                        % {"day": label},
                    )
                    continue
                if start >= end:
                    self.add_error(
                        end_field,
                        _(
                            "%(day)s: the end (%(end)s) must be later than the start "
                            "(%(start)s). For hours past midnight, end at 23:59 and start "
                            "at 00:00 on the next day."
                        )
                        % {"day": label, "start": start, "end": end},
                    )
                    continue
                ranges.append((start, end, end_field))
            ranges.sort()
            for (_s1, end1, _f1), (start2, _e2, field2) in pairwise(ranges):
                if start2 < end1:
                    self.add_error(
                        field2,
                        _("%(day)s: the two time ranges overlap. Please correct one of them.")
                        % {"day": label},
                    )
            if ranges:
                hours[str(day)] = [[start, end] for start, end, _field in ranges]
        return hours

    def _emergency_numbers(self, cleaned: dict[str, Any]) -> list[dict[str, str]]:
        numbers: list[dict[str, str]] = []
        for row in range(MAX_EMERGENCY_NUMBERS):
            name_field, number_field, hours_field = _row_fields(row)
            if {name_field, number_field, hours_field} & set(self.errors):
                continue
            name = _one_line(cleaned.get(name_field, ""))
            number = _one_line(cleaned.get(number_field, ""))
            reachable = _one_line(cleaned.get(hours_field, ""))
            if not (name or number or reachable):
                continue  # an empty row: nothing to keep (this is how a number is removed)
            row_ok = True
            if not name:
                self.add_error(
                    name_field, _("Please give this number a name, e.g. Telefonseelsorge.")
                )
                row_ok = False
            if not number:
                self.add_error(number_field, _("Please enter the phone number."))
                row_ok = False
            elif not _PHONE.fullmatch(number):
                self.add_error(
                    number_field,
                    _("A phone number may only contain digits, spaces, + and /."),
                )
                row_ok = False
            elif sum(char.isdigit() for char in number) < 3:
                self.add_error(number_field, _("Please enter the whole phone number."))
                row_ok = False
            if not reachable:
                self.add_error(
                    hours_field,
                    _("Please say when this number answers, e.g. 24/7 or Mon-Fri 8-20."),
                )
                row_ok = False
            if row_ok:
                numbers.append({"name": name, "number": number, "hours": reachable})
        return numbers

    def door_values(self) -> dict[str, Any]:
        """The validated settings, in the shape ``DoorSettings`` stores."""
        return {
            field: self.cleaned_data[field]
            for field in ("is_open", "welcome", "away_text", "office_hours", "emergency_numbers")
        }


def initial_values(door: DoorSettings) -> dict[str, Any]:
    """The form's fields filled from what is stored (defensive: the JSON is not trusted)."""
    values: dict[str, Any] = {
        "is_open": door.is_open,
        "welcome": door.welcome,
        "away_text": door.away_text,
    }
    stored_hours = door.office_hours if isinstance(door.office_hours, dict) else {}
    for day, _label in WEEKDAYS:
        ranges = stored_hours.get(str(day)) or []
        for slot, pair in enumerate(ranges[:RANGES_PER_DAY], start=1):
            if isinstance(pair, list | tuple) and len(pair) == 2:
                start, end = _range_fields(day, slot)
                values[start], values[end] = str(pair[0]), str(pair[1])
    stored_numbers = door.emergency_numbers if isinstance(door.emergency_numbers, list) else []
    for row, entry in enumerate(stored_numbers[:MAX_EMERGENCY_NUMBERS]):
        if isinstance(entry, dict):
            name, number, reachable = _row_fields(row)
            values[name] = str(entry.get("name", ""))
            values[number] = str(entry.get("number", ""))
            values[reachable] = str(entry.get("hours", ""))
    return values


EDITABLE = ("is_open", "welcome", "away_text", "office_hours", "emergency_numbers")


@transaction.atomic
def update_door(user: User, team: Team, values: dict[str, Any]) -> list[str]:
    """Store a team's new door settings; returns the names of the fields that changed.

    The caller has checked that ``user`` may edit ``team``'s door. The audit entry names
    the fields, never their texts.
    """
    door, _created = DoorSettings.objects.select_for_update().get_or_create(team=team)
    changed = [field for field in EDITABLE if getattr(door, field) != values[field]]
    if not changed:
        return []
    for field in changed:
        setattr(door, field, values[field])
    door.save(update_fields=changed)
    audit.record(
        "door.settings_changed",
        actor=user,
        target=door,
        organisation_id=team.organisation_id,
        team=team.pk,
        fields=",".join(changed),
    )
    return changed
