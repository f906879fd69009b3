"""Every write to conversations: the change, its audit entry, its after-commit event.

A message is committed before anybody is told of it (the acknowledgement to the
sender included); its sequence number is taken under a row lock on the
conversation, so the order is the same for everybody; a repeated client-made id
returns the stored message instead of a second one (retries, double clicks).

Audit: every staff read and change, and the client's start, return, export and
deletion. A client's single messages are not audited one by one: the message is
its own record, and the log must never become a second copy of the conversation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from hafen.accounts.models import Team, User
from hafen.conversations import codes, events, hours
from hafen.conversations.attachments import CONTEXT as ATTACHMENT_CONTEXT
from hafen.conversations.attachments import CheckedFile
from hafen.conversations.models import (
    Attachment,
    Conversation,
    DoorSettings,
    Message,
    Note,
    Origin,
    Sender,
    State,
)
from hafen.privacy import audit, crypto
from hafen.privacy.consent import actions as consent_actions
from hafen.privacy.retention.models import DeletionCause, DeletionLog, RetentionKind
from hafen.push import actions as push_actions

AWAY_REPLY_EVERY = timedelta(hours=12)
MAX_PASSPHRASE = 200


class ConversationGone(Exception):
    """The conversation was deleted (or never existed) while somebody wrote to it."""


@dataclass(frozen=True)
class NewConversation:
    conversation: Conversation
    code: str  # shown once to the client, never stored


@dataclass(frozen=True)
class Posted:
    message: Message
    created: bool  # False: the same client-made id was sent before


def _organisation_id(team: Team) -> int:
    return team.facility.organisation_id


@transaction.atomic
def start_conversation(
    team: Team,
    *,
    passphrase: str = "",
    language: str = "",
    origin: str = Origin.DOOR,
    notice_number: int | None = None,
) -> NewConversation:
    """A new anonymous conversation with a pseudonym and a return code.

    It records the version of the privacy notice it was started under: the one the
    page showed (``notice_number``), or the current one.
    """
    now = timezone.now()
    for _attempt in range(5):
        code = codes.new_code()
        digest = codes.code_hash(code)
        if not Conversation.objects.filter(code_hash=digest).exists():
            break
    conversation = Conversation.objects.create(
        team=team,
        data_key=crypto.create_data_key("conversation"),
        pseudonym=codes.new_pseudonym(),
        code_hash=digest,
        passphrase_hash=make_password(passphrase) if passphrase else "",
        origin=origin,
        language=language[:10],
        last_activity_at=now,
    )
    audit.record(
        "conversation.started",
        target=conversation,
        organisation_id=_organisation_id(team),
        team=team.pk,
        origin=origin,
    )
    consent_actions.record_door_notice(conversation, notice_number)
    events.conversation_changed(conversation.pk, team.pk, kind="state")
    return NewConversation(conversation, code)


# A hash to compare against when the code is unknown, so that a wrong code and a
# wrong passphrase take the same time.
_DUMMY_HASH: list[str] = []


def find_by_code(raw_code: str, passphrase: str = "") -> Conversation | None:
    """The conversation for a return code (and passphrase, if it has one), or None.

    None says nothing about which part was wrong or whether a conversation exists.
    """
    code = codes.normalise(raw_code)
    conversation = (
        Conversation.objects.select_related("team").filter(code_hash=codes.code_hash(code)).first()
        if code
        else None
    )
    passphrase = passphrase[:MAX_PASSPHRASE]
    if conversation is None or not conversation.passphrase_hash:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(make_password("hafen-dummy-passphrase"))
        check_password(passphrase or "-", _DUMMY_HASH[0])
        if conversation is not None and not passphrase:
            return conversation
        return None
    if not check_password(passphrase, conversation.passphrase_hash):
        return None
    return conversation


@transaction.atomic
def record_return(conversation: Conversation) -> None:
    audit.record(
        "conversation.client_returned",
        target=conversation,
        organisation_id=conversation.organisation_id,
    )


def _lock(conversation_id: int) -> Conversation:
    try:
        return (
            # of=("self",): lock the conversation row only, not the joined team and
            # facility rows, which every conversation of the team shares.
            Conversation.objects.select_for_update(of=("self",))
            .select_related("data_key", "team__facility", "team__door")
            .get(pk=conversation_id)
        )
    except Conversation.DoesNotExist:
        raise ConversationGone from None


def _existing(conversation: Conversation, sender: str, client_msg_id: str) -> Message | None:
    if not client_msg_id:
        return None
    return (
        Message.objects.filter(
            conversation=conversation, sender=sender, client_msg_id=client_msg_id
        )
        .select_related("conversation__data_key")
        .first()
    )


def _append(
    conversation: Conversation,
    *,
    sender: str,
    body: str,
    client_msg_id: str = "",
    author: User | None = None,
) -> Message:
    conversation.last_seq += 1
    message = Message(
        conversation=conversation,
        seq=conversation.last_seq,
        sender=sender,
        author=author,
        client_msg_id=client_msg_id,
    )
    message.body = body
    message.save(force_insert=True)
    return message


def post_client_message(
    conversation_id: int, body: str, client_msg_id: str, *, in_event: bool = True
) -> Posted:
    """Store a client's message (once per client-made id) and answer outside office hours.

    ``body`` and ``client_msg_id`` must already be checked (``validation``). ``in_event``:
    the sealed message rides in the event (not when an attachment is still to come).
    """
    try:
        with transaction.atomic():
            conversation = _lock(conversation_id)
            message = _append_once(conversation, Sender.CLIENT, body, client_msg_id)
            if message is None:
                existing = _existing(conversation, Sender.CLIENT, client_msg_id)
                assert existing is not None  # the unique constraint said it exists
                return Posted(existing, created=False)
            now = message.created_at
            conversation.last_activity_at = now
            if conversation.state in (State.WAITING, State.CLOSED):
                conversation.state = State.OPEN
            fields = ["last_seq", "last_activity_at", "state"]
            new = [message]
            if _away_reply_due(conversation, now):
                new.append(
                    _append(conversation, sender=Sender.SYSTEM, body=away_text(conversation))
                )
                conversation.last_away_reply_at = now
                fields.append("last_away_reply_at")
            conversation.save(update_fields=fields)
            events.conversation_changed(
                conversation.pk,
                conversation.team_id,
                kind="message",
                marks=events.marks_of(conversation),
                messages=[events.sealed_message(m) for m in new] if in_event else None,
            )
            return Posted(message, created=True)
    except IntegrityError:
        # Two sockets of the same client raced with the same id: the other one won.
        conversation = Conversation.objects.select_related("data_key").get(pk=conversation_id)
        existing = _existing(conversation, Sender.CLIENT, client_msg_id)
        if existing is None:
            raise
        return Posted(existing, created=False)


def _append_once(
    conversation: Conversation, sender: str, body: str, client_msg_id: str
) -> Message | None:
    """The new message, or None if this client-made id was stored before (a retry).

    The unique constraint decides, inside a savepoint: cheaper than asking first on
    every message, and right also when two sockets race.
    """
    try:
        with transaction.atomic():
            return _append(conversation, sender=sender, body=body, client_msg_id=client_msg_id)
    except IntegrityError:
        conversation.last_seq -= 1
        return None


def _door(conversation: Conversation) -> DoorSettings:
    """The team's door settings, joined by ``_lock`` where they exist already."""
    try:
        return conversation.team.door
    except DoorSettings.DoesNotExist:
        return hours.door_of(conversation.team_id)


