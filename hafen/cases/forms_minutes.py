"""Forms of minutes: a meeting (team meeting or case conference), its action items.

Choices are limited to what the person may use: the teams whose minutes they write,
staff of those teams and the organisation's leadership as attendees and owners, and
for a case conference the file numbers of the cases they may see — only the number,
never a name or pseudonym (the minutes name cases by file number only). An id or a
number from elsewhere is "not a valid choice", whether it exists or not.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hafen.accounts.models import Membership, Role, Team, User
from hafen.cases import access, validation
from hafen.cases.actions.minutes import MAX_CASES_PER_MEETING
from hafen.cases.forms_plans import TokenForm, date_field, text_field
from hafen.cases.models import (
    MAX_ACTION_CHARS,
    MAX_MINUTES_CHARS,
    CaseStatus,
    Meeting,
    MeetingKind,
)
from hafen.cases.queries import minutes_teams

TEXT_ROWS = 6


def staff_choices(
    organisation_id: int, team_ids: list[int], *, also: QuerySet[Any] | None = None
) -> QuerySet[User]:
    """Active staff of these teams, the organisation's leadership, and ``also`` (user ids)."""
    members = Membership.objects.filter(
        Q(team_id__in=team_ids) | Q(team__isnull=True, role=Role.LEADERSHIP),
        organisation_id=organisation_id,
    ).values("user_id")
    wanted = Q(pk__in=members)
    if also is not None:
        wanted |= Q(pk__in=also)
    return User.objects.filter(wanted, is_active=True, organisation_id=organisation_id).order_by(
        "display_name", "username"
    )


def case_reference_choices(user: User, current: list[str] | None = None) -> list[tuple[str, str]]:
    """File numbers of the open and paused cases the person may see, and of the cases
    already named in the minutes that the person may see (closed since, perhaps)."""
    wanted = Q(status__in=[CaseStatus.OPEN, CaseStatus.PAUSED])
    if current:
        wanted |= Q(reference__in=current)
    references = (
        access.cases_visible_to(user)
        .filter(wanted)
        .order_by("reference")
        .values_list("reference", flat=True)
    )
    return [(reference, reference) for reference in references]


class MeetingTextsForm(forms.Form):
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    guests = text_field(_("Guests"), MAX_ACTION_CHARS, required=False)
    agenda = text_field(_("Agenda"), MAX_MINUTES_CHARS, required=False, rows=TEXT_ROWS)
    decisions = text_field(_("Decisions"), MAX_MINUTES_CHARS, required=False, rows=TEXT_ROWS)
    cases = forms.MultipleChoiceField(
        label=_("Case files discussed"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Case conferences name cases by their file number only; the minutes never "
            "carry a client's name."
        ),
    )

    def _setup(
        self,
        user: User,
        team_ids: list[int],
        also: QuerySet[Any] | None = None,
        current_cases: list[str] | None = None,
    ) -> None:
        assert user.organisation_id is not None
        self.fields["attendees"].queryset = staff_choices(  # type: ignore[attr-defined]
            user.organisation_id, team_ids, also=also
        )
        self.fields["guests"].help_text = _(
            "People without a Hafen account, for example from the youth office."
        )
        self.fields["cases"].choices = case_reference_choices(  # type: ignore[attr-defined]
            user, current_cases
        )

    def clean_cases(self) -> list[str]:
        chosen: list[str] = self.cleaned_data.get("cases") or []
        if len(chosen) > MAX_CASES_PER_MEETING:
            raise forms.ValidationError(
                gettext("At most %(limit)d case files per meeting.")
                % {"limit": MAX_CASES_PER_MEETING}
            )
        return chosen


class MeetingForm(TokenForm, MeetingTextsForm):
    team: forms.ModelChoiceField[Team] = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), empty_label=None
    )
    kind = forms.ChoiceField(
        label=_("Kind of meeting"), choices=MeetingKind.choices, widget=forms.RadioSelect
    )
    held_on = date_field(_("Date"))

    field_order = [
        "team",
        "kind",
        "held_on",
        "attendees",
        "guests",
        "cases",
        "agenda",
        "decisions",
    ]

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = minutes_teams(user)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self._setup(user, [team.pk for team in teams])
        self.order_fields(self.field_order)


class MeetingEditForm(MeetingTextsForm):
    """Complete or correct the minutes. The case list is offered only to a person who
    may see every case already named: nobody removes a case they cannot see."""

    def __init__(
        self, user: User, meeting: Meeting, current_cases: list[str], *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # Attendees already named stay choosable, even from another team.
        self._setup(
            user,
            [meeting.team_id],
            also=meeting.attendees.values("pk"),
            current_cases=current_cases,
        )
        offered = {value for value, _label in self.fields["cases"].choices}  # type: ignore[attr-defined]
        self.cases_editable = set(current_cases) <= offered
        if not self.cases_editable:
            del self.fields["cases"]


class ActionItemForm(TokenForm):
    text = text_field(_("Action item"), MAX_ACTION_CHARS, rows=2)
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Who does it"), queryset=User.objects.none()
    )
    due_on = date_field(_("Due on"), required=False)

    def __init__(self, meeting: Meeting, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.fields["owner"].queryset = staff_choices(  # type: ignore[attr-defined]
            meeting.organisation_id, [meeting.team_id], also=meeting.attendees.values("pk")
        )

    def clean_due_on(self) -> date | None:
        day: date | None = self.cleaned_data.get("due_on")
        if day is not None:
            validation.not_before(
                day,
                self.meeting.held_on,
                label=gettext("Due on"),
                earliest_label=gettext("the meeting"),
            )
        return day
