"""The staff event socket: one per logged-in staff member, for realtime updates."""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from hafen.accounts import access
from hafen.lib.realtime import user_group

MAX_FRAME_BYTES = 4096
CLOSE_UNAUTHORISED = 4401


class StaffEventsConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        allowed = await database_sync_to_async(self._may_connect)(user)
        if not allowed:
            await self.close(code=CLOSE_UNAUTHORISED)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    def _may_connect(self, user: Any) -> bool:
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        return access.session_passes_two_factor(user, self.scope["session"])

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        # Every frame is hostile until checked: only a small JSON ping is understood.
        if text_data is None or len(text_data.encode("utf-8", "replace")) > MAX_FRAME_BYTES:
            await self._error("frame_rejected")
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
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
