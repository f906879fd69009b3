"""Real Hafen server processes for tests: started with `hafen run`, always stopped.

A test that needs what only separate processes show (two processes sharing Redis, a
server killed and started again) runs `hafen run --no-worker --no-migrate` in a
subprocess on a free loopback port, pointed at the test's own database, and talks to
it like a browser would: HTTP with a cookie jar and the CSRF token, websockets with
the session cookie and an Origin header.

The servers must open the very database the test writes to:

- PostgreSQL: the test database pytest-django created (its name differs from the one
  in DATABASE_URL), passed to the servers as their DATABASE_URL.
- SQLite: the test database is a file (HAFEN_TEST_SQLITE_NAME, as run-tests.sh sets it)
  or in memory, which no other process can open; the servers look for their database
  in their data folder. Either way it is copied (empty, migrated) into the servers' data
  folder and this process is pointed at the copy for the duration of the test
  (``database_for_servers``).

Secrets come from this process's settings, so that a session made by one server is
valid on another and a message sealed here can be opened there.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections
from websockets.typing import Origin

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
HTTP_TIMEOUT = 10.0
SOCKET_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@dataclass
class Server:
    """One `hafen run` process on a loopback port."""

    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_base(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> Server:
        """Start the process and return once it accepts connections on its port."""
        self.launch()
        return self.wait_ready()

    def launch(self) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "hafen.cli",
                    "run",
                    "--no-worker",
                    "--no-migrate",
                    "--port",
                    str(self.port),
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def wait_ready(self) -> Server:
        assert self.process is not None, "not launched"
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.tail()}")
            if _port_open(self.port):
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server did not open port {self.port}:\n{self.tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing, like a crash or a power cut."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def server_env(data_dir: Path, database: dict[str, str], redis_url: str = "") -> dict[str, str]:
    """The environment of a server process: this test's database, secrets and layer."""
    env = {
        key: value
        for key, value in os.environ.items()
        # The servers decide these from what is passed here, not from the test's shell;
        # DJANGO_ALLOW_ASYNC_UNSAFE would hide real async-safety errors in a server.
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        {
            "HAFEN_DATA_DIR": str(data_dir),
            "HAFEN_ALLOWED_HOSTS": "127.0.0.1",
            "HAFEN_SECRET_KEY": settings.SECRET_KEY,
            "HAFEN_MASTER_KEYS": ",".join(settings.HAFEN_MASTER_KEYS),
            "HAFEN_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            **database,
        }
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


SERVER_APPLICATION_NAME = "hafen-test-server"


def _postgres_url(params: dict[str, object]) -> str:
    user = urllib.parse.quote(str(params.get("USER") or ""), safe="")
    password = urllib.parse.quote(str(params.get("PASSWORD") or ""), safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    # Named, so that a test can end the servers' connections and only theirs.
    return (
        f"postgres://{credentials}{host}:{port}/{params['NAME']}"
        f"?application_name={SERVER_APPLICATION_NAME}"
    )


@contextlib.contextmanager
def database_for_servers(data_dir: Path) -> Iterator[dict[str, str]]:
    """Environment entries that make servers open this test's database (see the top).

    Only for transactional tests: the servers must see committed rows, and
    pytest-django empties the database after the test, when the servers are gone.
    """
    params = connection.settings_dict
    if connection.vendor == "postgresql":
        yield {"DATABASE_URL": _postgres_url(params)}
        return
    assert connection.vendor == "sqlite", connection.vendor
    test_name = params["NAME"]
    copy = data_dir / "hafen.sqlite3"
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(copy)) as target:
        connection.connection.backup(target)
    # An in-memory database lives as long as one connection to it is open: hold one
    # while this process works on the copy, so the test database is still there after.
    in_memory = "mode=memory" in str(test_name) or str(test_name) == ":memory:"
    keeper = sqlite3.connect(str(test_name), uri=True) if in_memory else None
    # Django ignores close() on an in-memory database: switch the name first.
    params["NAME"] = str(copy)
    connection.close()
    try:
        yield {}
    finally:
        connection.close()
        params["NAME"] = test_name
        if keeper is not None:
            connection.ensure_connection()
            keeper.close()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 302 itself is the answer the caller looks at


class Browser:
    """A cookie jar plus Django's CSRF dance, over plain HTTP to one server."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.jar = http.cookiejar.CookieJar()
        # No proxy from the environment: everything stays on loopback.
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPCookieProcessor(self.jar),
            _NoRedirects(),
        )

    def cookie(self, name: str) -> str:
        for cookie in self.jar:
            if cookie.name == name and cookie.value is not None:
                return cookie.value
        return ""

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, Location header, body); redirects are not followed."""
        body = None
        if data is not None:
            data = {"csrfmiddlewaretoken": self.cookie("csrftoken"), **data}
            body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.server.origin + path, data=body)  # noqa: S310
        try:
            with self.opener.open(request, timeout=HTTP_TIMEOUT) as response:
                return response.status, "", response.read().decode()
        except urllib.error.HTTPError as error:
            location = error.headers.get("Location", "")
            return error.code, location, error.read().decode(errors="replace")

    def start_conversation(self, team_slug: str) -> str:
        """Open a new conversation at the team's door; returns the session cookie."""
        status, _, _ = self.request(f"/k/{team_slug}/")
        assert status == 200, (status, self.server.tail())
        status, location, _ = self.request(f"/k/{team_slug}/start/", {"agree": "on"})
        assert (status, location) == (302, "/gespraech/"), (status, self.server.tail())
        return self.cookie("sessionid")

    def log_in(self, username: str, password: str) -> str:
        """Log in through the real form; returns the session cookie."""
        status, _, _ = self.request("/konto/anmelden/")
        assert status == 200, (status, self.server.tail())
        status, location, _ = self.request(
            "/konto/anmelden/", {"username": username, "password": password}
        )
        assert status == 302 and "anmelden" not in location, (status, location, self.server.tail())
        return self.cookie("sessionid")


