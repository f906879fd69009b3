"""Referring from a conversation: the conversation page offers the referral of each case
file linked to the conversation that the person may write.

Consent to a referral is recorded on a case file (the consent API takes no
conversations: the client door records only its privacy notice), so a referral always
belongs to a case file; the conversation page leads to that case's referral form. It
joins the page through the inbox's seam for case files (``conversations.triage.
CASE_LINKERS``) and shows nothing when no writable case file is linked.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from hafen.accounts.models import User
from hafen.conversations.models import Conversation

NAME = "network"


def render_referral_link(user: User, conversation: Conversation) -> str:
    from hafen.cases import access as case_access

    cases = list(
        case_access.cases_writable_by(user)
        .filter(conversation_links__conversation=conversation)
        .order_by("reference")
    )
    if not cases:
        return ""
    return render_to_string("network/_conversation_referrals.html", {"cases": cases})


def register() -> None:
    """Called once from ``NetworkConfig.ready``; a second call changes nothing."""
    from hafen.conversations.triage import CASE_LINKERS, CaseLinker

    if not any(linker.name == NAME for linker in CASE_LINKERS):
        CASE_LINKERS.append(CaseLinker(NAME, render_referral_link))
