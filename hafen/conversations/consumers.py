"""The conversation websocket, for the client at the door and for staff in the inbox.

Protocol (JSON text frames; every frame is hostile until checked):

    → {"type": "hello", "after": 12}                     resume after the last seen seq
    → {"type": "send", "id": "<client-made id>", "body": "..."}
    → {"type": "seen", "delivered": 14, "read": 14}       receipts of the other side's messages
    → {"type": "ping"}
    ← {"type": "message", "seq": 13, "sender": "staff", "own": false, "body": "...", ...}
    ← {"type": "ack", "id": "...", "seq": 15, "duplicate": false}   only after commit
    ← {"type": "receipts", "delivered": 14, "read": 13}    the other side's marks
    ← {"type": "error", "code": "too_long", "message": "...", "id": "..."}
    ← {"type": "error", "code": "unavailable", "message": "...", "id": "..."}   not stored
    ← {"type": "deleted"}                                 then the socket closes
    ← {"type": "pong"}

Messages reach a socket in sequence order: straight from a "changed" event that
carries them sealed, when they follow the socket's cursor without a gap (decrypted
with the key the socket holds), and otherwise by reading the database — after a
hello, a gap, or an event without messages. So a socket that missed an event (a
dropped connection, a restarted server, a Redis hiccup) catches up with the next one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.core.exceptions import ValidationError
from django.db import Error as DatabaseError
from django.utils import translation
from django.utils.translation import gettext as _

from hafen.accounts import access as staff_access
from hafen.conversations import access, actions, events, queries, validation
from hafen.conversations.models import Conversation
from hafen.lib import db
from hafen.privacy.crypto import CryptoError

logger = logging.getLogger(__name__)

MAX_FRAME_CHARS = 32 * 1024
SENDS_PER_WINDOW = 30
WINDOW_SECONDS = 10.0
CLOSE_UNAUTHORISED = 4401
CLOSE_GONE = 4404
ACCESS_RECHECK_SECONDS = 10.0


class ConversationConsumer(AsyncWebsocketConsumer):
    """Shared by both sides; ``side`` is "client" or "team"."""

    side = "client"
    conversation_id: int
    language = "de"

    async def connect(self) -> None:
        conversation_id = await db.in_thread(self.authorise)()
        if conversation_id is None:
            await self.close(code=CLOSE_UNAUTHORISED)
            return
        self.conversation_id = conversation_id
        self.cursor = 0
        self.greeted = False
        # Set by every database read: the conversation with its data key, so that
        # messages arriving sealed in events can be opened without a query.
        self.conversation: Conversation | None = None
        events.serving_loop(asyncio.get_running_loop())
        self.sends: list[float] = []
        self.group = events.conversation_group(conversation_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    def authorise(self) -> int | None:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def viewer(self) -> str:
        return "client" if self.side == "client" else "staff"

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    # -- frames from the socket ---------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None or len(text_data) > MAX_FRAME_CHARS:
            await self.error("frame_rejected")
            return
        try:
            frame = json.loads(text_data)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
            await self.error("invalid_json")
            return
        if not isinstance(frame, dict):
            await self.error("unknown_type")
            return
        kind = frame.get("type")
        handler = {
            "hello": self.on_hello,
            "send": self.on_send,
            "seen": self.on_seen,
            "ping": self.on_ping,
        }.get(kind if isinstance(kind, str) else "")  # a list or dict is no key: no crash
        if handler is None:
            await self.error("unknown_type")
            return
        await handler(frame)

    async def on_ping(self, frame: dict[str, Any]) -> None:
        # The page pings every 30 s: catch up on anything whose event was lost (a
        # channel layer that dropped it under load), then answer.
        if self.greeted:
            await self.deliver(recheck_access=False)
        await self.send(text_data=json.dumps({"type": "pong"}))

    async def on_hello(self, frame: dict[str, Any]) -> None:
        after = frame.get("after", 0)
        if not validation.is_seq(after):
            await self.error("invalid_frame")
            return
        self.cursor = after
        self.greeted = True
        await self.deliver()

    async def on_send(self, frame: dict[str, Any]) -> None:
        raw_id = frame.get("id")
        now = time.monotonic()
        self.sends = [at for at in self.sends if now - at < WINDOW_SECONDS]
        if len(self.sends) >= SENDS_PER_WINDOW:
            await self.error("too_fast", message_id=raw_id)
            return
        try:
            client_msg_id = validation.clean_client_msg_id(raw_id)
            with translation.override(self.language):
                body = validation.clean_body(frame.get("body"))
        except ValidationError as error:
            await self.error(error.code or "invalid", message_id=raw_id, text=error.messages[0])
            return
        self.sends.append(now)
        try:
            posted = await db.in_thread(self.post)(body, client_msg_id)
        except actions.ConversationGone:
            await self.send(text_data=json.dumps({"type": "deleted"}))
            await self.close(code=CLOSE_GONE)
            return
        except DatabaseError as error:
            # Not stored: the database is full, read-only, restarting or away. The
            # transaction was rolled back whole, nothing is acknowledged, and the page
            # keeps the message and sends it again later under the same id.
            logger.warning("A message could not be stored: %r", error)
            await self.error("unavailable", message_id=client_msg_id)
            return
        # The ack goes out only now: the message is committed.
        await self.send(
            text_data=json.dumps(
                {
                    "type": "ack",
                    "id": client_msg_id,
                    "seq": posted.message.seq,
                    "duplicate": not posted.created,
                }
            )
        )

    def post(self, body: str, client_msg_id: str) -> actions.Posted:  # pragma: no cover
        raise NotImplementedError

    async def on_seen(self, frame: dict[str, Any]) -> None:
        delivered, read = frame.get("delivered", 0), frame.get("read", 0)
        if not (validation.is_seq(delivered) and validation.is_seq(read)):
            await self.error("invalid_frame")
            return
        try:
            await db.in_thread(actions.mark_seen)(
                self.conversation_id, side=self.side, delivered=delivered, read=read
            )
        except actions.ConversationGone:
            await self.gone()

    # -- events from the channel layer --------------------------------------------------

    async def conversation_changed(self, event: dict[str, Any]) -> None:
        kind = event.get("kind")
        if kind == "deleted":
            await self.gone()
            return
        if not self.greeted:
            return
        marks = event.get("marks")
        if kind == "receipt" and isinstance(marks, dict):
            # Receipts carry their numbers (no content): nothing to read back.
            await self.send(text_data=json.dumps({"type": "receipts", **self.other_side(marks)}))
            return
        sealed = event.get("messages")
        if kind == "message" and isinstance(sealed, list) and self.may_deliver_sealed(sealed):
            await self.deliver_sealed(sealed, marks if isinstance(marks, dict) else None)
            return
        await self.deliver(recheck_access=kind == "state")

    def may_deliver_sealed(self, sealed: list[dict[str, Any]]) -> bool:
        """The event's messages follow the cursor without a gap, and the key is here."""
        return (
            self.conversation is not None
            and bool(sealed)
            and sealed[0].get("seq") == self.cursor + 1
            and not self.access_check_due()
        )

    def access_check_due(self) -> bool:
        return False

    async def deliver_sealed(
        self, sealed: list[dict[str, Any]], marks: dict[str, int] | None
    ) -> None:
        assert self.conversation is not None
        try:
            frames = [
                {
                    "type": "message",
                    **queries.sealed_payload(self.conversation, m, viewer=self.viewer),
                }
                for m in sealed
            ]
            if marks is not None:
                # The marks as of this message (an answer means the team read all before).
                frames.append({"type": "receipts", **self.other_side(marks)})
        except CryptoError:
            # The key was destroyed (the conversation deleted) or the event is not ours:
            # the database has the last word.
            await self.deliver()
            return
        for frame in frames:
            await self.send(text_data=json.dumps(frame))
        self.cursor = sealed[-1]["seq"]

    def other_side(self, marks: dict[str, int]) -> dict[str, int]:
        other = "team" if self.side == "client" else "client"
        return {
            "delivered": marks.get(f"{other}_delivered_seq", 0),
            "read": marks.get(f"{other}_read_seq", 0),
        }

    async def deliver(self, *, recheck_access: bool = True) -> None:
        """Send every message after the cursor, then the other side's receipts."""
        batch = await db.in_thread(self.load)(self.cursor, recheck_access)
        if batch is None:
            await self.gone()
            return
        frames, cursor = batch
        for frame in frames:
            await self.send(text_data=json.dumps(frame))
        self.cursor = cursor

    def may_still_read(self, conversation: Conversation, recheck: bool) -> bool:
        """Asked before every delivery: access can end while a socket stays open."""
        return True

    def load(
        self, after: int, recheck_access: bool = True
    ) -> tuple[list[dict[str, Any]], int] | None:
        # One query for the new messages with their conversation (key and receipt
        # marks); the conversation alone only when nothing is new.
        messages = queries.messages_with_conversation(self.conversation_id, after)
        conversation = (
            messages[0].conversation
            if messages
            else Conversation.objects.select_related("data_key")
            .filter(pk=self.conversation_id)
            .first()
        )
        if conversation is None or not self.may_still_read(conversation, recheck_access):
            return None
        self.conversation = conversation
        frames: list[dict[str, Any]] = []
        cursor = after
        while messages:
            for message in messages:
                frames.append(
                    {
                        "type": "message",
                        **queries.message_payload(conversation, message, viewer=self.viewer),
                    }
                )
            cursor = messages[-1].seq
            if len(messages) < queries.PAGE:
                break
            messages = queries.messages_with_conversation(self.conversation_id, cursor)
        frames.append({"type": "receipts", **queries.receipts(conversation, viewer=self.viewer)})
        return frames, cursor

    async def gone(self) -> None:
        await self.send(text_data=json.dumps({"type": "deleted"}))
        await self.close(code=CLOSE_GONE)

    async def error(self, code: str, *, message_id: object = None, text: str = "") -> None:
        if not text:
            with translation.override(self.language):
                text = {
                    "too_fast": _("You are writing very fast. Please wait a moment."),
                    "frame_rejected": _("This could not be sent."),
                    "unavailable": _(
                        "Your message could not be saved just now. It is kept and sent "
                        "again in a moment."
                    ),
                }.get(code, _("This could not be understood."))
        frame: dict[str, Any] = {"type": "error", "code": code, "message": text}
        if isinstance(message_id, str) and len(message_id) <= 64:
            frame["id"] = message_id
        await self.send(text_data=json.dumps(frame))


