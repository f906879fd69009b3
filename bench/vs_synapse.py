"""Hafen side by side with Matrix Synapse: the same chat workload against both, in one run.

    .venv/bin/python bench/vs_synapse.py                      # SQLite, then PostgreSQL
    .venv/bin/python bench/vs_synapse.py --db sqlite --conversations 100 --messages 3000

Synapse (matrix-synapse, pinned below) is installed into its own virtual environment under
bench/.synapse/ (ignored by git) when it is missing. For each database kind the bench

1. generates a Synapse config (`--generate-config`) and overrides it: one HTTP listener on
   127.0.0.1 only, registration by shared secret only, its own database (a fresh SQLite file,
   or a fresh PostgreSQL database with the C collation Synapse asks for), presence off, its
   per-user rate limits raised above the workload (they would otherwise refuse the 11th
   message of a user) and logging at WARNING (Hafen logs no access lines either);
   registers one client and one counsellor per conversation, makes a private room for each
   pair and lets the client join; every counsellor follows /sync (long poll, filtered to
   room messages, as Matrix clients do);
2. starts Hafen in production mode (`HAFEN_PRODUCTION=1`, secrets from the environment,
   `hafen run --no-worker`, one process, in-process channel layer) on the same database
   kind, with as many conversations per path; every counsellor has the conversation open
   (its websocket /ws/posteingang/<id>/);
3. runs the same workload against each: C conversations, K senders at once, M messages in
   all of a realistic length (a client asking about a letter, ~190 characters). Each sender
   owns C/K conversations and sends to them in turn, waiting for each acknowledgement
   before its next message (closed loop), and a conversation gets at most one message per
   --interval seconds (a person typing; also below Hafen's limit of 3 per second and
   socket). Synapse: PUT …/send/m.room.message/<txn> through the client-server API,
   delivery seen in the counsellor's /sync. Hafen: the door's websocket protocol
   ({"type": "send"} → "ack"), and its no-JS path (the chat page's form POSTed to
   /gespraech/senden/, answered with a redirect), delivery seen on the counsellor's
   websocket. One server runs at a time.

It prints a table per database kind: messages per second accepted (acknowledged to the
sender) and delivered (arrived at the counsellor), send-to-acknowledgement and
send-to-delivery latency p50/p95/p99, errors, messages lost (acknowledged, never
delivered), each server's peak memory (VmHWM) and CPU time per message, and the ratio
Hafen/Synapse per figure. Hafen seals every message with its conversation's data key
(AES-GCM) before it is stored; Synapse stores message bodies in plain text.

Everything stays on loopback and is bounded (counts, send timeouts, drain time); servers,
data folders and databases are removed at the end, also on Ctrl-C. The load generator runs
on the same machine (2 cores here) and uses CPU too.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import chat_load  # the Hafen side's setup is shared with the load bench

ROOT = Path(__file__).resolve().parents[1]
SYNAPSE_VERSION = "1.163.2"
SYNAPSE_HOME = ROOT / "bench" / ".synapse"
SYNAPSE_PYTHON = SYNAPSE_HOME / "venv" / "bin" / "python"
SERVER_NAME = "bench.hafen.invalid"
PG_ADMIN = chat_load.PG_ADMIN
TEXT = (
    "Hallo, ich habe heute einen Brief vom Jobcenter bekommen, dass meine Leistungen "
    "gekürzt werden, und verstehe nicht warum. Kann ich morgen vorbeikommen oder geht "
    "das auch hier? "
)
SEND_TIMEOUT = 30.0
SETUP_CONCURRENCY = 8
SYNC_FILTER = json.dumps(
    {
        "presence": {"types": []},
        "account_data": {"types": []},
        "room": {
            "timeline": {"types": ["m.room.message"], "limit": 200},
            "state": {"types": [], "lazy_load_members": True},
            "ephemeral": {"types": []},
            "account_data": {"types": []},
        },
    },
    separators=(",", ":"),
)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--conversations", type=int, default=200, help="C")
    parser.add_argument("--senders", type=int, default=50, help="K, sending at once")
    parser.add_argument("--messages", type=int, default=4000, help="M, in all")
    parser.add_argument(
        "--interval", type=float, default=0.4, help="seconds at least between two messages"
    )
    parser.add_argument("--drain", type=float, default=30.0, help="max seconds to wait after")
    parser.add_argument("--keep", action="store_true", help="keep data folders (logs)")
    parser.add_argument("--hafen-populate", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    limits = {
        "conversations": (1, 2000),
        "senders": (1, 1000),
        "messages": (1, 200_000),
        "interval": (0.34, 60),
        "drain": (1, 300),
    }
    chat_load.check_limits(parser, args, limits)
    if args.senders > args.conversations:
        parser.error("--senders must not exceed --conversations")
    return args


# -- the workload, the same for every system ------------------------------------------


@dataclass
class Result:
    system: str
    sent_at: dict[str, float] = field(default_factory=dict)
    acked_at: dict[str, float] = field(default_factory=dict)
    delivered_at: dict[str, float] = field(default_factory=dict)
    duplicates: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    start: float = 0.0
    peak_mb: float = 0.0
    cpu_seconds: float = 0.0

    def delivered(self, message_id: str, now: float) -> None:
        if message_id in self.delivered_at:
            self.duplicates += 1
        else:
            self.delivered_at[message_id] = now


def message_id(conversation: int, number: int) -> str:
    return f"m{conversation:05d}x{number:06d}"


def id_in(body: str) -> str:
    """The message id the workload put at the end of the text."""
    return body.rsplit("#", 1)[-1].strip()


Send = Callable[[int, str, str], Awaitable[None]]


async def workload(args: argparse.Namespace, result: Result, send: Send) -> None:
    """K senders share M messages out over C conversations, closed loop, paced per conversation.

    ``send(conversation_index, id, text)`` returns once the server acknowledged it and
    raises when it did not.
    """
    clock = time.perf_counter
    budget = iter(range(args.messages))
    next_allowed = [0.0] * args.conversations
    counters = [0] * args.conversations

    async def sender(number: int) -> None:
        own = list(range(number, args.conversations, args.senders))
        while True:
            for conversation in own:
                if next(budget, None) is None:
                    return
                wait = next_allowed[conversation] - clock()
                if wait > 0:
                    await asyncio.sleep(wait)
                counters[conversation] += 1
                mid = message_id(conversation, counters[conversation])
                text = f"{TEXT}#{mid}"
                result.sent_at[mid] = sent = clock()
                next_allowed[conversation] = sent + args.interval
                try:
                    await asyncio.wait_for(send(conversation, mid, text), SEND_TIMEOUT)
                except Exception as error:  # counted; the sender goes on
                    result.errors[describe(error)] += 1
                else:
                    result.acked_at.setdefault(mid, clock())

    result.start = clock()
    await asyncio.gather(*(sender(number) for number in range(args.senders)))
    deadline = clock() + args.drain
    while clock() < deadline and any(mid not in result.delivered_at for mid in result.acked_at):
        await asyncio.sleep(0.05)


def describe(error: BaseException) -> str:
    if isinstance(error, asyncio.TimeoutError):
        return "timeout"
    text = str(error).splitlines()[0][:80] if str(error) else ""
    return f"{type(error).__name__} {text}".strip()


# -- Synapse ----------------------------------------------------------------------------


def ensure_synapse() -> None:
    """Synapse in bench/.synapse/venv, installed from PyPI once."""
    if SYNAPSE_PYTHON.exists():
        probe = subprocess.run(  # noqa: S603 - the bench's own venv
            [str(SYNAPSE_PYTHON), "-c", "import synapse; print(synapse.__version__)"],
            capture_output=True,
            text=True,
        )
        if probe.returncode == 0 and probe.stdout.startswith(SYNAPSE_VERSION):
            return
    print(f"installing matrix-synapse {SYNAPSE_VERSION} into {SYNAPSE_HOME / 'venv'} …")
    SYNAPSE_HOME.mkdir(parents=True, exist_ok=True)
    python = os.environ.get("HAFEN_PYTHON") or sys.executable
    if not SYNAPSE_PYTHON.exists():
        subprocess.run([python, "-m", "venv", str(SYNAPSE_HOME / "venv")], check=True)  # noqa: S603
    subprocess.run(  # noqa: S603 - pip of the bench's own venv, a pinned version
        [
            *(str(SYNAPSE_PYTHON), "-m", "pip", "install", "--quiet", "--quiet"),
            "--disable-pip-version-check",
            f"matrix-synapse[postgres]=={SYNAPSE_VERSION}",
        ],
        check=True,
    )


@dataclass
class SynapseServer:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def synapse(db: str, keep: bool) -> Iterator[SynapseServer]:
    """A fresh Synapse on loopback with its own database; removed afterwards."""
    home = Path(tempfile.mkdtemp(prefix="synapse-bench-"))
    database = ""
    process = None
    try:
        subprocess.run(  # noqa: S603 - Synapse's own config generator
            [
                *(str(SYNAPSE_PYTHON), "-m", "synapse.app.homeserver"),
                *("--server-name", SERVER_NAME, "--report-stats", "no"),
                *("--config-path", str(home / "homeserver.yaml")),
                *("--data-directory", str(home), "--generate-config"),
            ],
            check=True,
            cwd=home,
            capture_output=True,
        )
        for log_config in home.glob("*.log.config"):
            text = log_config.read_text().replace("level: INFO", "level: WARNING")
            log_config.write_text(text)
        port = chat_load.free_port()
        if db == "postgres":
            import psycopg

            database = f"synapse_bench_{os.getpid()}_{secrets.token_hex(3)}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(
                    f"CREATE DATABASE \"{database}\" ENCODING 'UTF8' LC_COLLATE 'C' "
                    "LC_CTYPE 'C' TEMPLATE template0"
                )
        (home / "bench.yaml").write_text(json.dumps(synapse_overrides(port, db, database, home)))
        log = home / "stdout.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 - Synapse from the bench's venv
                [
                    *(str(SYNAPSE_PYTHON), "-m", "synapse.app.homeserver"),
                    *("-c", str(home / "homeserver.yaml"), "-c", str(home / "bench.yaml")),
                ],
                cwd=home,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=chat_load._die_with_parent,
            )
        server = SynapseServer(port, process, log)
        wait_for(f"{server.base}/_matrix/client/versions", process, log)
        yield server
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if database:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if keep:
            print(f"Synapse folder kept: {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


def synapse_overrides(port: int, db: str, database: str, home: Path) -> dict[str, Any]:
    """Read after the generated config (a later -c file replaces top-level keys)."""
    plenty = {"per_second": 10_000, "burst_count": 10_000}
    if db == "postgres":
        database_config: dict[str, Any] = {
            "name": "psycopg2",
            "args": {
                "user": "postgres",
                "host": "127.0.0.1",
                "port": 5432,
                "dbname": database,
                "cp_min": 5,
                "cp_max": 10,
            },
        }
    else:
        database_config = {"name": "sqlite3", "args": {"database": str(home / "homeserver.db")}}
    return {
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": database_config,
        "enable_registration": False,
        "registration_shared_secret": secrets.token_hex(16),
        "bcrypt_rounds": 4,  # setup speed only: no logins are measured
        "presence": {"enabled": False},
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "url_preview_enabled": False,
        "enable_metrics": False,
        "report_stats": False,
        "rc_message": plenty,
        "rc_registration": plenty,
        "rc_login": {"address": plenty, "account": plenty, "failed_attempts": plenty},
        "rc_joins": {"local": plenty, "remote": plenty},
        "rc_joins_per_room": plenty,
        "rc_invites": {"per_room": plenty, "per_user": plenty, "per_issuer": plenty},
        "rc_room_creation": plenty,
    }


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - loopback
                if answer.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"server did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


@dataclass
class MatrixUser:
    user_id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def register(http: Any, server: SynapseServer, name: str) -> MatrixUser:
    secret = json.loads((server.log.parent / "bench.yaml").read_text())[
        "registration_shared_secret"
    ]
    url = f"{server.base}/_synapse/admin/v1/register"
    async with http.get(url) as answer:
        nonce = (await answer.json())["nonce"]
    password = secrets.token_hex(12)
    mac = hmac.new(secret.encode(), digestmod=hashlib.sha1)
    for part in (nonce, name, password):
        mac.update(part.encode() + b"\x00")
    mac.update(b"notadmin")
    body = {"nonce": nonce, "username": name, "password": password, "mac": mac.hexdigest()}
    async with http.post(url, json=body) as answer:
        answer.raise_for_status()
        made = await answer.json()
    return MatrixUser(made["user_id"], made["access_token"])


async def matrix_pairs(
    http: Any, server: SynapseServer, count: int
) -> list[tuple[MatrixUser, MatrixUser, str]]:
    """Per conversation: (client, counsellor, room id) — the room private, both joined."""
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def pair(index: int) -> tuple[MatrixUser, MatrixUser, str]:
        async with gate:
            client = await register(http, server, f"klient{index:05d}")
            counsellor = await register(http, server, f"fachkraft{index:05d}")
            create = {"preset": "private_chat", "invite": [client.user_id], "is_direct": True}
            async with http.post(
                f"{server.base}/_matrix/client/v3/createRoom",
                json=create,
                headers=counsellor.headers,
            ) as answer:
                answer.raise_for_status()
                room = (await answer.json())["room_id"]
            async with http.post(
                f"{server.base}/_matrix/client/v3/rooms/{urllib.parse.quote(room)}/join",
                json={},
                headers=client.headers,
            ) as answer:
                answer.raise_for_status()
            return client, counsellor, room

    return list(await asyncio.gather(*(pair(i) for i in range(count))))


async def follow_sync(
    http: Any,
    server: SynapseServer,
    counsellor: MatrixUser,
    result: Result,
    stop: asyncio.Event,
    ready: list[int],
) -> None:
    """What a Matrix client does: /sync, long-polled, from the last batch on."""
    url = f"{server.base}/_matrix/client/v3/sync"
    since = ""
    while not stop.is_set():
        params = {"filter": SYNC_FILTER, "timeout": "0" if not since else "10000"}
        if since:
            params["since"] = since
        try:
            async with http.get(url, params=params, headers=counsellor.headers) as answer:
                answer.raise_for_status()
                batch = await answer.json()
        except Exception as error:
            if not stop.is_set():
                result.errors[f"sync {describe(error)}"] += 1
                await asyncio.sleep(0.5)
            continue
        now = time.perf_counter()
        if since:
            for room in batch.get("rooms", {}).get("join", {}).values():
                for event in room.get("timeline", {}).get("events", []):
                    body = event.get("content", {}).get("body", "")
                    if event.get("sender") != counsellor.user_id and "#" in body:
                        result.delivered(id_in(body), now)
        else:
            ready.append(1)
        since = batch["next_batch"]


async def run_synapse(args: argparse.Namespace, server: SynapseServer) -> Result:
    import aiohttp

    result = Result("Synapse")
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        started = time.perf_counter()
        pairs = await matrix_pairs(http, server, args.conversations)
        print(
            f"  Synapse: {len(pairs)} rooms with two joined users each made in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        stop = asyncio.Event()
        ready: list[int] = []
        followers = [
            asyncio.create_task(follow_sync(http, server, counsellor, result, stop, ready))
            for _client, counsellor, _room in pairs
        ]
        while len(ready) < len(followers):  # every follower past its first sync
            await asyncio.sleep(0.1)

        async def send(conversation: int, mid: str, text: str) -> None:
            client, _counsellor, room = pairs[conversation]
            url = (
                f"{server.base}/_matrix/client/v3/rooms/{urllib.parse.quote(room)}"
                f"/send/m.room.message/{mid}"
            )
            body = {"msgtype": "m.text", "body": text}
            async with http.put(url, json=body, headers=client.headers) as answer:
                if answer.status != 200:
                    raise RuntimeError(f"HTTP {answer.status}")
                await answer.read()

        measured = chat_load.Server(server.port, server.process, server.log)
        cpu_before = measured.cpu_seconds()
        await workload(args, result, send)
        result.cpu_seconds = measured.cpu_seconds() - cpu_before
        stop.set()
        for follower in followers:
            follower.cancel()
        await asyncio.gather(*followers, return_exceptions=True)
    result.peak_mb = measured.peak_rss_mb()
    return result


# -- Hafen ------------------------------------------------------------------------------


def hafen_production_env(env: dict[str, str]) -> dict[str, str]:
    env = dict(env)
    env.update(
        {
            "HAFEN_PRODUCTION": "1",
            "HAFEN_SECRET_KEY": secrets.token_urlsafe(50),
            "HAFEN_MASTER_KEYS": base64.b64encode(secrets.token_bytes(32)).decode(),
            # Loopback without TLS: no redirect to https (a reverse proxy would do TLS).
            "HAFEN_SSL_REDIRECT": "0",
        }
    )
    return env


def populate_hafen(env: dict[str, str], conversations: int) -> chat_load.Population:
    """Demo organisation, one counsellor per conversation — in a child process, so that
    each database kind gets its own Django setup."""
    done = subprocess.run(  # noqa: S603 - this script
        [sys.executable, __file__, "--hafen-populate", str(conversations)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return chat_load.Population(**json.loads(done.stdout.splitlines()[-1]))


def populate_and_print(conversations: int) -> None:
    env = dict(os.environ)
    made = chat_load.populate(
        argparse.Namespace(clients=conversations, counsellors=conversations), env
    )
    print(json.dumps(made.__dict__))


@dataclass
class HafenSockets:
    """The counsellors' conversation sockets, delivering into whichever result is current."""

    result: Result | None = None
    sockets: list[Any] = field(default_factory=list)
    readers: list[asyncio.Task[None]] = field(default_factory=list)


