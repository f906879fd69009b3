"""The audit log search: every field optional, every value checked, messages in the
DSB's language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hafen.accounts.models import User
from hafen.cases.models import Case
from hafen.conversations.models import Conversation
from hafen.privacy.cockpit.queries import AuditFilter

RECORD_KINDS = [
    ("", _("any record")),
    ("case", _("Case file (file number)")),
    ("conversation", _("Conversation (number)")),
]


class AuditSearchForm(forms.Form):
    actor: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Who"), queryset=User.objects.none(), required=False, empty_label=_("anybody")
    )
    action = forms.ChoiceField(label=_("What"), required=False)
    record_kind = forms.ChoiceField(label=_("Record"), required=False, choices=RECORD_KINDS)
    record = forms.CharField(
        label=_("File number or conversation number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"maxlength": 20, "autocomplete": "off"}),
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, organisation_id: int, groups: list[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_id = organisation_id
        self.fields["actor"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            organisation_id=organisation_id
        ).order_by("display_name", "username")
        action = self.fields["action"]
        assert isinstance(action, forms.ChoiceField)
        action.choices = [("", _("any action")), *((g, g) for g in groups)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, record = data.get("record_kind"), " ".join(str(data.get("record") or "").split())
        if record and not kind:
            self.add_error("record_kind", _("Please say whether this is a file or a conversation."))
        elif kind and not record:
            self.add_error("record", _("Please give the number of the record."))
        elif kind == "case":
            case = Case.objects.filter(
                organisation_id=self.organisation_id, reference=record.upper()[:20]
            ).first()
            if case is None:
                self.add_error("record", _("There is no case file with this number."))
            else:
                data["object"] = ("cases.case", str(case.pk))
        elif kind == "conversation":
            number = record.lstrip("#")
            if not number.isdigit() or not 0 < int(number) < 2**63:
                self.add_error("record", _("A conversation number is a whole number."))
            else:
                # Its entries may outlive it (deleted by the client or by retention):
                # the number is searched whether or not the conversation still exists,
                # but one of another organisation is never named.
                other = Conversation.objects.filter(pk=int(number)).exclude(
                    team__facility__organisation_id=self.organisation_id
                )
                if other.exists():
                    self.add_error("record", _("There is no conversation with this number."))
                else:
                    data["object"] = ("conversations.conversation", str(int(number)))
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end lies before the start."))
        return data

    def wanted(self) -> AuditFilter:
        data = self.cleaned_data if self.is_valid() else {}
        object_type, object_id = data.get("object", ("", ""))
        actor = data.get("actor")
        return AuditFilter(
            actor_id=actor.pk if actor else None,
            action=data.get("action") or "",
            object_type=object_type,
            object_id=object_id,
            since=data.get("since"),
            until=data.get("until"),
        )
