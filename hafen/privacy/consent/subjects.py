"""Who a consent record is about: a conversation, a case file, or a labelled subject.

Cases and conversations are imported only for types: both apps import the privacy
models, and the consent actions are called from inside ``conversations.actions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from hafen.privacy.consent.models import MAX_LABEL_CHARS

if TYPE_CHECKING:
    from hafen.cases.models import Case
    from hafen.conversations.models import Conversation


@dataclass(frozen=True)
class LabelSubject:
    """A person named by a free label within an organisation, e.g. for a photo, until
    the publishing part has posts to point at. Keep it short and pseudonymous."""

    organisation_id: int
    label: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", " ".join(self.label.split())[:MAX_LABEL_CHARS])


if TYPE_CHECKING:
    from typing import TypeAlias

    Subject: TypeAlias = Case | Conversation | LabelSubject


def _is_case(subject: Any) -> bool:
    from hafen.cases.models import Case

    return isinstance(subject, Case)


def _is_conversation(subject: Any) -> bool:
    from hafen.conversations.models import Conversation

    return isinstance(subject, Conversation)


def subject_filter(subject: Subject) -> Q:
    """The records of ``subject`` (a query on ``ConsentRecord``)."""
    if isinstance(subject, LabelSubject):
        return Q(version__organisation_id=subject.organisation_id, subject_label=subject.label)
    if _is_case(subject):
        return Q(case_id=subject.pk)
    if _is_conversation(subject):
        return Q(conversation_id=subject.pk)
    raise TypeError(f"Not a consent subject: {type(subject).__name__}")


def subject_fields(subject: Subject) -> dict[str, Any]:
    """The fields of a new record that name ``subject``."""
    if isinstance(subject, LabelSubject):
        return {"subject_label": subject.label}
    if _is_case(subject):
        return {"case": subject}
    if _is_conversation(subject):
        return {"conversation": subject}
    raise TypeError(f"Not a consent subject: {type(subject).__name__}")


def organisation_of(subject: Subject) -> int:
    if isinstance(subject, LabelSubject):
        return subject.organisation_id
    if _is_case(subject):
        return int(subject.organisation_id)
    if _is_conversation(subject):
        return int(subject.team.facility.organisation_id)
    raise TypeError(f"Not a consent subject: {type(subject).__name__}")


def subject_type(subject: Subject) -> str:
    """``case``, ``conversation`` or ``label`` (for the audit log: never the label)."""
    if isinstance(subject, LabelSubject):
        return "label"
    return "case" if _is_case(subject) else "conversation"
