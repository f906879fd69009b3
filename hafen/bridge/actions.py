"""Every write of the bridge: the change and its audit entry in one transaction.

A handover link carries 32 random bytes (``secrets.token_urlsafe``); only its SHA-256
is stored. It starts exactly one conversation: the row is locked and re-checked in
the transaction that starts the conversation, so two taps at once (a double click,
a link opened in two tabs) make one conversation and a friendly "already used" page.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from hafen.accounts.actions import hash_token
from hafen.accounts.models import Organisation, Team, User
from hafen.bridge import access
from hafen.bridge.models import CHANNELS, VALIDITY_SPANS, Handover, ReplyText, Validity
from hafen.conversations.actions import NewConversation, start_conversation
from hafen.privacy import audit

TOKEN_BYTES = 32
# What secrets.token_urlsafe(32) makes: 43 characters of the URL-safe base64 alphabet.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


class HandoverUnusable(Exception):
    """The link is used or expired (``handover`` set), or unknown (``handover`` None)."""

    def __init__(self, handover: Handover | None) -> None:
        super().__init__("handover link unusable")
        self.handover = handover


@dataclass(frozen=True)
class NewHandover:
    handover: Handover
    token: str  # shown once to the counsellor, never stored


@transaction.atomic
def create_handover(
    user: User, *, team: Team, channel: str, topic: str = "", validity: str = Validity.WEEK
) -> NewHandover:
    """A one-time link into ``team``; the caller's form has checked the input."""
    if team.pk not in access.handover_team_ids(user):
        raise PermissionDenied
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    span = VALIDITY_SPANS[Validity(validity)]
    token = secrets.token_urlsafe(TOKEN_BYTES)
    handover = Handover.objects.create(
        team=team,
        channel=channel,
        topic=topic,
        token_hash=hash_token(token),
        created_by=user,
        expires_at=timezone.now() + span,
    )
    audit.record(
        "handover.created",
        actor=user,
        target=handover,
        organisation_id=team.organisation_id,
        team=team.pk,
        channel=channel,
        validity=str(validity),
    )
    return NewHandover(handover, token)


def find_handover(token: str) -> Handover | None:
    """The handover of a token in any state, or None; a malformed token is never looked up."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    return (
        Handover.objects.select_related("team__facility__organisation")
        .filter(token_hash=hash_token(token))
        .first()
    )


@transaction.atomic
def record_opened(handover: Handover) -> bool:
    """The client opened the link: the first time counts for the funnel; True if it was."""
    now = timezone.now()
    # A conditional update, not read-then-write: two first opens at once count once.
    first = Handover.objects.filter(pk=handover.pk, opened_at__isnull=True).update(opened_at=now)
    if first:
        handover.opened_at = now
        audit.record(
            "handover.opened",
            target=handover,
            organisation_id=handover.team.organisation_id,
            channel=handover.channel,
        )
    return bool(first)


def use_handover(token: str, *, passphrase: str = "", language: str = "") -> NewConversation:
    """Start the one conversation this link may start, in its team, marked with its channel.

    Raises ``HandoverUnusable`` for an unknown, used or expired link; nothing changes then.
    """
    if not TOKEN_PATTERN.fullmatch(token):
        raise HandoverUnusable(None)
    with transaction.atomic():
        # The row lock serialises two submits of the same link on PostgreSQL; SQLite's
        # IMMEDIATE transactions already take the write lock when they begin. Either
        # way the second one reads ``used_at`` set by the first and is refused.
        handover = (
            Handover.objects.select_for_update(of=("self",))
            .select_related("team__facility")
            .filter(token_hash=hash_token(token))
            .first()
        )
        if handover is None:
            raise HandoverUnusable(None)
        now = timezone.now()
        if handover.used_at is not None or handover.expires_at <= now:
            raise HandoverUnusable(handover)
        new = start_conversation(
            handover.team, passphrase=passphrase, language=language, origin=handover.channel
        )
        handover.used_at = now
        handover.opened_at = handover.opened_at or now
        handover.conversation = new.conversation
        handover.save(update_fields=["used_at", "opened_at", "conversation"])
        audit.record(
            "handover.used",
            target=handover,
            organisation_id=handover.team.organisation_id,
            channel=handover.channel,
            conversation=new.conversation.pk,
        )
    return new


@transaction.atomic
def set_reply_text(
    user: User, organisation: Organisation, *, channel: str, variant: str, text: str
) -> ReplyText | None:
    """Store the organisation's wording; an empty text returns to the built-in default."""
    existing = (
        ReplyText.objects.select_for_update()
        .filter(organisation=organisation, channel=channel, variant=variant)
        .first()
    )
    if not text:
        if existing is None:
            return None
        existing.delete()
        row = None
    elif existing is None:
        row = ReplyText.objects.create(
            organisation=organisation,
            channel=channel,
            variant=variant,
            text=text,
            updated_by=user,
        )
    else:
        if existing.text == text:
            return existing
        existing.text = text
        existing.updated_by = user
        existing.save(update_fields=["text", "updated_by", "updated_at"])
        row = existing
    audit.record(
        "handover.reply_text_changed",
        actor=user,
        target=row or organisation,
        organisation_id=organisation.pk,
        channel=channel,
        variant=variant,
        reset=row is None,
    )
    return row