class Socket:
    """A websocket to a server as a browser opens it: session cookie and Origin header."""

    def __init__(self, server: Server, path: str, session_id: str, origin: str = "") -> None:
        from websockets.sync.client import connect

        self.received: list[dict[str, Any]] = []
        self._stack = contextlib.ExitStack()
        opening = connect(
            server.ws_base + path,
            origin=Origin(origin or server.origin),
            additional_headers={"Cookie": f"sessionid={session_id}"} if session_id else None,
            proxy=None,
            open_timeout=SOCKET_TIMEOUT,
            close_timeout=2,
            ping_interval=None,
        )
        self.ws = self._stack.enter_context(opening)

    def send(self, **frame: object) -> None:
        self.ws.send(json.dumps(frame))

    def receive(self, timeout: float = SOCKET_TIMEOUT) -> dict[str, Any]:
        frame = json.loads(self.ws.recv(timeout=timeout))
        self.received.append(frame)
        return frame

    def next(
        self,
        kind: str,
        where: Callable[[dict[str, Any]], bool] = lambda frame: True,
        timeout: float = SOCKET_TIMEOUT,
    ) -> dict[str, Any]:
        """The next frame of a kind (that also passes ``where``); others are kept."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                frame = self.receive(timeout=max(remaining, 0.01))
            except TimeoutError:
                raise AssertionError(
                    f"no {kind!r} frame within {timeout} s; received {self.received}"
                ) from None
            if frame.get("type") == kind and where(frame):
                return frame

    def until(self, kind: str, timeout: float = SOCKET_TIMEOUT) -> list[dict[str, Any]]:
        """Every frame before the next one of ``kind`` (which is not included)."""
        start = len(self.received)
        self.next(kind, timeout=timeout)
        return self.received[start:-1]

    def quiet(self, seconds: float) -> list[dict[str, Any]]:
        """Whatever arrives within ``seconds`` (an empty list if the socket stays quiet)."""
        start = len(self.received)
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                self.receive(timeout=remaining)
            except TimeoutError:
                break
        return self.received[start:]

    def drain(self) -> list[dict[str, Any]]:
        """Frames that had arrived before the server went away, until the socket closes."""
        from websockets.exceptions import ConnectionClosed

        start = len(self.received)
        with contextlib.suppress(ConnectionClosed, TimeoutError):
            while True:
                self.receive(timeout=SOCKET_TIMEOUT)
        return self.received[start:]

    def close(self) -> None:
        self._stack.close()


def redis_keys_forget(redis_url: str, pattern: str) -> None:
    """Delete the keys of one kind in a shared Redis (counters of earlier runs)."""
    import redis

    client = redis.Redis.from_url(redis_url, socket_connect_timeout=1)
    try:
        for key in client.scan_iter(match=pattern, count=500):
            client.delete(key)
    finally:
        client.close()


class Talker:
    """One side of a conversation as the page (door.js) talks: it keeps what it sent.

    Every message waits in an outbox under its client id until acknowledged; after a
    broken connection it reconnects, says hello after the last sequence number it
    has and sends the outbox again under the same ids, and after an "unavailable"
    error it sends it again a moment later. It records what the server promised (the
    acks) and what reached it (the message frames, in the order they came).
    """

    RETRY_SECONDS = 0.3
    TOO_FAST_SECONDS = 3.0

    def __init__(self, server: Server, path: str, session_id: str, ping_every: float = 0.0) -> None:
        self.server, self.path, self.session_id = server, path, session_id
        # The page pings every 30 s and catches up with whatever an event did not bring;
        # a test that waits for that may ping sooner.
        self.ping_every = ping_every
        self._ping_at = 0.0
        self.socket: Socket | None = None
        self.outbox: dict[str, str] = {}
        self.acked: dict[str, int] = {}  # client id → seq the server promised
        self.delivered: list[int] = []  # seqs of message frames, as they arrived
        self.bodies: dict[int, str] = {}
        self.refusals = 0  # "unavailable" errors
        self.reconnects = 0
        self._retry_at = 0.0

    @property
    def last_seq(self) -> int:
        return self.delivered[-1] if self.delivered else 0

    def connect(self) -> bool:
        """Open the socket if it is closed; False while the server cannot be reached."""
        if self.socket is not None:
            return True
        try:
            socket = Socket(self.server, self.path, self.session_id)
            socket.send(type="hello", after=self.last_seq)
            for client_id, body in self.outbox.items():
                socket.send(type="send", id=client_id, body=body)
        except Exception:
            return False
        self.socket = socket
        self.reconnects += 1
        return True

    def send(self, client_id: str, body: str) -> None:
        self.outbox[client_id] = body
        if self.socket is not None:
            try:
                self.socket.send(type="send", id=client_id, body=body)
            except Exception:
                self._lost()

    def _lost(self) -> None:
        if self.socket is not None:
            with contextlib.suppress(Exception):
                self.socket.close()
        self.socket = None

    def pump(self, seconds: float) -> None:
        """Read frames (reconnecting when the socket breaks) for about ``seconds``."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            if not self.connect():
                time.sleep(min(0.1, remaining))
                continue
            assert self.socket is not None
            if self.ping_every and time.monotonic() >= self._ping_at:
                self._ping_at = time.monotonic() + self.ping_every
                try:
                    self.socket.send(type="ping")
                except Exception:
                    self._lost()
                continue
            if self.outbox and self._retry_at and time.monotonic() >= self._retry_at:
                self._retry_at = 0.0
                for client_id, body in self.outbox.items():
                    self.send(client_id, body)
                continue
            try:
                frame = self.socket.receive(timeout=min(0.1, remaining))
            except TimeoutError:
                continue
            except Exception:
                self._lost()
                continue
            self.on_frame(frame)

    def on_frame(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "message":
            self.delivered.append(frame["seq"])
            self.bodies[frame["seq"]] = frame["body"]
        elif kind == "ack":
            self.outbox.pop(frame["id"], None)
            self.acked.setdefault(frame["id"], frame["seq"])
            assert self.acked[frame["id"]] == frame["seq"], ("an id acked twice", frame)
        elif kind == "error" and frame.get("code") == "unavailable":
            self.refusals += 1
            self._retry_at = self._retry_at or time.monotonic() + self.RETRY_SECONDS
        elif kind == "error" and frame.get("code") == "too_fast":
            # The retries count against the socket's limit too: the page waits 3 s.
            self._retry_at = time.monotonic() + self.TOO_FAST_SECONDS
        elif kind == "error":
            raise AssertionError(f"refused: {frame}")

    def settle(self, until: Callable[[], bool], timeout: float = 20.0) -> None:
        """Pump until ``until()`` holds (the outbox empty, everything delivered)."""
        deadline = time.monotonic() + timeout
        while not until():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"not settled: outbox {list(self.outbox)}, delivered {self.delivered}, "
                    f"{self.server.tail()}"
                )
            self.pump(0.2)

    def close(self) -> None:
        self._lost()


