"""The in-process channel layer of the embedded default, with a cheaper expiry sweep.

Channels' InMemoryChannelLayer scans every channel and group for expired entries on
every send and receive; with a thousand sockets that scan is most of the event loop's
work. Expired entries only need to go eventually: sweep at most once a second.
"""

from __future__ import annotations

import time

from channels.layers import InMemoryChannelLayer

SWEEP_EVERY_SECONDS = 1.0


class LocalChannelLayer(InMemoryChannelLayer):
    _last_sweep = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._last_sweep < SWEEP_EVERY_SECONDS:
            return
        self._last_sweep = now
        super()._clean_expired()
