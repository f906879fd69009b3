"""Through real server processes: two processes sharing Redis, and a crash in the middle.

What only separate processes can show: that the Channels layer in Redis carries a
message from a socket on one process to a socket on another, and that a server killed
without warning loses nothing a client was told was sent — the client reconnects,
says where it stopped, and gets exactly what it missed, once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from websockets.exceptions import InvalidStatus

from hafen.accounts import demo
from hafen.accounts.models import Team, User
from hafen.conversations import actions
from hafen.conversations.models import Conversation, DoorSettings, Message, Sender
from hafen.conversations.tests.servers import (
    SERVER_APPLICATION_NAME,
    Browser,
    PrivateRedis,
    Server,
    Socket,
    Talker,
    database_for_servers,
    free_port,
    in_threads,
    redis_keys_forget,
    server_env,
    settle_all,
)

# Real hashing: the servers check the demo passwords with the configured hashers.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_hashing]

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
TEAM = "jugendberatung"


@dataclass
class Shared:
    data_dir: Path
    database: dict[str, str]


@pytest.fixture
def shared(transactional_db, tmp_path: Path) -> Iterator[Shared]:
    """The demo organisation in a database the test and its servers both open."""
    with database_for_servers(tmp_path) as database:
        demo.create_demo()
        # Office hours all day, every day: no automatic answer slips between messages.
        DoorSettings.objects.update_or_create(
            team=Team.objects.get(slug=TEAM),
            defaults={
                "office_hours": {str(day): [["00:00", "23:59:59.999999"]] for day in range(1, 8)}
            },
        )
        yield Shared(tmp_path, database)


@pytest.fixture
def servers(shared: Shared) -> Iterator[Callable[..., list[Server]]]:
    """Start servers on free ports (at the same time); all are stopped when the test ends."""
    started: list[Server] = []

    def start(count: int = 1, redis_url: str = "") -> list[Server]:
        batch = [
            Server(
                port=free_port(),
                env=server_env(shared.data_dir, shared.database, redis_url),
                log=shared.data_dir / f"server-{len(started) + number}.log",
            )
            for number in range(1, count + 1)
        ]
        started.extend(batch)
        for server in batch:
            server.launch()
        return [server.wait_ready() for server in batch]

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        if os.environ.get("HAFEN_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis at {REDIS_URL} is required (HAFEN_REQUIRE_REDIS=1).")
        pytest.skip(f"no Redis at {REDIS_URL}")
    # The door counts new conversations per address in the shared cache; loopback must
    # not be throttled by the runs of the last hour.
    redis_keys_forget(REDIS_URL, "hafen:*door-throttle:*")
    return REDIS_URL


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A Redis of this test's own, to stop and start: never the shared one."""
    if not Path(PrivateRedis.BINARY).exists():
        if os.environ.get("HAFEN_REQUIRE_REDIS") == "1":
            pytest.fail(f"{PrivateRedis.BINARY} is required (HAFEN_REQUIRE_REDIS=1).")
        pytest.skip(f"no {PrivateRedis.BINARY}")
    redis_server = PrivateRedis(tmp_path / "redis.log").start()
    yield redis_server
    redis_server.stop()


def _greeted(socket: Socket) -> Socket:
    """Say hello from the start; the answer ends with the other side's receipts."""
    socket.send(type="hello", after=0)
    socket.next("receipts")
    return socket


def _last_seq(conversation: Conversation) -> int:
    conversation.refresh_from_db(fields=["last_seq"])
    return conversation.last_seq


def test_a_message_through_one_process_reaches_a_counsellor_on_the_other_and_back(
    servers, redis_url
) -> None:
    first, second = servers(2, redis_url)
    client_session = Browser(first).start_conversation(TEAM)
    conversation = Conversation.objects.get()
    staff_session = Browser(second).log_in("fachkraft", demo.DEMO_PASSWORD)
    client = _greeted(Socket(first, "/ws/k/", client_session))
    counsellor = _greeted(Socket(second, f"/ws/posteingang/{conversation.pk}/", staff_session))
    inbox = Socket(second, "/ws/staff/", staff_session)

    client.send(type="send", id="process-a-0001", body="Hallo, hier schreibt Prozess A.")
    ack = client.next("ack")

    heard = counsellor.next("message")
    assert ack == {"type": "ack", "id": "process-a-0001", "seq": 1, "duplicate": False}
    assert (heard["seq"], heard["sender"], heard["own"], heard["body"]) == (
        1,
        Sender.CLIENT,
        False,
        "Hallo, hier schreibt Prozess A.",
    )
    event = inbox.next("event", lambda f: f["payload"]["kind"] == "conversation.message")
    assert event["payload"] == {"kind": "conversation.message", "conversation": conversation.pk}

    counsellor.send(type="send", id="process-b-0001", body="Antwort aus Prozess B.")
    assert counsellor.next("ack")["seq"] == 2

    answer = client.next("message", lambda f: f["sender"] == Sender.STAFF)
    assert (answer["seq"], answer["own"], answer["body"]) == (2, False, "Antwort aus Prozess B.")
    stored = Message.objects.filter(conversation=conversation).values_list("seq", "sender")
    assert list(stored) == [(1, Sender.CLIENT), (2, Sender.STAFF)]
    for socket in (client, counsellor, inbox):
        socket.close()


