"""Debian's chromium as the browser tests and bench/weight.py start it (no Django here).

Playwright must not fetch a browser of its own; the background-networking flags keep
chromium from calling home (outbound connections are refused in closed networks).
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
