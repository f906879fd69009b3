"""Forms of help and support plans: the plan, goals, measures, reviews, the agreement.

Forms check what a person can correct on the page (a missing field, a date in the
past) with the same messages as the domain (``hafen.cases.validation``); the actions
check everything again. ``add_domain_error`` puts an action's refusal beside the
field it is about, so no refusal ends as a 500 or a lost message.

Every form that creates something carries a one-time ``form_token``: the same form
posted twice (a double click, a reload) creates once.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hafen.accounts.models import User
from hafen.cases import validation
from hafen.cases.actions.plans import MAX_PARTNER_CHARS
from hafen.cases.models import (
    MAX_GOAL_CHARS,
    MAX_PLAN_TEXT_CHARS,
    MAX_TITLE_CHARS,
    RATING_MAX,
    RATING_MIN,
    AgreementWay,
    Case,
    PlanKind,
    Responsible,
)
from hafen.cases.queries import GoalView

TEXTAREA_ROWS = 4


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


class DateInput(forms.DateInput):
    """The browser's date picker; the value travels as YYYY-MM-DD in every language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        help_text=help_text,
    )


def text_field(label: Any, limit: int, *, required: bool = True, rows: int = 0) -> forms.CharField:
    widget: forms.Widget = (
        forms.Textarea(attrs={"rows": rows, "maxlength": limit})
        if rows
        else forms.TextInput(attrs={"maxlength": limit})
    )
    return forms.CharField(label=label, max_length=limit, required=required, widget=widget)


class TokenForm(forms.Form):
    """A form that creates something once per token (see ``actions._common.once``)."""

    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_token", new_form_token())


def add_domain_error(form: forms.Form, error: ValidationError, field: str | None = None) -> None:
    """Show an action's refusal on the form, beside ``field`` if it is about one."""
    for message in error.messages:
        form.add_error(field if field in form.fields else None, message)


# -- the plan ----------------------------------------------------------------------------