class ClientConsumer(ConversationConsumer):
    """The client's socket: the conversation is the one in the client's session."""

    side = "client"

    def authorise(self) -> int | None:
        conversation = access.client_conversation(self.scope["session"])
        if conversation is None:
            return None
        self.language = conversation.language or "de"
        return conversation.pk

    def post(self, body: str, client_msg_id: str) -> actions.Posted:
        return actions.post_client_message(self.conversation_id, body, client_msg_id)


class StaffConsumer(ConversationConsumer):
    """A counsellor's socket on one conversation: need-to-know checked at connect."""

    side = "team"

    def authorise(self) -> int | None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if not staff_access.session_passes_two_factor(user, self.scope["session"]):
            return None
        conversation_id = self.scope["url_route"]["kwargs"]["conversation_id"]
        if not access.may_access(user, conversation_id):
            return None
        self.user = user
        self.access_ok = True
        self.access_checked_at = time.monotonic()
        return int(conversation_id)

    def access_check_due(self) -> bool:
        return (
            not self.access_ok
            or time.monotonic() - self.access_checked_at >= ACCESS_RECHECK_SECONDS
        )

    def may_still_read(self, conversation: Conversation, recheck: bool) -> bool:
        # A transfer to another team, an ended assignment or break-glass: from then on
        # this socket hears nothing more and closes as if the conversation were gone.
        # Transfers and assignments send a "state" event and are checked at once; an
        # expiring break-glass or membership within ACCESS_RECHECK_SECONDS.
        now = time.monotonic()
        if recheck or now - self.access_checked_at >= ACCESS_RECHECK_SECONDS:
            self.access_ok = staff_access.may_see(self.user, conversation)
            self.access_checked_at = now
        return self.access_ok

    def post(self, body: str, client_msg_id: str) -> actions.Posted:
        # Access is checked again for every send: an assignment or break-glass may have ended.
        if not access.may_access(self.user, self.conversation_id):
            raise actions.ConversationGone
        return actions.post_staff_message(self.user, self.conversation_id, body, client_msg_id)