# redis-py 8 gives up reading after 5 s by default, while the Channels layer waits up to
# 5 s for the next event in one blocking read: a quiet socket must outlive both.
QUIET_LONGER_THAN_REDIS_READ_TIMEOUT = 6.5


def test_a_quiet_socket_on_the_redis_layer_stays_open_and_still_hears_the_next_message(
    servers, redis_url
) -> None:
    (server,) = servers(1, redis_url)
    client = _greeted(Socket(server, "/ws/k/", Browser(server).start_conversation(TEAM)))

    assert client.quiet(QUIET_LONGER_THAN_REDIS_READ_TIMEOUT) == []

    client.send(type="send", id="still-here-01", body="Ich bin noch da.")
    assert client.next("ack")["seq"] == 1
    # The message frame comes back only through the layer's event: Redis still answers.
    echo = client.next("message")
    assert (echo["seq"], echo["own"], echo["body"]) == (1, True, "Ich bin noch da.")
    client.close()


def test_after_a_crash_the_client_gets_exactly_what_it_missed_and_a_resend_stores_nothing(
    servers,
) -> None:
    (server,) = servers()
    session = Browser(server).start_conversation(TEAM)
    conversation = Conversation.objects.get()
    client = _greeted(Socket(server, "/ws/k/", session))

    client.send(type="send", id="before-crash-01", body="Ist meine Nachricht angekommen?")
    ack = client.next("ack")
    server.kill()
    # A browser still reads what had arrived before the connection broke.
    client.drain()

    # The ack promised a committed message: the crash cannot have taken it.
    stored = Message.objects.get(conversation=conversation, client_msg_id="before-crash-01")
    assert ack == {"type": "ack", "id": "before-crash-01", "seq": stored.seq, "duplicate": False}
    seen_before = [f["seq"] for f in client.received if f["type"] == "message"]
    last_seen = max(seen_before, default=0)

    # While the server is down, the team answers (through another process: this one).
    counsellor = User.objects.get(username="fachkraft")
    answers = ["Ja, sie ist angekommen.", "Wie können wir Ihnen helfen?"]
    for text in answers:
        actions.post_staff_message(counsellor, conversation.pk, text)

    server.start()
    client = Socket(server, "/ws/k/", session)
    client.send(type="hello", after=last_seen)
    caught_up = [f for f in client.until("receipts") if f["type"] == "message"]

    missed = list(
        Message.objects.filter(conversation=conversation, seq__gt=last_seen)
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    assert [f["seq"] for f in caught_up] == missed
    assert [f["body"] for f in caught_up if f["sender"] == Sender.STAFF] == answers
    # Nothing twice across the crash, nothing left out.
    assert sorted(seen_before + missed) == list(range(1, _last_seq(conversation) + 1))

    client.send(type="send", id="before-crash-01", body="Ist meine Nachricht angekommen?")
    assert client.next("ack") == {
        "type": "ack",
        "id": "before-crash-01",
        "seq": stored.seq,
        "duplicate": True,
    }
    assert client.quiet(0.5) == []
    assert Message.objects.filter(conversation=conversation).count() == 1 + len(answers)
    client.close()


def test_a_real_server_refuses_foreign_origins_and_sockets_without_the_right_session(
    servers,
) -> None:
    (server,) = servers()
    session = Browser(server).start_conversation(TEAM)
    conversation = Conversation.objects.get()

    refused = [
        ("/ws/k/", session, "http://evil.example"),
        ("/ws/k/", "", ""),
        # A client's session is no key to the team's side of its own conversation.
        (f"/ws/posteingang/{conversation.pk}/", session, ""),
    ]
    for path, session_id, origin in refused:
        with pytest.raises(InvalidStatus) as rejected:
            Socket(server, path, session_id, origin=origin)
        assert rejected.value.response.status_code == 403, path

    # The same session from the right origin is let in: the refusals above were real.
    _greeted(Socket(server, "/ws/k/", session)).close()


BURST_CLIENTS = 3
BURST_MESSAGES = 20  # each; below the socket's 30 a window, so none is refused as too fast


def assert_nothing_lost_nothing_twice(
    conversation: Conversation, writers: list[Talker], readers: list[Talker], sent: set[str]
) -> None:
    """Every acknowledged message stored once under its seq, every sent one stored once,
    and every reader got every message once, in order."""
    stored = list(
        Message.objects.filter(conversation=conversation)
        .order_by("seq")
        .values_list("seq", "client_msg_id")
    )
    seqs = [seq for seq, _ in stored]
    assert seqs == list(range(1, len(stored) + 1)), "sequence numbers without gaps"
    by_id = {client_id: seq for seq, client_id in stored if client_id}
    assert len(by_id) == len([1 for _, client_id in stored if client_id]), "an id stored twice"
    assert set(by_id) == sent, "every sent message is stored (and nothing else)"
    for writer in writers:
        for client_id, seq in writer.acked.items():
            assert by_id[client_id] == seq, ("acknowledged, then lost or moved", client_id)
    for reader in readers:
        assert reader.delivered == seqs, (
            "delivered out of order, twice or not at all",
            reader.path,
        )


def test_a_crash_during_a_burst_loses_no_acknowledged_message_and_stores_none_twice(
    servers,
) -> None:
    (server,) = servers()
    sessions = [Browser(server).start_conversation(TEAM) for _ in range(BURST_CLIENTS)]
    conversations = list(Conversation.objects.order_by("pk"))
    staff_session = Browser(server).log_in("fachkraft", demo.DEMO_PASSWORD)
    clients = [Talker(server, "/ws/k/", session) for session in sessions]
    team = [
        Talker(server, f"/ws/posteingang/{conversation.pk}/", staff_session)
        for conversation in conversations
    ]
    for talker in clients + team:
        assert talker.connect()
    sent = [{f"burst-{n}-{i:04d}" for i in range(BURST_MESSAGES)} for n in range(BURST_CLIENTS)]

    def burst(number: int) -> Callable[[], None]:
        def write() -> None:
            client = clients[number]
            for i in range(BURST_MESSAGES):
                client.send(f"burst-{number}-{i:04d}", f"Nachricht {i} von {number}")
                client.pump(0.01)
            client.pump(0.5)

        return write

    def crash() -> None:
        # SIGKILL once a third of the burst is stored: the rest is on the wire or queued.
        deadline = time.monotonic() + 20
        while Message.objects.count() < BURST_CLIENTS * BURST_MESSAGES // 3:
            assert time.monotonic() < deadline, server.tail()
            time.sleep(0.005)
        server.kill()

    in_threads(*(burst(n) for n in range(BURST_CLIENTS)), crash)
    acked_before = sum(len(client.acked) for client in clients)
    assert 0 < acked_before < BURST_CLIENTS * BURST_MESSAGES, "the crash came mid-burst"

    server.start()

    settle_all(clients, team, conversations)
    for number, conversation in enumerate(conversations):
        assert_nothing_lost_nothing_twice(
            conversation, [clients[number]], [clients[number], team[number]], sent[number]
        )
    for talker in clients + team:
        talker.close()


OUTAGE_CLIENTS = 2


def test_while_redis_is_away_clients_on_one_process_and_the_team_on_another_lose_nothing(
    servers, private_redis
) -> None:
    first, second = servers(2, private_redis.url)
    sessions = [Browser(first).start_conversation(TEAM) for _ in range(OUTAGE_CLIENTS)]
    conversations = list(Conversation.objects.order_by("pk"))
    staff_session = Browser(second).log_in("fachkraft", demo.DEMO_PASSWORD)
    # No pings: what the events lost while Redis was away must come with the next
    # event, through the subscriptions the processes renew when Redis is back.
    clients = [Talker(first, "/ws/k/", session) for session in sessions]
    team = [
        Talker(second, f"/ws/posteingang/{conversation.pk}/", staff_session)
        for conversation in conversations
    ]
    everyone = clients + team
    sent: list[set[str]] = [set() for _ in conversations]

    def talk(phase: str, messages: int = 3, answer: bool = True) -> None:
        for number, (client, member) in enumerate(zip(clients, team, strict=True)):
            for i in range(messages):
                client_id = f"{phase}-{number}-{i}"
                client.send(client_id, f"{phase}: Nachricht {i}")
                sent[number].add(client_id)
            if answer:
                member.send(f"{phase}-team-{number}", f"{phase}: Antwort")
                sent[number].add(f"{phase}-team-{number}")
        for talker in everyone:
            talker.pump(0.1)

    def settle(talker: Talker, conversation: Conversation) -> Callable[[], None]:
        return lambda: talker.settle(
            lambda: not talker.outbox and talker.last_seq == _last_seq(conversation)
        )

    def all_settle() -> None:
        in_threads(*(settle(t, c) for t, c in zip(clients + team, conversations * 2, strict=True)))

    for talker in everyone:
        assert talker.connect()
    talk("before")
    all_settle()

    listening = set(redis.Redis.from_url(private_redis.url).pubsub_channels())

    def restart_redis(while_away: Callable[[], None]) -> None:
        private_redis.stop()
        while_away()
        private_redis.start()
        renewed = redis.Redis.from_url(private_redis.url)
        deadline = time.monotonic() + 20
        while not listening <= set(renewed.pubsub_channels()):
            assert time.monotonic() < deadline, "the processes did not subscribe again"
            for talker in everyone:
                talker.pump(0.05)

    def away() -> None:
        talk("during")
        for talker in everyone:
            talker.pump(0.3)

    restart_redis(away)
    # One message a conversation, the first events the clients' process publishes since
    # Redis came back: each is the only thing that brings the missed messages along.
    talk("after", messages=1, answer=False)
    all_settle()
    # A restart while all are quiet: the processes' connections for publishing are all
    # stale now, and the first event through each must still go out.
    restart_redis(lambda: None)
    talk("quiet", messages=1, answer=False)
    all_settle()

    for number, conversation in enumerate(conversations):
        writers = [clients[number], team[number]]
        assert_nothing_lost_nothing_twice(conversation, writers, writers, sent[number])
    for talker in everyone:
        talker.close()


def _cut_the_servers_connections() -> int:
    """Every connection of the servers is ended, as a restart ends them (not the test's:
    the servers name theirs, see ``servers.SERVER_APPLICATION_NAME``)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [SERVER_APPLICATION_NAME],
        )
        return int(cursor.fetchone()[0])


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="PostgreSQL only (SQLite has no server to lose)",
)
def test_postgresql_dropping_every_connection_during_a_burst_loses_and_doubles_nothing(
    servers,
) -> None:
    """What a PostgreSQL restart does to the servers: every connection ends at once,
    in whatever transaction it was (a pooled one is found broken only when used next).
    Ended here with pg_terminate_backend, again and again while the clients send, so
    that commits, acks and reads are cut at every stage; a real restart of a private
    cluster, with its refused connections in between, is in bench/faults.py."""
    (server,) = servers()
    sessions = [Browser(server).start_conversation(TEAM) for _ in range(BURST_CLIENTS)]
    conversations = list(Conversation.objects.order_by("pk"))
    staff_session = Browser(server).log_in("fachkraft", demo.DEMO_PASSWORD)
    clients = [Talker(server, "/ws/k/", session) for session in sessions]
    team = [
        Talker(server, f"/ws/posteingang/{conversation.pk}/", staff_session)
        for conversation in conversations
    ]
    for talker in clients + team:
        assert talker.connect()
    sent = [{f"pg-{n}-{i:04d}" for i in range(BURST_MESSAGES)} for n in range(BURST_CLIENTS)]
    cuts: list[int] = []

    def burst(number: int) -> Callable[[], None]:
        def write() -> None:
            for i in range(BURST_MESSAGES):
                clients[number].send(f"pg-{number}-{i:04d}", f"Nachricht {i} von {number}")
                clients[number].pump(0.02)

        return write

    def cut() -> None:
        while Message.objects.count() < BURST_CLIENTS * BURST_MESSAGES // 4:
            time.sleep(0.005)
        for _ in range(5):
            cuts.append(_cut_the_servers_connections())
            time.sleep(0.1)

    in_threads(*(burst(n) for n in range(BURST_CLIENTS)), cut)
    assert sum(cuts) > 0, "the servers' connections were cut"

    settle_all(clients, team, conversations)
    for number, conversation in enumerate(conversations):
        assert_nothing_lost_nothing_twice(
            conversation, [clients[number]], [clients[number], team[number]], sent[number]
        )
    # The server is still the same process: it got over it without a restart.
    assert server.process is not None and server.process.poll() is None
    for talker in clients + team:
        talker.close()