def _away_reply_due(conversation: Conversation, now: datetime) -> bool:
    door = _door(conversation)
    if hours.is_open_at(door, now):
        return False
    last = conversation.last_away_reply_at
    return last is None or now - last >= AWAY_REPLY_EVERY


def away_text(conversation: Conversation) -> str:
    """The automatic answer outside office hours, in the client's language."""
    door = hours.door_of(conversation.team_id)
    with override(conversation.language or None):
        if door.away_text.strip():
            lines = [door.away_text.strip()]
        else:
            opening = hours.next_opening(door)
            if opening is not None:
                lines = [
                    _(
                        "Thank you for your message. The team is not here right now and "
                        "will answer from %(when)s."
                    )
                    % {"when": opening.strftime("%d.%m. %H:%M")}
                ]
            else:
                lines = [_("Thank you for your message. The team will answer as soon as it can.")]
        numbers = door.emergency_numbers or []
        if numbers:
            lines.append(_("If you need help now, you can call free of charge:"))
            for entry in numbers:
                lines.append(
                    f"• {entry.get('name', '')}: {entry.get('number', '')} "
                    f"({entry.get('hours', '')})"
                )
    return "\n".join(lines)


def post_staff_message(
    user: User, conversation_id: int, body: str, client_msg_id: str = "", *, in_event: bool = True
) -> Posted:
    """A counsellor's answer; the caller has checked ``access.may_see``.

    ``in_event`` as for ``post_client_message``.
    """
    try:
        with transaction.atomic():
            conversation = _lock(conversation_id)
            existing = _existing(conversation, Sender.STAFF, client_msg_id)
            if existing is not None:
                return Posted(existing, created=False)
            message = _append(
                conversation,
                sender=Sender.STAFF,
                body=body,
                client_msg_id=client_msg_id,
                author=user,
            )
            conversation.last_activity_at = message.created_at
            conversation.state = State.WAITING
            # Writing an answer means the team has read everything before it.
            conversation.team_read_seq = conversation.last_seq
            conversation.team_delivered_seq = conversation.last_seq
            fields = [
                "last_seq",
                "last_activity_at",
                "state",
                "team_read_seq",
                "team_delivered_seq",
            ]
            if conversation.first_answer_at is None:
                conversation.first_answer_at = message.created_at
                fields.append("first_answer_at")
            if conversation.assigned_to_id is None:
                conversation.assigned_to = user
                fields.append("assigned_to")
            conversation.save(update_fields=fields)
            audit.record(
                "conversation.answered",
                actor=user,
                target=conversation,
                organisation_id=conversation.organisation_id,
                seq=message.seq,
            )
            events.conversation_changed(
                conversation.pk,
                conversation.team_id,
                kind="message",
                marks=events.marks_of(conversation),
                messages=[events.sealed_message(message)] if in_event else None,
            )
            transaction.on_commit(lambda: push_actions.notify_client(conversation_id), robust=True)
            return Posted(message, created=True)
    except IntegrityError:
        conversation = Conversation.objects.select_related("data_key").get(pk=conversation_id)
        existing = _existing(conversation, Sender.STAFF, client_msg_id)
        if existing is None:
            raise
        return Posted(existing, created=False)