async def hafen_connect(port: int, path: str, session_id: str, extra_cookie: str = "") -> Any:
    from websockets.asyncio.client import connect

    return await connect(
        f"ws://127.0.0.1:{port}{path}",
        origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
        additional_headers={"Cookie": f"sessionid={session_id}{extra_cookie}"},
        proxy=None,
        open_timeout=60,
        ping_interval=None,
        max_queue=None,
    )


async def hafen_greet(ws: Any) -> None:
    await ws.send(json.dumps({"type": "hello", "after": 0}))
    while json.loads(await asyncio.wait_for(ws.recv(), timeout=60))["type"] != "receipts":
        pass


async def hafen_counsellors(
    port: int, population: chat_load.Population, indexes: range, watchers: HafenSockets
) -> None:
    gate = asyncio.Semaphore(chat_load.CONNECT_CONCURRENCY)

    async def read(ws: Any) -> None:
        with contextlib.suppress(Exception):
            async for raw in ws:
                frame = json.loads(raw)
                if (
                    frame.get("type") == "message"
                    and frame.get("sender") == "client"
                    and watchers.result is not None
                    and "#" in frame.get("body", "")
                ):
                    watchers.result.delivered(id_in(frame["body"]), time.perf_counter())

    async def open_one(index: int) -> None:
        async with gate:
            ws = await hafen_connect(
                port,
                f"/ws/posteingang/{population.conversation_ids[index]}/",
                population.staff_sessions[index],
            )
            await hafen_greet(ws)
            watchers.sockets.append(ws)
            watchers.readers.append(asyncio.create_task(read(ws)))

    await asyncio.gather(*(open_one(i) for i in indexes))


