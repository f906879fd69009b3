"""Case files in other parts of Hafen: the inbox's "link conversation to case".

``register`` adds a ``CaseLinker`` to the inbox (``conversations.triage.CASE_LINKERS``):
the conversation page then names the case files linked to the conversation that the
person may see, and offers to link one of the open case files of the conversation's
team that the person may write. It shows nothing when there is neither.

The seam gives the linker the person and the conversation but not the request, so
the section cannot carry a CSRF token: its small form is a GET form that leads to
the case files' own page of the conversation (``views.files.conversation_cases``),
where linking and unlinking are POST forms. Both work without JavaScript.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from hafen.accounts.models import User
from hafen.conversations.models import Conversation

NAME = "cases"


def render_case_link(user: User, conversation: Conversation) -> str:
    """The conversation page's part about case files, or "" if there is nothing to say."""
    from hafen.cases import queries

    linked = queries.linked_cases(user, conversation)
    linkable = queries.linkable_cases(user, conversation)
    if not linked and not linkable:
        return ""
    return render_to_string(
        "cases/_conversation_cases.html",
        {"conversation": conversation, "linked": linked, "linkable": linkable},
    )


def register() -> None:
    """Called once from ``CasesConfig.ready``; a second call changes nothing."""
    from hafen.conversations.triage import CASE_LINKERS, CaseLinker

    if not any(linker.name == NAME for linker in CASE_LINKERS):
        CASE_LINKERS.append(CaseLinker(NAME, render_case_link))