def mark_seen(conversation_id: int, *, side: str, delivered: int, read: int = 0) -> bool:
    """Move a side's delivered/read marks forward (never back); True if anything moved.

    ``side``: "client" or "team". Marks are capped at the conversation's last message.
    One conditional UPDATE: it runs after nearly every delivered message, and two
    sockets racing can only move a mark to the larger of their numbers.
    """
    delivered_field, read_field = f"{side}_delivered_seq", f"{side}_read_seq"
    delivered = max(delivered, read)
    new_delivered = Least(Greatest(F(delivered_field), Value(delivered)), F("last_seq"))
    new_read = Least(Greatest(F(read_field), Value(read)), F("last_seq"))
    moved = (
        Conversation.objects.filter(pk=conversation_id)
        .filter(
            Q(**{f"{delivered_field}__lt": Least(Value(delivered), F("last_seq"))})
            | Q(**{f"{read_field}__lt": Least(Value(read), F("last_seq"))})
        )
        .update(**{delivered_field: new_delivered, read_field: new_read})
    )
    row = (
        Conversation.objects.filter(pk=conversation_id)
        .values("team_id", *events.MARK_FIELDS)
        .first()
    )
    if row is None:
        raise ConversationGone
    if not moved:
        return False
    team_id = row.pop("team_id")
    # The inbox lists unread counts of the team's side only: a client's receipt is
    # no news for them.
    events.conversation_changed(
        conversation_id, team_id, kind="receipt", marks=row, tell_team=side == "team"
    )
    return True


@transaction.atomic
def record_staff_read(user: User, conversation: Conversation) -> None:
    """A counsellor opened the conversation: audited (who read which record, not what)."""
    audit.record(
        "conversation.read",
        actor=user,
        target=conversation,
        organisation_id=conversation.organisation_id,
    )


def erase_conversation(conversation: Conversation) -> None:
    """Erase a conversation for good: shred its key, delete it with messages, notes and
    attachments, remove its files after commit and tell an inbox that shows it.

    The one way a conversation is deleted (client self-service, retention, a
    data-subject request). The caller holds the transaction and writes the proof
    (the audit entry and the ``DeletionLog`` row) in it.
    """
    conversation_id, team_id = conversation.pk, conversation.team_id
    storage_names = list(
        Message.objects.filter(conversation=conversation, attachment__isnull=False).values_list(
            "attachment__storage_name", flat=True
        )
    )
    crypto.shred(conversation.data_key)
    conversation.delete()
    _remove_files_after_commit(storage_names)
    # An inbox that shows it drops it (sent after commit).
    events.conversation_changed(conversation_id, team_id, kind="deleted")