async def run_hafen_socket(
    args: argparse.Namespace, port: int, population: chat_load.Population, watchers: HafenSockets
) -> Result:
    """The door's websocket: {"type": "send"} and the server's "ack" on the same socket."""
    result = Result("Hafen websocket")
    pending: dict[str, asyncio.Future[None]] = {}
    gate = asyncio.Semaphore(chat_load.CONNECT_CONCURRENCY)
    clients: list[Any] = [None] * args.conversations
    readers = []

    async def read(ws: Any) -> None:
        with contextlib.suppress(Exception):
            async for raw in ws:
                frame = json.loads(raw)
                kind = frame.get("type")
                waiting = pending.get(frame.get("id") or frame.get("message_id") or "")
                if waiting is None or waiting.done():
                    continue
                if kind == "ack":
                    if frame.get("duplicate"):
                        result.errors["duplicate ack"] += 1
                    waiting.set_result(None)
                elif kind == "error":
                    waiting.set_exception(RuntimeError(f"error {frame.get('code')}"))

    async def open_one(index: int) -> None:
        async with gate:
            ws = await hafen_connect(port, "/ws/k/", population.client_sessions[index])
            await hafen_greet(ws)
            clients[index] = ws
            readers.append(asyncio.create_task(read(ws)))

    await asyncio.gather(*(open_one(i) for i in range(args.conversations)))

    async def send(conversation: int, mid: str, text: str) -> None:
        pending[mid] = asyncio.get_running_loop().create_future()
        try:
            await clients[conversation].send(json.dumps({"type": "send", "id": mid, "body": text}))
            await pending[mid]
        finally:
            pending.pop(mid, None)

    watchers.result = result
    await workload(args, result, send)
    for ws in clients:
        with contextlib.suppress(Exception):
            await ws.close()
    for reader in readers:
        reader.cancel()
    return result


