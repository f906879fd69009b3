"""The staff event socket: one per logged-in staff member, for realtime updates."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer

from hafen.accounts import access
from hafen.conversations import events
from hafen.conversations.events import team_group
from hafen.lib import db
from hafen.lib.realtime import user_group

MAX_FRAME_BYTES = 4096
CLOSE_UNAUTHORISED = 4401


class StaffEventsConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        allowed = await db.in_thread(self._may_connect)(user)
        if allowed is None:
            await self.close(code=CLOSE_UNAUTHORISED)
            return
        # The person's own events, and the inbox events of every team whose content the
        # person may see (need-to-know decided once, at connect; events carry no content).
        self.groups_joined = [user_group(user.pk)] + [team_group(t) for t in sorted(allowed)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        events.serving_loop(asyncio.get_running_loop())
        await self.accept()

    def _may_connect(self, user: Any) -> set[int] | None:
        """None if the person may not connect, else the teams whose inbox events to hear."""
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if not access.session_passes_two_factor(user, self.scope["session"]):
            return None
        return access.content_team_ids(user)

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        # Every frame is hostile until checked: only a small JSON ping is understood.
        if text_data is None or len(text_data.encode("utf-8", "replace")) > MAX_FRAME_BYTES:
            await self._error("frame_rejected")
            return
        try:
            frame = json.loads(text_data)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
            await self._error("invalid_json")
            return
        if not isinstance(frame, dict) or frame.get("type") != "ping":
            await self._error("unknown_type")
            return
        await self.send(text_data=json.dumps({"type": "pong"}))

    async def staff_event(self, event: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps({"type": "event", "payload": event["payload"]}))

    async def _error(self, code: str) -> None:
        await self.send(text_data=json.dumps({"type": "error", "code": code}))