@transaction.atomic
def delete_by_client(conversation_id: int) -> None:
    """The client deletes the own conversation (Art. 17 DSGVO, self-service): the data key
    is shredded, the rows removed, and the deletion logged for replay after a restore."""
    conversation = _lock(conversation_id)
    organisation_id = conversation.organisation_id
    audit.record(
        "conversation.deleted_by_client",
        target=conversation,
        organisation_id=organisation_id,
        messages=conversation.last_seq,
    )
    DeletionLog.objects.create(
        kind=RetentionKind.CONVERSATION,
        record_id=str(conversation.pk),
        organisation_id=organisation_id,
        data_key_id=conversation.data_key_id,
        cause=DeletionCause.CLIENT,
        legal_basis="Art. 17 DSGVO",
        deleted_at=timezone.now(),
    )
    erase_conversation(conversation)


def _remove_files_after_commit(names: list[str]) -> None:
    def remove() -> None:
        for name in names:
            if name:
                default_storage.delete(name)

    transaction.on_commit(remove)


@transaction.atomic
def add_note(user: User, conversation: Conversation, body: str) -> Note:
    note = Note(conversation=conversation, author=user)
    note.body = body
    note.save(force_insert=True)
    audit.record(
        "conversation.note_added",
        actor=user,
        target=conversation,
        organisation_id=conversation.organisation_id,
    )
    events.conversation_changed(conversation.pk, conversation.team_id, kind="state")
    return note


# Attachments. The file is checked beforehand (attachments.check_upload); these
# imports sit here because this part was appended to a file in use by other work.
def post_client_attachment(
    conversation_id: int, upload: CheckedFile, body: str, client_msg_id: str
) -> Posted:
    """A client's message with a photo or PDF (``body`` may be empty); once per client id."""
    return _post_with_attachment(
        conversation_id,
        Sender.CLIENT,
        client_msg_id,
        upload,
        lambda: post_client_message(conversation_id, body, client_msg_id, in_event=False),
    )


def post_staff_attachment(
    user: User, conversation_id: int, upload: CheckedFile, body: str, client_msg_id: str = ""
) -> Posted:
    """A counsellor's answer with a file; the caller has checked ``access.may_see``."""
    return _post_with_attachment(
        conversation_id,
        Sender.STAFF,
        client_msg_id,
        upload,
        lambda: post_staff_message(user, conversation_id, body, client_msg_id, in_event=False),
    )


def _post_with_attachment(
    conversation_id: int,
    sender: str,
    client_msg_id: str,
    upload: CheckedFile,
    post: Callable[[], Posted],
) -> Posted:
    """The message through ``post`` (order, states, away reply, audit, event) plus its file.

    The encrypted file is written before the row lock is taken, so that a large file
    does not hold up the conversation; whenever the message is not stored after all
    (a retry of a stored one, the conversation deleted meanwhile, any error), the file
    is removed again. ``post`` runs inside the outer transaction here, so the message,
    its attachment and the event after commit are one unit.
    """
    conversation = (
        Conversation.objects.select_related("data_key").filter(pk=conversation_id).first()
    )
    if conversation is None:
        raise ConversationGone
    existing = _existing(conversation, sender, client_msg_id)
    if existing is not None:
        return Posted(existing, created=False)  # a retry: the file is not stored twice
    try:
        storage_name = crypto.save_encrypted_file(
            conversation.data_key, upload.data, context=ATTACHMENT_CONTEXT
        )
    except crypto.ContentShredded:
        raise ConversationGone from None
    try:
        with transaction.atomic():
            posted = post()
            if posted.created:
                attachment = Attachment(
                    message=posted.message,
                    content_type=upload.content_type,
                    size=upload.size,
                    storage_name=storage_name,
                )
                attachment.name = upload.name
                attachment.save(force_insert=True)
    except BaseException:
        default_storage.delete(storage_name)
        raise
    if not posted.created:
        default_storage.delete(storage_name)
    return posted


@transaction.atomic
def record_attachment_download(user: User, conversation: Conversation, seq: int) -> None:
    """A counsellor downloaded a file of the conversation: who and which message, no content."""
    audit.record(
        "conversation.attachment_downloaded",
        actor=user,
        target=conversation,
        organisation_id=conversation.organisation_id,
        seq=seq,
    )
