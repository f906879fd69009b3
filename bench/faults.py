"""Faults with nothing lost: crashes, Redis and PostgreSQL going away while clients write.

    .venv/bin/python bench/faults.py                       # every scenario, a few cycles
    .venv/bin/python bench/faults.py --scenario kill --cycles 20 --clients 5
    .venv/bin/python bench/faults.py --scenario postgres --cycles 5

Scenarios (each on a fresh data folder and database, with real `hafen run` processes):

- kill: one server, several clients and their counsellor's sockets; in every cycle the
  clients send a burst over /ws/k/ and the server gets SIGKILL once part of the burst
  is stored, then starts again. SQLite, or PostgreSQL with --db postgres.
- redis: two servers on a Redis of their own (redis-server on a free loopback port,
  never the shared one), clients on the first, the team on the second; in every cycle
  Redis stops while both sides write, and starts again.
- postgres: a PostgreSQL cluster of its own (initdb in a temporary folder, a free port;
  as the user postgres when run as root), restarted with `pg_ctl restart -m fast` in
  the middle of every burst: connections end and new ones are refused for a moment.

The clients behave as the page (door.js) does (``Talker`` in
hafen/conversations/tests/servers.py): an outbox under client-made ids, sent again
after a reconnect or an "unavailable" answer. Printed per scenario: messages sent,
acknowledged, stored, delivered (to the client and the counsellor, frames), and lost
and duplicated, which must both be 0: lost = sent or acknowledged but not stored (or
stored under another number than the ack said), or stored but not delivered to one of
the two; duplicated = an id stored twice or a frame delivered twice. Exit status 1 if
either is not 0.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEAM = "jugendberatung"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", choices=["kill", "redis", "postgres", "all"], default="all")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite", help="kill")
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--messages", type=int, default=20, help="per client and cycle (< 30)")
    return parser.parse_args()


@dataclass
class Tally:
    sent: int = 0
    acked: int = 0
    stored: int = 0
    delivered: int = 0
    lost: int = 0
    duplicated: int = 0
    refusals: int = 0
    reconnects: int = 0

    def line(self, name: str) -> str:
        return (
            f"{name:9} sent {self.sent:5}  acknowledged {self.acked:5}  stored {self.stored:5}  "
            f"delivered {self.delivered:5}  lost {self.lost}  duplicated {self.duplicated}  "
            f"(refused and retried {self.refusals}, reconnects {self.reconnects})"
        )


# -- a database of our own ---------------------------------------------------------------


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the user postgres then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class PrivateCluster:
    folder: Path
    port: int

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 - PostgreSQL's own tool, fixed arguments
            _as_postgres(
                [
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(self.folder / "data"),
                    "-l",
                    str(self.folder / "log"),
                    "-w",
                    *args,
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def restart(self) -> None:
        self.pg_ctl("restart", "-m", "fast")


@contextlib.contextmanager
def private_cluster(port: int) -> Iterator[PrivateCluster]:
    folder = Path(tempfile.mkdtemp(prefix="hafen-faults-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    subprocess.run(  # noqa: S603 - PostgreSQL's own tool, fixed arguments
        _as_postgres(
            [str(PG_BIN / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", "postgres"]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    cluster = PrivateCluster(folder, port)
    cluster.pg_ctl(
        "start", "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    )
    try:
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def database(kind: str, port: int = 5432) -> Iterator[str]:
    """A DATABASE_URL for a fresh database ("" for SQLite in the data folder)."""
    if kind == "sqlite":
        yield ""
        return
    import psycopg

    name = f"hafen_faults_{os.getpid()}"
    admin = f"host=127.0.0.1 port={port} user=postgres dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/{name}"
    finally:
        with (
            contextlib.suppress(psycopg.Error),
            psycopg.connect(admin, autocommit=True) as connection,
        ):
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- one scenario --------------------------------------------------------------------------


def run_scenario(args: argparse.Namespace, name: str, database_url: str, fault: str) -> Tally:
    """Set up Django on the database, start servers, run the cycles, count."""
    data_dir = Path(tempfile.mkdtemp(prefix="hafen-faults-"))
    os.environ.update(
        {
            "HAFEN_DATA_DIR": str(data_dir),
            "HAFEN_DB_CONN_MAX_AGE": "0",
            "DJANGO_SETTINGS_MODULE": "hafen.settings",
        }
    )
    os.environ.pop("REDIS_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import close_old_connections, connections

    from hafen.accounts import demo
    from hafen.accounts.models import Team
    from hafen.conversations.models import Conversation, DoorSettings, Message
    from hafen.conversations.tests.servers import (
        Browser,
        PrivateRedis,
        Server,
        Talker,
        free_port,
        in_threads,
        server_env,
        settle_all,
    )

    call_command("migrate", interactive=False, verbosity=0)
    demo.create_demo()
    DoorSettings.objects.update_or_create(
        team=Team.objects.get(slug=TEAM),
        defaults={
            "office_hours": {str(day): [["00:00", "23:59:59.999999"]] for day in range(1, 8)}
        },
    )
    connections.close_all()
    redis_server = PrivateRedis(data_dir / "redis.log").start() if fault == "redis" else None
    database_env = {"DATABASE_URL": database_url} if database_url else {}
    count = 2 if fault == "redis" else 1
    servers = [
        Server(
            port=free_port(),
            env=server_env(data_dir, database_env, redis_server.url if redis_server else ""),
            log=data_dir / f"server-{number}.log",
        )
        for number in range(count)
    ]
    tally = Tally()
    try:
        for server in servers:
            server.start()
        home, away = servers[0], servers[-1]
        sessions = [Browser(home).start_conversation(TEAM) for _ in range(args.clients)]
        conversations = list(Conversation.objects.order_by("pk"))
        staff = Browser(away).log_in("fachkraft", demo.DEMO_PASSWORD)
        clients = [Talker(home, "/ws/k/", session) for session in sessions]
        team = [Talker(away, f"/ws/posteingang/{c.pk}/", staff) for c in conversations]
        sent: list[set[str]] = [set() for _ in conversations]
        for talker in clients + team:
            talker.connect()

        for cycle in range(args.cycles):
            total = Message.objects.count()
            threshold = total + random.randint(2, args.clients * args.messages // 2)

            def burst(number: int, cycle: int = cycle) -> Callable[[], None]:
                def write() -> None:
                    for i in range(args.messages):
                        client_id = f"c{cycle}-{number}-{i:03d}"
                        sent[number].add(client_id)
                        clients[number].send(client_id, f"Nachricht {i} ({cycle})")
                        if fault == "redis" and i % 5 == 0:
                            answer = f"c{cycle}-team-{number}-{i:03d}"
                            sent[number].add(answer)
                            team[number].send(answer, f"Antwort {i}")
                            team[number].pump(0.005)
                        clients[number].pump(0.02)

                return write

            def strike(threshold: int = threshold) -> None:
                deadline = time.monotonic() + 30
                while Message.objects.count() < threshold and time.monotonic() < deadline:
                    time.sleep(0.005)
                if fault == "kill":
                    home.kill()
                    home.start()
                elif fault == "redis":
                    assert redis_server is not None
                    redis_server.stop()
                    time.sleep(1.0)
                    redis_server.start()
                else:
                    cluster.restart()
                close_old_connections()

            in_threads(*(burst(n) for n in range(args.clients)), strike)
            if database_url:
                # A restart leaves this process's pooled connections broken too.
                connections["default"].close()
                connections["default"].close_pool()  # type: ignore[attr-defined]  # PostgreSQL

            # As the page does every 30 s: ask for anything an event did not bring.
            for talker in clients + team:
                talker.ping_every = 1.0
            settle_all(clients, team, conversations, timeout=60)
            for talker in clients + team:
                talker.ping_every = 0.0

        close_old_connections()
        for number, conversation in enumerate(conversations):
            rows = list(
                Message.objects.filter(conversation=conversation)
                .order_by("seq")
                .values_list("seq", "client_msg_id")
            )
            seqs = [seq for seq, _ in rows]
            ids = [client_id for _, client_id in rows if client_id]
            by_id = {client_id: seq for seq, client_id in rows if client_id}
            writers = [clients[number], team[number]]
            acked = {i: s for w in writers for i, s in w.acked.items()}
            tally.sent += len(sent[number])
            tally.acked += len(acked)
            tally.stored += len(rows)
            tally.duplicated += len(ids) - len(set(ids))
            tally.lost += len(sent[number] - set(by_id))
            tally.lost += sum(1 for i, s in acked.items() if by_id.get(i) != s)
            for reader in writers:
                tally.delivered += len(reader.delivered)
                tally.duplicated += len(reader.delivered) - len(set(reader.delivered))
                tally.lost += len(set(seqs) - set(reader.delivered))
                tally.refusals += reader.refusals
                tally.reconnects += max(reader.reconnects - 1, 0)
        for talker in clients + team:
            talker.close()
    finally:
        for server in servers:
            server.stop()
        if redis_server is not None:
            redis_server.stop()
        connections.close_all()
        shutil.rmtree(data_dir, ignore_errors=True)
    print(tally.line(name), flush=True)
    return tally


cluster: PrivateCluster


def main() -> None:
    global cluster
    args = arguments()
    sys.path.insert(0, str(ROOT))
    if args.scenario == "all":
        # One process per scenario: Django is set up once per database.
        failed = False
        for scenario in ("kill", "redis", "postgres"):
            command = [sys.executable, __file__, "--scenario", scenario]
            command += ["--cycles", str(args.cycles), "--clients", str(args.clients)]
            command += ["--messages", str(args.messages), "--db", args.db]
            done = subprocess.run(command, check=False)  # noqa: S603 - this script again
            failed |= done.returncode != 0
        sys.exit(1 if failed else 0)
    if args.scenario == "redis" and not Path("/usr/bin/redis-server").exists():
        print("redis     skipped: no /usr/bin/redis-server")
        return
    if args.scenario == "postgres":
        if not (PG_BIN / "initdb").exists():
            print(f"postgres  skipped: no {PG_BIN / 'initdb'}")
            return
        from hafen.conversations.tests.servers import free_port

        with private_cluster(free_port()) as cluster, database("postgres", cluster.port) as url:
            tally = run_scenario(args, "postgres", url, "postgres")
    else:
        kind = args.db if args.scenario == "kill" else "sqlite"
        with database(kind) as url:
            tally = run_scenario(args, args.scenario, url, args.scenario)
    sys.exit(1 if tally.lost or tally.duplicated else 0)


if __name__ == "__main__":
    main()
