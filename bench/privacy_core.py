"""Figures for the privacy core: how fast sealing, shredding and the audit chain are.

    HAFEN_DATA_DIR=$(mktemp -d) .venv/bin/python bench/privacy_core.py [--n 5000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hafen_bench ... (database must exist)

Prints operations per second and peak memory. Uses its own data folder / database:
it migrates it and writes audit entries there.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hafen.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from hafen.privacy import audit, crypto  # noqa: E402

MESSAGE = ("Hallo, ich habe einen Brief vom Jobcenter bekommen und verstehe ihn nicht. " * 6)[:400]


def rate(label: str, count: int, action: Callable[[int], object]) -> None:
    started = time.perf_counter()
    latencies = []
    for i in range(count):
        t0 = time.perf_counter()
        action(i)
        latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    p50 = statistics.median(latencies) * 1e6
    p99 = sorted(latencies)[int(len(latencies) * 0.99) - 1] * 1e6
    print(f"{label:<44} {count / elapsed:>10.0f}/s   p50 {p50:>8.1f} µs   p99 {p99:>8.1f} µs")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000)
    n = parser.parse_args().n
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}, n = {n}, message {len(MESSAGE.encode())} bytes")

    key = crypto.create_data_key("bench")
    sealed = crypto.encrypt_text(key, MESSAGE, context="bench")
    rate(
        "encrypt_text (unwrap data key + AES-GCM)",
        n,
        lambda i: crypto.encrypt_text(key, MESSAGE, context="bench"),
    )
    rate("decrypt_text", n, lambda i: crypto.decrypt_text(key, sealed, context="bench"))
    rate("create_data_key (one DB insert)", n // 5, lambda i: crypto.create_data_key("bench"))
    rate(
        "audit.record (locked append, one transaction)",
        n // 5,
        lambda i: audit.record("bench.op", step=i),
    )
    entries = audit.verify().checked
    started = time.perf_counter()
    result = audit.verify()
    elapsed = time.perf_counter() - started
    print(
        f"{'audit.verify':<44} {entries / elapsed:>10.0f} entries/s "
        f"({entries} entries, intact={result.ok})"
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
