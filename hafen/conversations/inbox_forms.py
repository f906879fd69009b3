"""Forms of the team inbox: filters, triage actions, labels and canned replies.

Choices are querysets limited to what the person may use (their teams, the
conversation's colleagues, the organisation's labels), so an id from elsewhere is
"not a valid choice" — the same answer whether it exists in another organisation
or nowhere. Free text goes through ``validation`` (control characters, bidi tricks).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hafen.accounts.models import Team, User
from hafen.conversations import inbox_queries, triage, validation
from hafen.conversations.models import MAX_MESSAGE_CHARS, Conversation, Label, State

MAX_SEARCH = 60


def _clean_text(value: str, *, limit: int, required: str, too_long: str) -> str:
    """Free text without control characters; messages that name the field, not "message"."""
    if not value.strip():
        if required:
            raise ValidationError(required)
        return ""
    try:
        return validation.clean_body(value, limit=limit)
    except ValidationError as error:
        if error.code == "empty":
            if required:
                raise ValidationError(required) from None
            return ""
        if error.code == "too_long":
            raise ValidationError(too_long % {"limit": limit}) from None
        raise


class TextField(forms.CharField):
    """Free text that ``_clean_text`` cleans: it removes NUL with the other control
    characters, so Django's own "null characters" error never hides the field's message."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [
            validator
            for validator in self.validators
            if not isinstance(validator, ProhibitNullCharactersValidator)
        ]


class InboxFilterForm(forms.Form):
    """The inbox's GET form: it works without JavaScript, and inbox.js keeps it."""

    team: forms.ModelChoiceField[Team] = forms.ModelChoiceField(
        label=_("Team"), queryset=None, required=False, empty_label=_("All my teams")
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Not closed")), *State.choices, ("all", _("All states"))],
    )
    assigned = forms.ChoiceField(
        label=_("Assigned to"),
        required=False,
        choices=[("", _("Anybody")), ("me", _("Me")), ("none", _("Nobody yet"))],
    )
    label: forms.ModelChoiceField[Label] = forms.ModelChoiceField(
        label=_("Label"), queryset=None, required=False, empty_label=_("Any label")
    )
    q = TextField(
        label=_("Search pseudonym or label"),
        required=False,
        max_length=MAX_SEARCH * 2,
        widget=forms.TextInput(attrs={"type": "search", "maxlength": MAX_SEARCH}),
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = inbox_queries.filter_teams(user)  # type: ignore[attr-defined]
        self.fields["label"].queryset = inbox_queries.organisation_labels(  # type: ignore[attr-defined]
            user.organisation_id
        )

    def clean_q(self) -> str:
        return _clean_text(
            self.cleaned_data["q"],
            limit=MAX_SEARCH,
            required="",
            too_long=gettext("Please search for at most %(limit)d characters."),
        )

    def wanted(self) -> inbox_queries.InboxFilter:
        """The filter from the fields that are valid; an invalid field filters nothing."""
        data = getattr(self, "cleaned_data", {})
        team = data.get("team")
        label = data.get("label")
        return inbox_queries.InboxFilter(
            team_id=team.pk if team is not None else None,
            state=data.get("state", ""),
            assigned=data.get("assigned", ""),
            label_id=label.pk if label is not None else None,
            search=data.get("q", ""),
        )


class StateForm(forms.Form):
    state = forms.ChoiceField(
        choices=[(state.value, state.label) for state in triage.SETTABLE_STATES]
    )


class AssignForm(forms.Form):
    assignee: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Assign to"), queryset=None, required=False, empty_label=_("Nobody")
    )
    # The assignee the page showed: a change by somebody else in between is noticed.
    expected = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, conversation: Conversation, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"expected": conversation.assigned_to_id})
        kwargs["initial"].setdefault("assignee", conversation.assigned_to_id)
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = triage.assignable_colleagues(  # type: ignore[attr-defined]
            conversation.team_id
        )
        self.fields["assignee"].label_from_instance = str  # type: ignore[attr-defined]


class TransferForm(forms.Form):
    team: forms.ModelChoiceField[Team] = forms.ModelChoiceField(label=_("To team"), queryset=None)
    reason = TextField(
        label=_("Reason (internal, the client never sees it)"),
        max_length=triage.MAX_REASON_CHARS * 2,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": triage.MAX_REASON_CHARS}),
        help_text=_("At least 10 characters, for the receiving team and the records."),
        error_messages={"required": _("Please say why the conversation goes to another team.")},
    )
    expected_team = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, conversation: Conversation, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"expected_team": conversation.team_id})
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = triage.transfer_targets(conversation)  # type: ignore[attr-defined]

    def clean_reason(self) -> str:
        reason = _clean_text(
            self.cleaned_data["reason"],
            limit=triage.MAX_REASON_CHARS,
            required=gettext("Please say why the conversation goes to another team."),
            too_long=gettext("Please keep the reason to at most %(limit)d characters."),
        )
        if len(reason) < triage.MIN_REASON_CHARS:
            raise ValidationError(
                gettext("Please give a reason of at least %(min)d characters.")
                % {"min": triage.MIN_REASON_CHARS}
            )
        return reason


class ConversationLabelForm(forms.Form):
    label: forms.ModelChoiceField[Label] = forms.ModelChoiceField(label=_("Label"), queryset=None)
    op = forms.ChoiceField(choices=[("add", "add"), ("remove", "remove")])

    def __init__(self, organisation_id: int, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["label"].queryset = inbox_queries.organisation_labels(organisation_id)  # type: ignore[attr-defined]


class LabelNameForm(forms.Form):
    name = TextField(
        label=_("Name"),
        max_length=80,
        error_messages={"required": _("Please give the label a name.")},
    )

    def clean_name(self) -> str:
        max_length = Label._meta.get_field("name").max_length or 40
        return _clean_text(
            self.cleaned_data["name"],
            limit=max_length,
            required=gettext("Please give the label a name."),
            too_long=gettext("A label has at most %(limit)d characters."),
        )


class CannedReplyForm(forms.Form):
    title = TextField(
        label=_("Title"),
        max_length=160,
        error_messages={"required": _("Please give the canned reply a title.")},
    )
    body = TextField(
        label=_("Text"),
        max_length=MAX_MESSAGE_CHARS * 2,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_MESSAGE_CHARS}),
        error_messages={"required": _("Please write the text of the canned reply.")},
    )
    shared = forms.BooleanField(
        label=_("For the whole organisation"),
        required=False,
        help_text=_("Otherwise only you see it."),
    )

    def __init__(self, *args: Any, may_share: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_share:
            del self.fields["shared"]

    def clean_title(self) -> str:
        return _clean_text(
            self.cleaned_data["title"],
            limit=80,
            required=gettext("Please give the canned reply a title."),
            too_long=gettext("A title has at most %(limit)d characters."),
        )

    def clean_body(self) -> str:
        return _clean_text(
            self.cleaned_data["body"],
            limit=MAX_MESSAGE_CHARS,
            required=gettext("Please write the text of the canned reply."),
            too_long=gettext("A canned reply has at most %(limit)d characters."),
        )
