"""Forms of the case-file pages: filters, cases, entries, corrections, uploads, exports,
templates and emergency access.

Choices are querysets limited to what the person may use (their teams, the
organisation's categories and staff), so an id from elsewhere is "not a valid
choice". Texts and dates are checked with the domain's own checks
(``hafen.cases.validation``) so that a message sits beside its field; the actions
check everything again.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hafen.accounts.access import BREAK_GLASS_MAX_MINUTES
from hafen.accounts.models import Membership, Role, Team, User
from hafen.cases import validation
from hafen.cases.actions.cases import MIN_REASON_CHARS, RESPONSIBLE_ROLES
from hafen.cases.models import (
    MAX_CONTACT_CHARS,
    MAX_ENTRY_CHARS,
    MAX_NAME_CHARS,
    MAX_PSEUDONYM_CHARS,
    MAX_REASON_CHARS,
    Case,
    CaseCategory,
    CaseStatus,
    Confidentiality,
    EntryKind,
    TemplateKind,
)
from hafen.conversations import attachments
from hafen.conversations.inbox_forms import TextField

DATE_INPUTS = ["%Y-%m-%d", "%d.%m.%Y"]
MAX_SEARCH_CHARS = 200


def new_token() -> str:
    """The one-time token of a form that creates something (see ``actions._common.once``)."""
    return secrets.token_urlsafe(18)


class DateField(forms.DateField):
    """A date picker in the browser; typed "24.11.2026" works too."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATE_INPUTS)
        kwargs.setdefault("widget", forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
        super().__init__(**kwargs)


def _text(value: object, label: str, limit: int, *, required: bool = True) -> str:
    return validation.clean_text(value, label=label, limit=limit, required=required)


def _line(value: object, label: str, limit: int, *, required: bool = True) -> str:
    return validation.clean_line(value, label=label, limit=limit, required=required)


def _textarea(limit: int, rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": limit})


class Form(forms.Form):
    """A form whose hidden fields (token, version shown) say what to do when they fail.

    Nobody can correct a hidden field, and ``form_fields.html`` shows no errors of
    hidden fields: the form as a whole asks to reload the page instead.
    """

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if any(field.name in self.errors for field in self.hidden_fields()):
            self.add_error(
                None,
                gettext("The form is no longer valid. Please reload the page and try again."),
            )
        return cleaned


def responsible_choices(organisation_id: int) -> QuerySet[User]:
    """Who may be responsible for a case file of the organisation."""
    return (
        User.objects.filter(
            is_active=True,
            organisation_id=organisation_id,
            memberships__role__in=list(RESPONSIBLE_ROLES),
        )
        .distinct()
        .order_by("display_name", "username")
    )


def writable_teams(user: User) -> QuerySet[Team]:
    """The teams in which the person may open case files: where they are a counsellor."""
    team_ids = Membership.objects.filter(user=user, role=Role.COUNSELLOR, team__isnull=False)
    return (
        Team.objects.filter(pk__in=team_ids.values("team_id"))
        .select_related("facility")
        .order_by("facility__name", "name")
    )


def _staff_field(queryset: Any, **kwargs: Any) -> Any:
    field = forms.ModelMultipleChoiceField(queryset=queryset, **kwargs)
    field.label_from_instance = str  # type: ignore[assignment]
    return field


# -- the list ----------------------------------------------------------------------------


class CaseFilterForm(forms.Form):
    """The list's GET form; an invalid field filters nothing."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Open and paused")), *CaseStatus.choices, ("all", _("All"))],
    )
    category: forms.ModelChoiceField[CaseCategory] = forms.ModelChoiceField(
        label=_("Category"), queryset=None, required=False, empty_label=_("Any category")
    )
    team: forms.ModelChoiceField[Team] = forms.ModelChoiceField(
        label=_("Team"), queryset=None, required=False, empty_label=_("All teams")
    )
    mine = forms.BooleanField(label=_("Only cases I am responsible for"), required=False)

    def __init__(self, user: User, visible: QuerySet[Case], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = CaseCategory.objects.filter(organisation_id=user.organisation_id or 0)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        self.fields["team"].queryset = (  # type: ignore[attr-defined]
            Team.objects.filter(pk__in=visible.values("team_id"))
            .select_related("facility")
            .order_by("name")
        )

    def wanted(self) -> dict[str, Any]:
        data = getattr(self, "cleaned_data", {})
        return {
            "status": data.get("status", ""),
            "category": data.get("category"),
            "team": data.get("team"),
            "mine": bool(data.get("mine")),
        }


# -- a case ------------------------------------------------------------------------------


class CaseFieldsMixin(Form):
    pseudonym = TextField(
        label=_("Pseudonym"),
        max_length=MAX_PSEUDONYM_CHARS * 2,
        help_text=_("How the team names the client in lists, e.g. “Leon K.”."),
        widget=forms.TextInput(attrs={"maxlength": MAX_PSEUDONYM_CHARS}),
    )
    name = TextField(
        label=_("Name (optional, stored encrypted)"),
        required=False,
        max_length=MAX_NAME_CHARS * 2,
        widget=forms.TextInput(attrs={"maxlength": MAX_NAME_CHARS, "autocomplete": "off"}),
    )
    contact = TextField(
        label=_("Contact (optional, stored encrypted)"),
        required=False,
        max_length=MAX_CONTACT_CHARS * 2,
        strip=False,
        widget=_textarea(MAX_CONTACT_CHARS, rows=2),
    )
    category: forms.ModelChoiceField[CaseCategory] = forms.ModelChoiceField(
        label=_("Category"), queryset=None, required=False, empty_label=_("No category")
    )

    def clean_pseudonym(self) -> str:
        return _line(self.cleaned_data["pseudonym"], gettext("Pseudonym"), MAX_PSEUDONYM_CHARS)

    def clean_name(self) -> str:
        return _line(self.cleaned_data["name"], gettext("Name"), MAX_NAME_CHARS, required=False)

    def clean_contact(self) -> str:
        return _text(
            self.cleaned_data["contact"], gettext("Contact"), MAX_CONTACT_CHARS, required=False
        )


class NewCaseForm(CaseFieldsMixin):
    team: forms.ModelChoiceField[Team] = forms.ModelChoiceField(label=_("Team"), queryset=None)
    opened_on = DateField(label=_("Opened on"))
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # The chat conversation the case is opened from (the inbox's "open a case file").
    conversation = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    field_order = ["team", "pseudonym", "name", "contact", "category", "responsible", "opened_on"]

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("form_token", new_token())
        initial.setdefault("opened_on", validation.today())
        initial.setdefault("responsible", [user])
        super().__init__(*args, **kwargs)
        teams = writable_teams(user)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["team"].label_from_instance = (  # type: ignore[attr-defined]
            lambda team: f"{team.name} ({team.facility.name})"
        )
        if len(teams) == 1:
            self.fields["team"].initial = teams[0]
        categories = CaseCategory.objects.filter(
            organisation_id=user.organisation_id or 0, is_active=True
        )
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        assert user.organisation_id is not None
        self.fields["responsible"] = _staff_field(
            responsible_choices(user.organisation_id),
            label=_("Responsible staff"),
            help_text=_("They read and write the case file, whatever their team."),
            widget=forms.CheckboxSelectMultiple,
        )
        self.order_fields(self.field_order)

    def clean_opened_on(self) -> date:
        day: date = self.cleaned_data["opened_on"]
        return validation.not_in_future(day, label=gettext("Opened on"))


class EditCaseForm(CaseFieldsMixin):
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)
    closed_on = DateField(
        label=_("Closed on"),
        required=False,
        help_text=_("Only for closed case files; today if left empty."),
    )

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        self.case = case
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = CaseCategory.objects.filter(  # type: ignore[attr-defined]
            Q(is_active=True) | Q(pk=case.category_id), organisation_id=case.organisation_id
        )
        self.fields["responsible"] = _staff_field(
            responsible_choices(case.organisation_id),
            label=_("Responsible staff"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        self.order_fields(
            ["pseudonym", "name", "contact", "category", "responsible", "status", "closed_on"]
        )

    def clean_closed_on(self) -> date | None:
        day: date | None = self.cleaned_data.get("closed_on")
        if day is None:
            return None
        label = gettext("Closed on")
        validation.not_in_future(day, label=label)
        return validation.not_before(
            day, self.case.opened_on, label=label, earliest_label=gettext("the opening date")
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("status") != CaseStatus.CLOSED and cleaned.get("closed_on"):
            self.add_error(
                "closed_on",
                ValidationError(gettext("A closing date only goes with the status “Closed”.")),
            )
        return cleaned


# -- entries -----------------------------------------------------------------------------


def substitute_choices(case: Case, author: User) -> QuerySet[User]:
    """Counsellors who can open the case (its team, or responsible for it), not the author."""
    return (
        User.objects.filter(is_active=True, organisation_id=case.organisation_id)
        .filter(
            Q(memberships__role=Role.COUNSELLOR, memberships__team_id=case.team_id)
            | Q(responsible_cases=case, memberships__role=Role.COUNSELLOR)
        )
        .exclude(pk=author.pk)
        .distinct()
        .order_by("display_name", "username")
    )


class AttachmentField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_empty_file", True)  # check_upload says so in its words
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": attachments.ACCEPT}))
        super().__init__(**kwargs)

    def describe(self) -> None:
        """The help text in the language of the request (not of the import)."""
        self.help_text = gettext("JPEG, PNG, WebP or PDF, at most %(mb)d MB.") % {
            "mb": settings.HAFEN_ATTACHMENT_MAX_MB
        }

    def clean(self, data: Any, initial: Any = None) -> attachments.CheckedFile | None:
        upload = super().clean(data, initial)
        if not upload:
            return None
        try:
            return attachments.check_upload(upload)
        except ValidationError as error:
            if error.code == "type":  # the chat's wording speaks of sending
                raise ValidationError(
                    gettext(
                        "This file cannot be attached. Please choose a photo (JPEG, PNG or "
                        "WebP) or a PDF document."
                    ),
                    code="type",
                ) from None
            raise


class EntryFieldsMixin(Form):
    kind = forms.ChoiceField(label=_("Type"), choices=EntryKind.choices)
    occurred_on = DateField(label=_("Date"))
    text = TextField(
        label=_("Text"),
        max_length=MAX_ENTRY_CHARS * 2,
        strip=False,
        widget=_textarea(MAX_ENTRY_CHARS, rows=12),
    )

    case: Case

    def clean_occurred_on(self) -> date:
        day: date = self.cleaned_data["occurred_on"]
        label = gettext("Date")
        validation.not_in_future(day, label=label)
        return validation.not_before(
            day,
            self.case.opened_on,
            label=label,
            earliest_label=gettext("the opening of the case file"),
        )

    def clean_text(self) -> str:
        return _text(self.cleaned_data["text"], gettext("Text"), MAX_ENTRY_CHARS)


class EntryForm(EntryFieldsMixin):
    confidentiality = forms.ChoiceField(
        label=_("Who may read it"),
        choices=Confidentiality.choices,
        initial=Confidentiality.NORMAL,
        widget=forms.RadioSelect,
        help_text=_(
            "Entrusted to you personally (§65 SGB VIII) or from third parties: only you "
            "and the substitute you name read it; everyone else sees that it is withheld."
        ),
    )
    substitute: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Substitute (optional)"),
        queryset=None,
        required=False,
        empty_label=_("No substitute"),
        help_text=_("A colleague who may also read an entrusted entry, e.g. in your absence."),
    )
    attachment = AttachmentField(label=_("Photo or PDF (optional)"))
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, case: Case, author: User, *args: Any, **kwargs: Any) -> None:
        self.case = case
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("form_token", new_token())
        initial.setdefault("occurred_on", validation.today())
        super().__init__(*args, **kwargs)
        self.fields["substitute"].queryset = substitute_choices(case, author)  # type: ignore[attr-defined]
        self.fields["substitute"].label_from_instance = str  # type: ignore[attr-defined]
        self.fields["attachment"].describe()  # type: ignore[attr-defined]
        self.order_fields(
            ["kind", "occurred_on", "text", "confidentiality", "substitute", "attachment"]
        )


class CorrectionForm(EntryFieldsMixin):
    reason = TextField(
        label=_("Reason for the correction (optional)"),
        required=False,
        max_length=MAX_REASON_CHARS * 2,
        strip=False,
        widget=_textarea(MAX_REASON_CHARS, rows=2),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        self.case = case
        super().__init__(*args, **kwargs)

    def clean_reason(self) -> str:
        return _text(
            self.cleaned_data["reason"], gettext("Reason"), MAX_REASON_CHARS, required=False
        )


class AttachmentForm(forms.Form):
    attachment = AttachmentField(label=_("Photo or PDF"), required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachment"].describe()  # type: ignore[attr-defined]


# -- search, export, templates, emergency access -----------------------------------------


class SearchForm(forms.Form):
    q = TextField(
        label=_("Search words"),
        max_length=MAX_SEARCH_CHARS * 2,
        widget=forms.TextInput(attrs={"type": "search", "maxlength": MAX_SEARCH_CHARS}),
        help_text=_("File number, pseudonym, name or words of an entry; at least 2 characters."),
    )

    def clean_q(self) -> str:
        return _line(self.cleaned_data["q"], gettext("Search words"), MAX_SEARCH_CHARS)


class ExportForm(forms.Form):
    include_restricted = forms.BooleanField(
        label=_("Include the entrusted and third-party entries that I may read"),
        required=False,
    )
    reason = TextField(
        label=_("Reason for passing them on"),
        required=False,
        max_length=MAX_REASON_CHARS * 2,
        strip=False,
        widget=_textarea(MAX_REASON_CHARS, rows=2),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = gettext(
            "Required with those entries (§65 SGB VIII): at least %(min)d characters; "
            "it is kept with the record of this export."
        ) % {"min": MIN_REASON_CHARS}

    def clean_reason(self) -> str:
        return _text(
            self.cleaned_data["reason"], gettext("Reason"), MAX_REASON_CHARS, required=False
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        reason = cleaned.get("reason", "")
        wanted = cleaned.get("include_restricted") and "reason" not in self.errors
        if wanted and len(reason) < MIN_REASON_CHARS:
            self.add_error(
                "reason",
                ValidationError(
                    gettext("Please give a reason of at least %(min)d characters.")
                    % {"min": MIN_REASON_CHARS}
                ),
            )
        return cleaned


class TemplateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Template for"), choices=TemplateKind.choices)
    title = TextField(
        label=_("Title"), max_length=240, widget=forms.TextInput(attrs={"maxlength": 120})
    )
    entry_kind = forms.ChoiceField(
        label=_("Type of entry"),
        required=False,
        choices=[("", _("Any")), *EntryKind.choices],
        help_text=_("For entry templates: the type a new entry gets."),
    )
    body = TextField(
        label=_("Text"),
        max_length=MAX_ENTRY_CHARS * 2,
        strip=False,
        widget=_textarea(MAX_ENTRY_CHARS, rows=10),
    )
    is_active = forms.BooleanField(label=_("Offered to colleagues"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:  # the kind of a template stays what it is
            del self.fields["kind"]
        else:
            del self.fields["is_active"]

    def clean_title(self) -> str:
        return _line(self.cleaned_data["title"], gettext("Title"), 120)

    def clean_body(self) -> str:
        return _text(self.cleaned_data["body"], gettext("Text"), MAX_ENTRY_CHARS)


BREAK_GLASS_MINUTES = [m for m in (30, 60, 120, 240, 480) if m <= BREAK_GLASS_MAX_MINUTES]


class BreakGlassForm(forms.Form):
    reference = TextField(
        label=_("File number"),
        max_length=40,
        help_text=_("e.g. F-2026-0042"),
        widget=forms.TextInput(attrs={"maxlength": 20, "autocomplete": "off"}),
    )
    reason = TextField(
        label=_("Reason"),
        max_length=1000,
        strip=False,
        widget=_textarea(500, rows=3),
    )
    minutes = forms.TypedChoiceField(
        label=_("For how long"),
        coerce=int,
        initial=60,
        choices=[(m, f"{m // 60} h" if m >= 60 else f"{m} min") for m in BREAK_GLASS_MINUTES],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = gettext(
            "Why you must open this case file now (at least %(min)d characters). The "
            "data-protection officer is told, and the reason is kept."
        ) % {"min": MIN_REASON_CHARS}

    def clean_reason(self) -> str:
        reason = _text(self.cleaned_data["reason"], gettext("Reason"), 500)
        if len(reason) < MIN_REASON_CHARS:
            raise ValidationError(
                gettext("Please give a reason of at least %(min)d characters.")
                % {"min": MIN_REASON_CHARS}
            )
        return reason
