"""Load on the realtime chat: N client sockets, M counsellors, messages for a fixed time.

    .venv/bin/python bench/chat_load.py                                   # SQLite, in-process layer
    .venv/bin/python bench/chat_load.py --db postgres --layer redis --processes 2
    .venv/bin/python bench/chat_load.py --clients 1000 --rate 500 --duration 60

Starts its own Hafen (`hafen run --no-worker`, one or more processes on free loopback
ports) on a fresh data folder and a fresh database, creates N conversations in the
team "Jugendberatung" of the demo organisation (through ``actions.start_conversation``;
the door's HTTP start is throttled per address, which would stop a load test at 20)
and M counsellors who share them out. Every client opens /ws/k/ with its session, every
conversation is watched by its counsellor on /ws/posteingang/<id>/, and each counsellor
also has the staff socket /ws/staff/ open, as the inbox page does. Counsellors answer
each client message with "seen" after 300 ms, as door.js does.

Then the clients send messages at --rate per second in total (round robin, open loop:
a slow server shows as growing latency, not as a lower offered rate) for --duration
seconds. Measured: acknowledgements (the message is committed) and deliveries (the
counsellor's socket received the message frame) per second, their latency from the
client's send (p50/p95/p99/max), errors, messages acknowledged but not delivered when the
drain time ran out, the servers' peak memory (VmHWM) and CPU. The default rate, 500/s,
is the issue's aim for 1,000 clients on PostgreSQL with Redis; a rate the servers cannot
keep up with shows as a growing backlog and, past uvicorn's 20 s ping timeout, as sockets
closed with 1011. --profile PATH_OF_PY_SPY records each server while the load runs.

--db postgres makes a throwaway database on 127.0.0.1:5432 as user postgres and drops it
at the end. --layer redis uses --redis-url (default database 12), whose Channels and
cache keys the bench removes before and after. Several processes (--processes, Redis
only) get the clients round robin, and each conversation's counsellor socket sits on a
different process than its client, so every delivery crosses the Redis layer.

Everything stays on loopback and is bounded: sockets, duration, drain time; the server
processes, the data folder and the database are removed at the end, also on Ctrl-C.
The load generator runs on the same machine and uses CPU too (shown as "bench CPU").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import gc
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TEAM = "jugendberatung"
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
SEEN_DELAY = 0.3  # door.js waits this long before it reports "seen"
CONNECT_CONCURRENCY = 64
START_TIMEOUT = 60.0
BODY = "Hallo, ich habe einen Brief vom Jobcenter bekommen und verstehe ihn nicht. Nr. "


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--layer", choices=["memory", "redis"], default="memory")
    parser.add_argument("--clients", type=int, default=500, help="client sockets (N)")
    parser.add_argument("--counsellors", type=int, default=20, help="counsellors (M)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of sending")
    parser.add_argument("--rate", type=float, default=500.0, help="messages per second, total")
    parser.add_argument("--processes", type=int, default=1, help="server processes")
    parser.add_argument("--drain", type=float, default=15.0, help="max seconds to wait after")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--no-seen", action="store_true", help="counsellors send no receipts")
    parser.add_argument("--keep", action="store_true", help="keep the data folder (logs)")
    parser.add_argument(
        "--profile",
        metavar="PY_SPY",
        help="path of a py-spy binary: record each server during the load (folded stacks)",
    )
    args = parser.parse_args()
    limits = {
        "clients": (1, 5000),
        "counsellors": (1, 200),
        "duration": (1, 600),
        "rate": (1, 10_000),
        "processes": (1, 8),
        "drain": (1, 120),
    }
    check_limits(parser, args, limits)
    if args.processes > 1 and args.layer != "redis":
        parser.error("several processes need --layer redis (the in-process layer is per process)")
    if args.counsellors > args.clients:
        parser.error("--counsellors must not exceed --clients")
    return args


def check_limits(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    limits: dict[str, tuple[float, float]],
) -> None:
    """Every bench is bounded: refuse counts and times outside their range."""
    for name, (low, high) in limits.items():
        if not low <= getattr(args, name) <= high:
            parser.error(f"--{name} must be between {low} and {high}")


def event_loop_runner() -> Any:
    """uvloop's runner where it is installed (as the servers use it), else asyncio's."""
    try:
        import uvloop

        return uvloop.run
    except ImportError:
        return asyncio.run


# -- setup: data folder, database, Redis, Django --------------------------------------


@contextlib.contextmanager
def environment(args: argparse.Namespace) -> Iterator[dict[str, str]]:
    """A fresh data folder, database and Redis keyspace; removed afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix="hafen-bench-"))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        {
            "HAFEN_DATA_DIR": str(data_dir),
            "HAFEN_ALLOWED_HOSTS": "127.0.0.1",
            "HAFEN_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "hafen.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    database = ""
    if args.db == "postgres":
        import psycopg

        database = f"hafen_bench_{os.getpid()}_{secrets.token_hex(3)}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    if args.layer == "redis":
        env["REDIS_URL"] = args.redis_url
        forget_redis_keys(args.redis_url)
    try:
        yield env
    finally:
        if database:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if args.layer == "redis":
            forget_redis_keys(args.redis_url)
        if args.keep:
            print(f"data folder kept: {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


def forget_redis_keys(url: str) -> None:
    """The Channels layer's keys ("asgi" prefix) and Hafen's cache keys, nothing else.

    Left over, a group of the last run (conv.1, …) would still list its dead channels,
    and every send of this run would go to them too.
    """
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        for pattern in ("asgi*", "hafen:*"):
            for key in client.scan_iter(match=pattern, count=1000):
                client.delete(key)
    finally:
        client.close()


@dataclass
class Population:
    """What the load phase needs: sessions and who watches which conversation."""

    client_sessions: list[str]  # per conversation, in order
    conversation_ids: list[int]
    staff_sessions: list[str]  # per counsellor
    watched: list[list[int]]  # per counsellor: indexes into conversation_ids


def populate(args: argparse.Namespace, env: dict[str, str]) -> Population:
    """Migrate, demo organisation, counsellors and conversations, all through the ORM."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connections, transaction

    from hafen.accounts import demo
    from hafen.accounts.models import Membership, Role, Team, User
    from hafen.conversations import access, actions
    from hafen.conversations.models import DoorSettings

    call_command("migrate", interactive=False, verbosity=0)
    organisation = demo.create_demo()
    team = Team.objects.select_related("facility").get(slug=TEAM)
    # Office hours all day: the bench measures conversation, not the automatic answer.
    DoorSettings.objects.update_or_create(
        team=team,
        defaults={
            "office_hours": {str(day): [["00:00", "23:59:59.999999"]] for day in range(1, 8)}
        },
    )
    staff_sessions = []
    with transaction.atomic():
        for number in range(1, args.counsellors + 1):
            user = User(
                username=f"bench-fk-{number:03d}",
                display_name=f"Fachkraft {number}",
                organisation=organisation,
            )
            # No password: nobody logs in; the session below is made as login() would.
            user.set_unusable_password()
            user.save()
            Membership.objects.create(
                user=user, organisation=organisation, team=team, role=Role.COUNSELLOR
            )
            store = SessionStore()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store.create()
            staff_sessions.append(store.session_key or "")
    client_sessions, conversation_ids = [], []
    with transaction.atomic():
        for _ in range(args.clients):
            new = actions.start_conversation(team, language="de")
            store = SessionStore()
            store[access.SESSION_KEY] = new.conversation.pk
            store.create()
            client_sessions.append(store.session_key or "")
            conversation_ids.append(new.conversation.pk)
    watched = [list(range(c, args.clients, args.counsellors)) for c in range(args.counsellors)]
    connections.close_all()
    return Population(client_sessions, conversation_ids, staff_sessions, watched)


# -- server processes -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _die_with_parent() -> None:
    # Linux: the server gets SIGTERM if the bench dies, even by SIGKILL.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def cpu_seconds(self) -> float:
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float:
        """VmHWM: the highest resident memory of the process since it started."""
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        try:
            import psutil

            return float(psutil.Process(self.process.pid).memory_info().rss) / 2**20
        except Exception:  # psutil is optional: no figure then
            return 0.0


@contextlib.contextmanager
def servers(count: int, env: dict[str, str]) -> Iterator[list[Server]]:
    data_dir = Path(env["HAFEN_DATA_DIR"])
    started: list[Server] = []
    try:
        for number in range(1, count + 1):
            port = free_port()
            log = data_dir / f"server-{number}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                    [
                        *(sys.executable, "-m", "hafen.cli", "run"),
                        *("--no-worker", "--no-migrate", "--port", str(port)),
                    ],
                    env=env,
                    cwd=ROOT,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    preexec_fn=_die_with_parent,
                )
            started.append(Server(port, process, log))
        deadline = time.monotonic() + START_TIMEOUT
        for server in started:
            while not _port_open(server.port):
                if server.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start:\n{server.log.read_text()[-3000:]}")
                time.sleep(0.05)
        yield started
    finally:
        for server in started:
            if server.process.poll() is None:
                server.process.terminate()
        for server in started:
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait(timeout=10)


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


# -- the load -------------------------------------------------------------------------


@dataclass
class Figures:
    sent_at: dict[str, float] = field(default_factory=dict)  # client-made id → send time
    acked: dict[str, tuple[float, int, int]] = field(default_factory=dict)  # id → (t, conv, seq)
    delivered: dict[tuple[int, int], float] = field(default_factory=dict)  # (conv, seq) → t
    errors: Counter[str] = field(default_factory=Counter)
    frames: int = 0


class Load:
    def __init__(self, args: argparse.Namespace, population: Population, ports: list[int]):
        self.args = args
        self.population = population
        self.ports = ports
        self.figures = Figures()
        self.clock = time.perf_counter
        self.sockets: list[Any] = []
        self.readers: list[asyncio.Task[None]] = []
        self.seen_pending: set[tuple[int, int]] = set()  # (counsellor socket id, conv)
        self.closing = False  # sockets closed by the bench itself are no errors

    async def connect(self, port: int, path: str, session_id: str) -> Any:
        from websockets.asyncio.client import connect

        ws = await connect(
            f"ws://127.0.0.1:{port}{path}",
            origin=f"http://127.0.0.1:{port}",  # type: ignore[arg-type]
            additional_headers={"Cookie": f"sessionid={session_id}"},
            proxy=None,
            open_timeout=60,
            ping_interval=None,
            max_queue=None,
        )
        self.sockets.append(ws)
        return ws

    async def open_all(self) -> list[Any]:
        """Every socket connected and greeted (hello answered); returns the client sockets."""
        population, ports = self.population, self.ports
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
        clients: list[Any] = [None] * len(population.conversation_ids)

        async def client(index: int) -> None:
            async with gate:
                ws = await self.connect(
                    ports[index % len(ports)], "/ws/k/", population.client_sessions[index]
                )
                await self.greet(ws)
                clients[index] = ws
                self.readers.append(asyncio.create_task(self.read_client(ws)))

        async def counsellor(number: int, index: int) -> None:
            async with gate:
                conversation = population.conversation_ids[index]
                # Another process than the client's, when there are several.
                ws = await self.connect(
                    ports[(index + 1) % len(ports)],
                    f"/ws/posteingang/{conversation}/",
                    population.staff_sessions[number],
                )
                await self.greet(ws)
                self.readers.append(asyncio.create_task(self.read_staff(ws, conversation)))

        async def inbox(number: int) -> None:
            async with gate:
                ws = await self.connect(
                    ports[number % len(ports)], "/ws/staff/", population.staff_sessions[number]
                )
                self.readers.append(asyncio.create_task(self.read_inbox(ws)))

        jobs = [client(i) for i in range(len(population.conversation_ids))]
        for number, indexes in enumerate(population.watched):
            jobs.append(inbox(number))
            jobs.extend(counsellor(number, index) for index in indexes)
        await asyncio.wait_for(asyncio.gather(*jobs), timeout=300)
        return clients

    async def greet(self, ws: Any) -> None:
        await ws.send(json.dumps({"type": "hello", "after": 0}))
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), timeout=60))
            if frame["type"] == "receipts":
                return

    async def read_client(self, ws: Any) -> None:
        figures = self.figures
        try:
            async for raw in ws:
                if self.closing:
                    return
                now = self.clock()
                figures.frames += 1
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "ack":
                    if frame["id"] not in figures.acked:
                        conv = int(frame["id"].split("-")[1])
                        figures.acked[frame["id"]] = (now, conv, frame["seq"])
                    if frame.get("duplicate"):
                        figures.errors["duplicate ack"] += 1
                elif kind == "error":
                    figures.errors[f"error {frame.get('code')}"] += 1
        except Exception as error:  # counted; the run goes on
            if not self.closing:
                figures.errors[f"client socket {describe(error)}"] += 1

    async def read_staff(self, ws: Any, conversation: int) -> None:
        figures = self.figures
        try:
            async for raw in ws:
                if self.closing:
                    return
                now = self.clock()
                figures.frames += 1
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "message" and frame.get("sender") == "client":
                    figures.delivered.setdefault((conversation, frame["seq"]), now)
                    if not self.args.no_seen:
                        self.seen_later(ws, conversation, frame["seq"])
                elif kind == "error":
                    figures.errors[f"staff error {frame.get('code')}"] += 1
        except Exception as error:
            if not self.closing:
                figures.errors[f"staff socket {describe(error)}"] += 1

    def seen_later(self, ws: Any, conversation: int, seq: int) -> None:
        key = (id(ws), conversation)
        if key in self.seen_pending:
            return
        self.seen_pending.add(key)

        async def report() -> None:
            await asyncio.sleep(SEEN_DELAY)
            self.seen_pending.discard(key)
            with contextlib.suppress(Exception):
                await ws.send(json.dumps({"type": "seen", "delivered": seq, "read": seq}))

        asyncio.get_running_loop().create_task(report())

    async def read_inbox(self, ws: Any) -> None:
        try:
            async for _raw in ws:
                self.figures.frames += 1
        except Exception as error:
            if not self.closing:
                self.figures.errors[f"inbox socket {describe(error)}"] += 1

    async def drive(self, clients: list[Any]) -> tuple[float, float]:
        """Send at the target rate for the duration; returns (start, end) of sending."""
        figures, rate, duration = self.figures, self.args.rate, self.args.duration
        counters = [0] * len(clients)
        start = self.clock()
        sent = 0
        while (elapsed := self.clock() - start) < duration:
            due = int(elapsed * rate) + 1 - sent
            for _ in range(due):
                index = sent % len(clients)
                counters[index] += 1
                conversation = self.population.conversation_ids[index]
                message_id = f"bench-{conversation:06d}-{counters[index]:06d}"
                figures.sent_at[message_id] = self.clock()
                try:
                    await clients[index].send(
                        json.dumps({"type": "send", "id": message_id, "body": BODY + message_id})
                    )
                except Exception as error:
                    figures.errors[f"send: {type(error).__name__}"] += 1
                sent += 1
            await asyncio.sleep(0.002)
        return start, self.clock()

    async def wait_for_stragglers(self) -> None:
        figures = self.figures
        deadline = self.clock() + self.args.drain
        while self.clock() < deadline:
            if len(figures.acked) >= len(figures.sent_at) and all(
                (conv, seq) in figures.delivered for _t, conv, seq in figures.acked.values()
            ):
                return
            await asyncio.sleep(0.1)

    async def close(self) -> None:
        # The figures end here: frames that arrive while sockets close are not counted.
        self.closing = True
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)
        for reader in self.readers:
            reader.cancel()


def describe(error: Exception) -> str:
    """The error's kind and, for a closed socket, the close code (1011: ping timeout)."""
    from websockets.exceptions import ConnectionClosed

    if isinstance(error, ConnectionClosed):
        frame = error.rcvd or error.sent
        return f"closed {frame.code if frame else 1006}"
    return type(error).__name__


def percentiles(values: list[float]) -> str:
    if not values:
        return "—"
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] * 1000

    return f"{at(0.50):7.1f} {at(0.95):7.1f} {at(0.99):7.1f} {ordered[-1] * 1000:7.1f}"


def report(
    args: argparse.Namespace,
    load: Load,
    window: tuple[float, float],
    server_list: list[Server],
    cpu: tuple[list[float], float],
    population_size: tuple[int, int],
) -> None:
    figures = load.figures
    start, end = window
    seconds = end - start
    acks_in_window = sum(1 for t, _c, _s in figures.acked.values() if t <= end)
    deliveries_in_window = sum(1 for t in figures.delivered.values() if t <= end)
    ack_latency = [t - figures.sent_at[mid] for mid, (t, _c, _s) in figures.acked.items()]
    delivery_latency = [
        figures.delivered[(conv, seq)] - figures.sent_at[mid]
        for mid, (_t, conv, seq) in figures.acked.items()
        if (conv, seq) in figures.delivered
    ]
    undelivered = sum(
        1 for _t, conv, seq in figures.acked.values() if (conv, seq) not in figures.delivered
    )
    server_cpu, bench_cpu = cpu
    sockets = len(load.sockets)
    print()
    print(
        f"chat_load: {args.db} + {args.layer} layer, {args.processes} process(es), "
        f"{population_size[0]} clients, {population_size[1]} counsellors, {sockets} sockets, "
        f"target {args.rate:.0f} msg/s for {args.duration:.0f} s"
        + (", no receipts" if args.no_seen else "")
    )
    rows = [
        ("messages sent", f"{len(figures.sent_at)}  ({len(figures.sent_at) / seconds:.0f}/s)"),
        (
            "accepted (ack)",
            f"{len(figures.acked)}  ({acks_in_window / seconds:.0f}/s within the window)",
        ),
        (
            "delivered to counsellor",
            f"{len(figures.delivered)}  ({deliveries_in_window / seconds:.0f}/s within the window)",
        ),
        ("acked, not delivered by the end", str(undelivered)),
        ("not acked", str(len(figures.sent_at) - len(figures.acked))),
        ("errors", ", ".join(f"{k}: {v}" for k, v in figures.errors.items()) or "0"),
        ("latency ms  p50 / p95 / p99 / max", ""),
        ("  send → ack", percentiles(ack_latency)),
        ("  send → counsellor", percentiles(delivery_latency)),
        (
            "server peak RSS",
            " + ".join(f"{s.peak_rss_mb():.0f}" for s in server_list) + " MB",
        ),
        (
            "server CPU (1 core = 100 %)",
            " + ".join(f"{c / seconds * 100:.0f} %" for c in server_cpu),
        ),
        (
            "server CPU per accepted message",
            f"{sum(server_cpu) / max(acks_in_window, 1) * 1000:.1f} ms",
        ),
        ("bench CPU", f"{bench_cpu / seconds * 100:.0f} %"),
        ("machine load average (1 min)", f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"),
        ("frames received by the bench", str(figures.frames)),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")


async def run_load(
    args: argparse.Namespace, population: Population, server_list: list[Server]
) -> None:
    load = Load(args, population, [s.port for s in server_list])
    connect_started = time.perf_counter()
    clients = await load.open_all()
    print(
        f"{len(load.sockets)} sockets connected and greeted in "
        f"{time.perf_counter() - connect_started:.1f} s; sending for {args.duration:.0f} s …",
        flush=True,
    )
    profilers = start_profilers(args, server_list)
    cpu_before = [s.cpu_seconds() for s in server_list]
    bench_before = time.process_time()
    try:
        window = await load.drive(clients)
        cpu_after = [s.cpu_seconds() for s in server_list]
        bench_after = time.process_time()
        await load.wait_for_stragglers()
    finally:
        stop_profilers(profilers)
        await load.close()
    report(
        args,
        load,
        window,
        server_list,
        ([a - b for a, b in zip(cpu_after, cpu_before, strict=True)], bench_after - bench_before),
        (len(population.conversation_ids), len(population.staff_sessions)),
    )


def start_profilers(args: argparse.Namespace, server_list: list[Server]) -> list[Any]:
    if not args.profile:
        return []
    out = Path(tempfile.gettempdir())
    profilers = []
    for number, server in enumerate(server_list, 1):
        target = out / f"hafen-chat-load-{os.getpid()}-server-{number}.folded"
        profilers.append(
            subprocess.Popen(  # noqa: S603 - the py-spy binary the user named
                [
                    *(
                        args.profile,
                        "record",
                        "--pid",
                        str(server.process.pid),
                        "--threads",
                    ),
                    *("--duration", str(int(args.duration)), "--rate", "200"),
                    *("--format", "raw", "--output", str(target)),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        print(f"profiling server {number} into {target}")
    return profilers


def stop_profilers(profilers: list[Any]) -> None:
    for profiler in profilers:
        try:
            profiler.wait(timeout=30)
        except subprocess.TimeoutExpired:
            profiler.terminate()
            profiler.wait(timeout=10)


def main() -> None:
    args = arguments()
    with environment(args) as env:
        started = time.perf_counter()
        population = populate(args, env)
        print(
            f"{args.clients} conversations and {args.counsellors} counsellors made in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        with servers(args.processes, env) as server_list:
            # The load generator's own garbage collector would stall its event loop as
            # the servers' did, and add its pauses to the latencies measured: set it
            # as `hafen run` does.
            gc.collect()
            gc.freeze()
            gc.set_threshold(20_000, 50, 100)
            event_loop_runner()(run_load(args, population, server_list))


if __name__ == "__main__":
    main()