async def run_hafen_form(
    args: argparse.Namespace,
    port: int,
    population: chat_load.Population,
    watchers: HafenSockets,
    offset: int,
) -> Result:
    """The no-JS path: the chat page's form, POSTed; the redirect is the acknowledgement."""
    import aiohttp

    result = Result("Hafen no-JS HTTP")
    base = f"http://127.0.0.1:{port}"
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=60)
    # Cookies by hand: production cookies are Secure, and this is loopback without TLS.
    jar = aiohttp.DummyCookieJar()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, cookie_jar=jar) as http:
        forms: list[tuple[str, str]] = []  # per conversation: (Cookie header, CSRF token)
        for index in range(args.conversations):
            session = population.client_sessions[offset + index]
            async with http.get(
                f"{base}/gespraech/", headers={"Cookie": f"sessionid={session}"}
            ) as page:
                page.raise_for_status()
                html = await page.text()
                csrf_cookie = page.cookies["csrftoken"].value
            token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
            forms.append((f"sessionid={session}; csrftoken={csrf_cookie}", token))

        async def send(conversation: int, mid: str, text: str) -> None:
            cookie, token = forms[conversation]
            data = {"csrfmiddlewaretoken": token, "body": text, "client_id": mid}
            async with http.post(
                f"{base}/gespraech/senden/",
                data=data,
                headers={"Cookie": cookie, "Accept": "text/html"},
                allow_redirects=False,
            ) as answer:
                if answer.status != 302:
                    raise RuntimeError(f"HTTP {answer.status}")
                await answer.read()

        watchers.result = result
        await workload(args, result, send)
    return result