class PlanForm(TokenForm):
    kind = forms.ChoiceField(label=_("Kind of plan"), choices=PlanKind.choices)
    title = text_field(_("Title"), MAX_TITLE_CHARS)
    situation = text_field(
        _("Starting point"), MAX_PLAN_TEXT_CHARS, required=False, rows=TEXTAREA_ROWS * 2
    )
    participants = text_field(
        _("Participants"), MAX_PLAN_TEXT_CHARS, required=False, rows=TEXTAREA_ROWS
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["situation"].help_text = _(
            "The situation, and how the client and you see it. A template gives headings."
        )
        self.fields["participants"].help_text = _(
            "Who takes part in the plan: the client, family, staff, partners."
        )


class PlanEditForm(forms.Form):
    title = text_field(_("Title"), MAX_TITLE_CHARS)
    situation = text_field(
        _("Starting point"), MAX_PLAN_TEXT_CHARS, required=False, rows=TEXTAREA_ROWS * 2
    )
    participants = text_field(
        _("Participants"), MAX_PLAN_TEXT_CHARS, required=False, rows=TEXTAREA_ROWS
    )


# -- goals and measures ------------------------------------------------------------------


class GoalForm(TokenForm):
    wording = text_field(_("Goal"), MAX_GOAL_CHARS, rows=2)
    indicator = text_field(_("Indicator"), MAX_GOAL_CHARS, required=False, rows=2)
    target_on = date_field(_("Target date"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].help_text = _("How you will tell that the goal is reached.")

    def clean_target_on(self) -> date | None:
        day: date | None = self.cleaned_data.get("target_on")
        if day is not None:
            validation.not_in_past(day, label=gettext("Target date"))
        return day


def staff_for_case(case: Case) -> list[User]:
    """Who can be responsible for a measure: active staff of the case's team, and the
    case's responsible staff. One query for all the measure forms of a plan page."""
    return list(
        User.objects.filter(is_active=True, organisation_id=case.organisation_id)
        .filter(Q(memberships__team_id=case.team_id) | Q(responsible_cases=case))
        .distinct()
        .order_by("display_name", "username")
    )


class MeasureForm(TokenForm):
    text = text_field(_("Measure"), MAX_GOAL_CHARS, rows=2)
    responsible = forms.ChoiceField(
        label=_("Who is responsible"), choices=Responsible.choices, widget=forms.RadioSelect
    )
    staff = forms.ChoiceField(label=_("Staff member"), required=False)
    partner = text_field(_("Partner"), MAX_PARTNER_CHARS, required=False)

    def __init__(self, staff: list[User], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Plain choices from a list made once, not a queryset per form: a plan page has a
        # measure form per goal.
        self.staff_by_id = {str(user.pk): user for user in staff}
        self.fields["staff"].choices = [  # type: ignore[attr-defined]
            ("", _("(only if a staff member is responsible)")),
            *((str(user.pk), str(user)) for user in staff),
        ]
        self.fields["partner"].help_text = _(
            "Only if a partner is responsible: the organisation or person."
        )

    def clean_staff(self) -> User | None:
        return self.staff_by_id.get(self.cleaned_data.get("staff") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        responsible = data.get("responsible")
        if responsible == Responsible.STAFF and not data.get("staff"):
            self.add_error("staff", gettext("Please choose the staff member."))
        if responsible == Responsible.PARTNER and not (data.get("partner") or "").strip():
            self.add_error(
                "partner", gettext("Please fill in: %(field)s.") % {"field": gettext("Partner")}
            )
        return data


# -- reviews -----------------------------------------------------------------------------


class ScheduleReviewForm(forms.Form):
    due_on = date_field(_("Review date"))

    def clean_due_on(self) -> date:
        day: date = self.cleaned_data["due_on"]
        return validation.not_in_past(day, label=gettext("Review date"))


RATING_CHOICES = [
    ("", _("not rated")),
    *((str(n), str(n)) for n in range(RATING_MIN, RATING_MAX + 1)),
]


class RecordReviewForm(forms.Form):
    """The review took place: its date, a note, and per goal a rating 0-10 and a comment.

    The goal fields are named ``rating_<goal id>`` and ``comment_<goal id>``; a goal
    left "not rated" gets no rating at this review.
    """

    held_on = date_field(_("Held on"))
    note = text_field(_("Note on the review"), MAX_PLAN_TEXT_CHARS, required=False, rows=3)

    def __init__(self, goals: list[GoalView], opened_on: date, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = goals
        self.opened_on = opened_on
        for number, goal in enumerate(goals, start=1):
            wording = goal.wording or gettext("(not readable)")
            self.fields[f"rating_{goal.id}"] = forms.ChoiceField(
                label=gettext("Goal %(number)d: %(wording)s")
                % {"number": number, "wording": wording},
                choices=RATING_CHOICES,
                required=False,
                help_text=_("0 = not reached at all, 10 = fully reached"),
            )
            self.fields[f"comment_{goal.id}"] = text_field(
                gettext("Comment on goal %(number)d") % {"number": number},
                MAX_GOAL_CHARS,
                required=False,
                rows=2,
            )

    def clean_held_on(self) -> date:
        day: date = self.cleaned_data["held_on"]
        validation.not_in_future(day, label=gettext("Held on"))
        return validation.not_before(
            day,
            self.opened_on,
            label=gettext("Held on"),
            earliest_label=gettext("the opening of the case file"),
        )

    def ratings(self) -> dict[int, tuple[int, str]]:
        """Goal id -> (rating, comment) for the goals that were rated."""
        found: dict[int, tuple[int, str]] = {}
        for goal in self.goals:
            value = self.cleaned_data.get(f"rating_{goal.id}")
            if value not in (None, ""):
                found[goal.id] = (int(value), self.cleaned_data.get(f"comment_{goal.id}", ""))
        return found

    def goal_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"rating_{g.id}"], self[f"comment_{g.id}"]) for g in self.goals]


# -- the client's agreement ---------------------------------------------------------------


class AgreementForm(forms.Form):
    agreed_on = date_field(_("Client agreed on"))
    how = forms.ChoiceField(
        label=_("How the client agreed"), choices=AgreementWay.choices, widget=forms.RadioSelect
    )
    note = text_field(_("Note"), MAX_PLAN_TEXT_CHARS, required=False, rows=2)

    def __init__(self, created_on: date, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.created_on = created_on

    def clean_agreed_on(self) -> date:
        day: date = self.cleaned_data["agreed_on"]
        validation.not_in_future(day, label=gettext("Agreed on"))
        return validation.not_before(
            day,
            self.created_on,
            label=gettext("Agreed on"),
            earliest_label=gettext("the day the plan was made"),
        )
