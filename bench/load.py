"""Soak: 1,000 client websockets and 50 counsellors for ten minutes, on PostgreSQL and Redis.

    .venv/bin/python bench/load.py                                  # the issue's soak, 10 min
    .venv/bin/python bench/load.py --minutes 2 --rate 100           # shorter
    .venv/bin/python bench/load.py --db sqlite --layer memory --processes 1

The same machinery as bench/chat_load.py (its own data folder, database and Redis
keyspace; `hafen run --no-worker` processes on loopback ports; conversations made through
``actions.start_conversation``; every client on /ws/k/, every conversation watched by its
counsellor on /ws/posteingang/<id>/ and each counsellor's staff socket open; counsellors
answer with "seen" after 300 ms as door.js does), held for a long time: the clients send
--rate messages per second in total, open loop, for --minutes.

It prints, per --window seconds (by the time a message was sent): messages sent,
accepted (acknowledged) and delivered to the counsellor, send-to-ack and
send-to-delivery latency p50/p95/p99, messages not acknowledged or not delivered, and the
servers' resident memory and CPU at the end of the window — a leak or a growing backlog
shows as a rising column. Then: memory per connection (resident memory of the servers
with every socket open and greeted, minus before any socket, divided by the sockets),
errors of every kind (there must be none) and the totals.

Loopback only; bounded in sockets (at most 5,000), time (at most 60 minutes) and drain.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import chat_load  # the servers, population and socket load are the chat bench's


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--layer", choices=["memory", "redis"], default="redis")
    parser.add_argument("--processes", type=int, default=2, help="server processes")
    parser.add_argument("--clients", type=int, default=1000, help="client sockets")
    parser.add_argument("--counsellors", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the soak")
    parser.add_argument("--rate", type=float, default=200.0, help="messages per second, total")
    parser.add_argument("--window", type=float, default=60.0, help="seconds per report line")
    parser.add_argument("--drain", type=float, default=30.0, help="max seconds to wait after")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--keep", action="store_true", help="keep the data folder (logs)")
    args = parser.parse_args()
    limits = {
        "clients": (1, 5000),
        "counsellors": (1, 200),
        "minutes": (0.1, 60),
        "rate": (1, 5000),
        "processes": (1, 8),
        "window": (5, 600),
        "drain": (1, 120),
    }
    chat_load.check_limits(parser, args, limits)
    if args.processes > 1 and args.layer != "redis":
        parser.error("several processes need --layer redis (the in-process layer is per process)")
    if args.counsellors > args.clients:
        parser.error("--counsellors must not exceed --clients")
    # What chat_load's Load reads.
    args.duration = args.minutes * 60
    args.no_seen = False
    args.profile = None
    return args


def resident_mb(server: chat_load.Server) -> float:
    try:
        for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class Sample:
    at: float
    resident_mb: list[float]
    cpu_seconds: list[float]


async def sample_servers(
    servers: list[chat_load.Server], every: float, samples: list[Sample]
) -> None:
    while True:
        samples.append(
            Sample(
                time.perf_counter(),
                [resident_mb(s) for s in servers],
                [s.cpu_seconds() for s in servers],
            )
        )
        await asyncio.sleep(every)


def quantiles_ms(values: list[float]) -> str:
    if not values:
        return f"{'—':>17}"
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] * 1000

    return f"{at(0.50):5.0f} {at(0.95):5.0f} {at(0.99):5.0f}"


def report_windows(
    args: argparse.Namespace,
    figures: chat_load.Figures,
    start: float,
    samples: list[Sample],
) -> None:
    acked_by_id = figures.acked
    print()
    print(
        f"{'minute':>7} {'sent':>7} {'acked':>7} {'deliv.':>7} {'msg/s':>6}  "
        f"{'ack p50/95/99 ms':>17}  {'deliv. p50/95/99':>17}  {'no ack':>6} {'undeliv.':>8}  "
        f"{'RSS MB':>13} {'CPU %':>9}"
    )
    windows = int(args.duration // args.window) + (1 if args.duration % args.window else 0)
    previous = samples[0] if samples else None
    for number in range(windows):
        low, high = start + number * args.window, start + (number + 1) * args.window
        ids = [mid for mid, sent in figures.sent_at.items() if low <= sent < high]
        acked = [mid for mid in ids if mid in acked_by_id]
        ack_latency = [acked_by_id[mid][0] - figures.sent_at[mid] for mid in acked]
        delivered_latency = []
        undelivered = 0
        for mid in acked:
            _t, conversation, seq = acked_by_id[mid]
            arrived = figures.delivered.get((conversation, seq))
            if arrived is None:
                undelivered += 1
            else:
                delivered_latency.append(arrived - figures.sent_at[mid])
        sample = next((s for s in samples if s.at >= high), samples[-1] if samples else None)
        memory = cpu = "—"
        if sample is not None and previous is not None:
            memory = "+".join(f"{mb:.0f}" for mb in sample.resident_mb)
            seconds = max(sample.at - previous.at, 1e-9)
            cpu = "+".join(
                f"{(now - before) / seconds * 100:.0f}"
                for now, before in zip(sample.cpu_seconds, previous.cpu_seconds, strict=True)
            )
            previous = sample
        print(
            f"{(number + 1) * args.window / 60:7.1f} {len(ids):7d} {len(acked):7d} "
            f"{len(delivered_latency):7d} {len(ids) / args.window:6.0f}  "
            f"{quantiles_ms(ack_latency):>17}  {quantiles_ms(delivered_latency):>17}  "
            f"{len(ids) - len(acked):6d} {undelivered:8d}  {memory:>13} {cpu:>9}"
        )


async def soak(
    args: argparse.Namespace,
    population: chat_load.Population,
    servers: list[chat_load.Server],
) -> None:
    load = chat_load.Load(args, population, [s.port for s in servers])
    idle = [resident_mb(s) for s in servers]
    connect_started = time.perf_counter()
    clients = await load.open_all()
    await asyncio.sleep(2)  # settle: every greeting answered, buffers freed
    opened = [resident_mb(s) for s in servers]
    sockets = len(load.sockets)
    print(
        f"{sockets} sockets ({len(clients)} clients, {args.counsellors} counsellors with their "
        f"conversations and staff sockets) connected and greeted in "
        f"{time.perf_counter() - connect_started:.1f} s; soaking for {args.minutes:g} min at "
        f"{args.rate:g} messages/s …",
        flush=True,
    )
    samples: list[Sample] = []
    sampler = asyncio.create_task(sample_servers(servers, min(args.window, 10.0), samples))
    try:
        start, end = await load.drive(clients)
        await load.wait_for_stragglers()
    finally:
        sampler.cancel()
        await load.close()
    figures = load.figures
    report_windows(args, figures, start, samples)
    undelivered = sum(
        1 for _t, conv, seq in figures.acked.values() if (conv, seq) not in figures.delivered
    )
    ack_latency = [t - figures.sent_at[mid] for mid, (t, _c, _s) in figures.acked.items()]
    delivery_latency = [
        figures.delivered[(conv, seq)] - figures.sent_at[mid]
        for mid, (_t, conv, seq) in figures.acked.items()
        if (conv, seq) in figures.delivered
    ]
    seconds = end - start
    print()
    print(
        f"load: {args.db} + {args.layer} layer, {args.processes} process(es), "
        f"{len(clients)} clients, {args.counsellors} counsellors, {sockets} sockets, "
        f"{args.rate:g} msg/s offered for {seconds / 60:.1f} min"
    )
    rows = [
        ("messages sent", f"{len(figures.sent_at)} ({len(figures.sent_at) / seconds:.0f}/s)"),
        ("accepted (ack)", str(len(figures.acked))),
        ("delivered to the counsellor", str(len(figures.delivered))),
        ("not acknowledged", str(len(figures.sent_at) - len(figures.acked))),
        ("acknowledged, not delivered", str(undelivered)),
        ("errors", ", ".join(f"{k}: {v}" for k, v in figures.errors.items()) or "none"),
        ("send → ack ms p50/95/99", quantiles_ms(ack_latency)),
        ("send → counsellor ms p50/95/99", quantiles_ms(delivery_latency)),
        (
            "server resident MB: idle → sockets open → end",
            f"{sum(idle):.0f} → {sum(opened):.0f} → "
            f"{sum(samples[-1].resident_mb) if samples else 0:.0f}",
        ),
        (
            "memory per connection",
            f"{(sum(opened) - sum(idle)) * 1024 / max(sockets, 1):.1f} KB",
        ),
        ("server peak RSS", " + ".join(f"{s.peak_rss_mb():.0f}" for s in servers) + " MB"),
        ("machine load average (1 min)", f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")


def main() -> None:
    args = arguments()
    with chat_load.environment(args) as env:
        started = time.perf_counter()
        population = chat_load.populate(args, env)
        print(
            f"{args.clients} conversations and {args.counsellors} counsellors made in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        with chat_load.servers(args.processes, env) as server_list:
            gc.collect()
            gc.freeze()
            gc.set_threshold(20_000, 50, 100)
            chat_load.event_loop_runner()(soak(args, population, server_list))


if __name__ == "__main__":
    main()