async def run_hafen(
    args: argparse.Namespace, server: chat_load.Server, population: chat_load.Population
) -> list[Result]:
    watchers = HafenSockets()
    started = time.perf_counter()
    await hafen_counsellors(server.port, population, range(2 * args.conversations), watchers)
    print(
        f"  Hafen: {len(watchers.sockets)} counsellors' conversation sockets open in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    results = []
    cpu_before = server.cpu_seconds()
    socket_result = await run_hafen_socket(args, server.port, population, watchers)
    socket_result.cpu_seconds = server.cpu_seconds() - cpu_before
    results.append(socket_result)
    cpu_before = server.cpu_seconds()
    form_result = await run_hafen_form(args, server.port, population, watchers, args.conversations)
    form_result.cpu_seconds = server.cpu_seconds() - cpu_before
    results.append(form_result)
    for ws in watchers.sockets:
        with contextlib.suppress(Exception):
            await ws.close()
    for reader in watchers.readers:
        reader.cancel()
    peak = server.peak_rss_mb()
    for result in results:
        result.peak_mb = peak
    return results


# -- figures ----------------------------------------------------------------------------


def quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


@dataclass
class Figure:
    label: str
    better: str  # "higher" or "lower"
    value: Callable[[Result], float]
    fmt: str = "{:.0f}"


def figures() -> list[Figure]:
    def rate(times: Callable[[Result], dict[str, float]]) -> Callable[[Result], float]:
        def per_second(result: Result) -> float:
            moments = times(result).values()
            if not moments:
                return 0.0
            return len(moments) / max(max(moments) - result.start, 1e-9)

        return per_second

    def latency(times: Callable[[Result], dict[str, float]], q: float) -> Callable[[Result], float]:
        def ms(result: Result) -> float:
            got = times(result)
            return 1000 * quantile([got[m] - result.sent_at[m] for m in got], q)

        return ms

    acked = lambda r: r.acked_at  # noqa: E731
    delivered = lambda r: r.delivered_at  # noqa: E731
    return [
        Figure("accepted msg/s", "higher", rate(acked)),
        Figure("delivered msg/s", "higher", rate(delivered)),
        Figure("send→ack p50 ms", "lower", latency(acked, 0.50), "{:.1f}"),
        Figure("send→ack p95 ms", "lower", latency(acked, 0.95), "{:.1f}"),
        Figure("send→ack p99 ms", "lower", latency(acked, 0.99), "{:.1f}"),
        Figure("send→delivery p50 ms", "lower", latency(delivered, 0.50), "{:.1f}"),
        Figure("send→delivery p95 ms", "lower", latency(delivered, 0.95), "{:.1f}"),
        Figure("send→delivery p99 ms", "lower", latency(delivered, 0.99), "{:.1f}"),
        Figure(
            "server CPU ms/msg",
            "lower",
            lambda r: 1000 * r.cpu_seconds / max(len(r.acked_at), 1),
            "{:.2f}",
        ),
        Figure("peak memory MB", "lower", lambda r: r.peak_mb),
    ]


def table(args: argparse.Namespace, db: str, results: list[Result]) -> str:
    synapse_result, *hafen_results = results
    header = ["figure", "Synapse"]
    for result in hafen_results:
        header += [result.system, "ratio"]
    rows = [header]
    for figure in figures():
        reference = figure.value(synapse_result)
        row = [f"{figure.label} ({figure.better} is better)", figure.fmt.format(reference)]
        for result in hafen_results:
            value = figure.value(result)
            ratio = value / reference if reference else float("nan")
            ahead = ratio > 1 if figure.better == "higher" else ratio < 1
            row += [figure.fmt.format(value), f"{ratio:.2f}{'' if ahead else ' (behind)'}"]
        rows.append(row)
    for label, count in (
        ("messages acknowledged", lambda r: len(r.acked_at)),
        (
            "lost (acknowledged, never delivered)",
            lambda r: sum(1 for m in r.acked_at if m not in r.delivered_at),
        ),
        ("delivered twice", lambda r: r.duplicates),
        ("errors", lambda r: sum(r.errors.values())),
    ):
        row = [label, str(count(synapse_result))]
        for result in hafen_results:
            row += [str(count(result)), ""]
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        f"vs_synapse on {db}: C={args.conversations} conversations, K={args.senders} senders, "
        f"M={args.messages} messages of {len(TEXT) + 14} characters, at most one per "
        f"{args.interval} s per conversation; Synapse {SYNAPSE_VERSION}, Hafen in production mode",
        "| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(header)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    for row in rows[1:]:
        lines.append("| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |")
    for result in results:
        if result.errors:
            lines.append(f"  {result.system} errors: {dict(result.errors)}")
    return "\n".join(lines)


# -- one database kind ------------------------------------------------------------------


def compare(args: argparse.Namespace, db: str) -> str:
    print(f"== {db}", flush=True)
    results: list[Result] = []
    with synapse(db, args.keep) as server:
        results.append(chat_load.event_loop_runner()(run_synapse(args, server)))
    print(f"  Synapse done: {len(results[0].acked_at)} acknowledged", flush=True)
    layout = argparse.Namespace(db=db, layer="memory", redis_url="", keep=args.keep)
    with chat_load.environment(layout) as plain_env:
        env = hafen_production_env(plain_env)
        started = time.perf_counter()
        population = populate_hafen(env, 2 * args.conversations)
        print(
            f"  Hafen: {2 * args.conversations} conversations and counsellors made in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        with chat_load.servers(1, env) as (server,):
            results.extend(chat_load.event_loop_runner()(run_hafen(args, server, population)))
    return table(args, db, results)


def main() -> None:
    args = arguments()
    if args.hafen_populate:
        populate_and_print(args.hafen_populate)
        return
    ensure_synapse()
    tables = [
        compare(args, db) for db in (["sqlite", "postgres"] if args.db == "both" else [args.db])
    ]
    print()
    print("\n\n".join(tables))


if __name__ == "__main__":
    main()
