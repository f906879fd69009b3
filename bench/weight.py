"""What a client's phone downloads: the client door's first visit, and the chat page.

    .venv/bin/python bench/weight.py
    .venv/bin/python bench/weight.py --limit-kb 30     # exit 1 when the door is heavier

Starts its own Hafen in production mode (``HAFEN_PRODUCTION=1``: collectstatic with
WhiteNoise's compressed, hashed files; secrets from the environment, made up here) with
``hafen run --no-worker`` on a fresh data folder with the demo organisation, on a free
loopback port (plain HTTP there: no TLS redirect, as behind a reverse proxy).

Debian's chromium then opens the door of Jugendberatung as a first visit (a new browser
context: empty cache, no cookies) and prints every request: address, resource type,
status, bytes on the wire (response headers plus the body as transferred, that is
compressed where it was), the body's size unpacked, and its Content-Encoding; then the
total, and every request that went to another host (the issue's limit: at most 30 KB
compressed transfer, and no other host). Then the client starts a conversation (the
consent box and the button) and the same table is printed for the chat page it lands
on, with the door's files already in the cache.

HTML is sent uncompressed on purpose (see ``hafen/settings.py``, "Compression"): only
static files, which hold no secrets, are compressed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hafen.lib.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 - this checkout's hafen

TEAM = "jugendberatung"
START_TIMEOUT = 60.0


@dataclass
class Fetched:
    url: str
    kind: str
    status: int
    wire: int  # response headers + body as transferred
    body: int  # the body unpacked
    encoding: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def embedded_env(data_dir: Path) -> dict[str, str]:
    """The embedded mode, for migrating and the demo data (refused in production mode)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        and not key.startswith("HAFEN_")
    }
    env.update(
        {
            "HAFEN_DATA_DIR": str(data_dir),
            "HAFEN_ALLOWED_HOSTS": "127.0.0.1",
            # Plain HTTP on loopback: TLS would be the reverse proxy's.
            "HAFEN_SSL_REDIRECT": "0",
            "HAFEN_BEHIND_PROXY": "0",
            "HAFEN_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "hafen.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def production_env(data_dir: Path) -> dict[str, str]:
    """Production mode on the same data: the secrets the embedded mode made, as variables."""
    return {
        **embedded_env(data_dir),
        "HAFEN_PRODUCTION": "1",
        "HAFEN_SECRET_KEY": (data_dir / "secret.key").read_text().strip(),
        "HAFEN_MASTER_KEYS": (data_dir / "master.keys").read_text().strip(),
    }


def hafen(env: dict[str, str], *arguments: str) -> None:
    subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "hafen.cli", *arguments],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "hafen.cli", "run", "--no-worker", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"hafen run did not start:\n{log.read_text()[-3000:]}") from None
            time.sleep(0.1)


def record(page: Page, into: list[Fetched]) -> None:
    """Every finished request of ``page`` lands in ``into``, with its sizes."""

    def finished(request: Request) -> None:
        response = request.response()
        if response is None:
            return
        sizes = request.sizes()
        headers = response.headers
        into.append(
            Fetched(
                url=request.url,
                kind=request.resource_type,
                status=response.status,
                wire=sizes["responseHeadersSize"] + sizes["responseBodySize"],
                body=len(response.body()) if response.status < 300 else 0,
                encoding=headers.get("content-encoding", "-"),
            )
        )

    page.on("requestfinished", finished)


def show(title: str, fetched: list[Fetched], host: str) -> tuple[int, list[str]]:
    print(f"\n{title}")
    print(f"  {'type':<11}{'status':>6}{'wire B':>9}{'body B':>9}  {'encoding':<9} address")
    for item in fetched:
        print(
            f"  {item.kind:<11}{item.status:>6}{item.wire:>9}{item.body:>9}  "
            f"{item.encoding:<9} {item.url}"
        )
    total = sum(item.wire for item in fetched)
    foreign = [item.url for item in fetched if urlsplit(item.url).netloc != host]
    print(f"  total on the wire: {total} B ({total / 1024:.1f} KB) in {len(fetched)} requests")
    print(f"  requests to other hosts: {foreign or 'none'}")
    return total, foreign


def measure(origin: str) -> tuple[int, list[str]]:
    from playwright.sync_api import sync_playwright

    host = urlsplit(origin).netloc
    with sync_playwright() as playwright:
        # Debian's chromium, kept from calling home (as in hafen/browser_fixtures.py).
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        # A phone, as clients use the door; a new context has an empty cache.
        context = browser.new_context(
            locale="de-DE", viewport={"width": 360, "height": 640}, is_mobile=True
        )
        page = context.new_page()
        # Every request, also one that fails (another host would, in a closed network);
        # no routing here: Playwright's routing would switch the browser's cache off.
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url))
        seen: list[Fetched] = []
        record(page, seen)
        page.goto(f"{origin}/k/{TEAM}/", wait_until="networkidle")
        page.wait_for_timeout(500)  # the favicon comes after the load
        door = list(seen)
        total, foreign = show("The door, first visit (empty cache):", door, host)
        foreign += [url for url in asked if urlsplit(url).netloc != host and url not in foreign]

        page.check("input[name=agree]")
        with page.expect_navigation():
            page.click("form[action$='/start/'] button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
        show(
            "Starting a conversation and the chat page (the door's files cached):",
            seen[len(door) :],
            host,
        )
        context.close()
        browser.close()
    return total, foreign


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit-kb", type=float, default=30.0)
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="hafen-weight-"))
    server = None
    try:
        hafen(embedded_env(data_dir), "migrate")
        hafen(embedded_env(data_dir), "demo")
        env = production_env(data_dir)
        port = free_port()
        server = start_server(env, port, data_dir / "server.log")
        total, foreign = measure(f"http://127.0.0.1:{port}")
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        if args.keep:
            print(f"data folder kept: {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    within = total <= args.limit_kb * 1024 and not foreign
    print(
        f"\nthe door's first load: {total / 1024:.1f} KB of at most {args.limit_kb:g} KB, "
        f"{'no other host' if not foreign else 'OTHER HOSTS'}: {'ok' if within else 'OVER'}"
    )
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