@dataclass
class PrivateRedis:
    """A redis-server of the test's own on a free loopback port, to stop and start again.

    Never the machine's shared Redis: other tests and programs use that one.
    """

    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    BINARY = "/usr/bin/redis-server"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    self.BINARY,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while not _port_open(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start: {self.log.read_text()[-2000:]}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=STOP_TIMEOUT)


def in_threads(*jobs: Callable[[], None]) -> None:
    """Run the jobs at the same time; the first failure is raised here."""
    failures: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        try:
            job()
        except BaseException as error:
            failures.append(error)
        finally:
            # The thread's connection goes back to the pool (PostgreSQL): a thread that
            # ends holding it would take it away for good.
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def settle_all(
    clients: list[Talker], team: list[Talker], conversations: list[Any], timeout: float = 20.0
) -> None:
    """Every talker pumps until its outbox is empty and it has its conversation's last
    message: the clients first (their outboxes go again), then the team catches up."""

    def last_seq(conversation: Any) -> int:
        conversation.refresh_from_db(fields=["last_seq"])
        return int(conversation.last_seq)

    def settle(talker: Talker, conversation: Any) -> Callable[[], None]:
        return lambda: talker.settle(
            lambda: not talker.outbox and talker.last_seq == last_seq(conversation),
            timeout=timeout,
        )

    in_threads(*(settle(c, v) for c, v in zip(clients, conversations, strict=True)))
    in_threads(*(settle(t, v) for t, v in zip(team, conversations, strict=True)))
