"""Case files at the size of a real organisation: page, save and search times.

    .venv/bin/python bench/cases.py                          # SQLite, 2,000 cases, 50 entries each
    .venv/bin/python bench/cases.py --db postgres            # a throwaway PostgreSQL database
    .venv/bin/python bench/cases.py --cases 500 --entries 20 --repeat 5

Builds, on a fresh data folder and database, the demo organisation and in its team
"Jugendberatung" --cases case files with --entries encrypted entries each (every case
with its own data key, every entry a sealed first version, as ``actions.add_entry``
writes them, but inserted in bulk so that building takes seconds, not an hour), plus
one case with --big entries. Then, as a counsellor of that team, it measures:

- the case page with --big entries: GET through Django's test client (middleware,
  access check, audit entry, decrypting every entry, rendering the template) and, on
  its own, ``queries.case_page`` (the reads and decryption without the template);
- saving an entry: ``actions.add_entry`` (checks, sealing, audit entry, commit);
- a search over everything the counsellor may see (``search.search``), for a word
  that occurs in no entry (the whole set is decrypted: the worst case) and for one in
  every tenth case.

Each figure is the median and the maximum of --repeat runs, in milliseconds of wall
time in this one process (the database server's time included for PostgreSQL).
Nothing leaves the machine; the data folder and the database are removed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
TEAM = "jugendberatung"
RARE_WORD = "Wohngeldbescheid"  # in every tenth case
PROSE = (
    "Gespräch mit der Mutter über die Schule, Termin beim Jugendamt vereinbart. "
    "Klient berichtet von Streit in der WG, Mietschulden, Kontakt zur Schuldnerberatung "
    "angeregt. Nächster Schritt: Unterlagen sichten, Antrag gemeinsam ausfüllen."
)
WORDS = PROSE.split()


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--entries", type=int, default=50, help="entries per case")
    parser.add_argument("--big", type=int, default=500, help="entries of the one big case")
    parser.add_argument("--repeat", type=int, default=7)
    return parser.parse_args()


@contextlib.contextmanager
def environment(args: argparse.Namespace) -> Iterator[None]:
    data_dir = Path(tempfile.mkdtemp(prefix="hafen-bench-cases-"))
    for key in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(key, None)
    os.environ.update(
        {
            "HAFEN_DATA_DIR": str(data_dir),
            "HAFEN_LOG_LEVEL": "WARNING",
            "HAFEN_ALLOWED_HOSTS": "testserver",  # Django's test client
            "DJANGO_SETTINGS_MODULE": "hafen.settings",
        }
    )
    database = ""
    if args.db == "postgres":
        import psycopg

        database = f"hafen_bench_{os.getpid()}_{secrets.token_hex(3)}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
            connections["default"].close_pool()  # type: ignore[attr-defined]
        if database:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(data_dir, ignore_errors=True)


def text(rng: random.Random, number: int, rare: bool) -> str:
    words = rng.choices(WORDS, k=rng.randint(40, 120))
    if rare:
        words.insert(rng.randrange(len(words)), RARE_WORD)
    return f"Eintrag {number}: " + " ".join(words)


def build(args: argparse.Namespace) -> tuple[Any, Any, float]:
    """The organisation, its cases and entries; returns (counsellor, big case, seconds)."""
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from hafen.accounts import demo
    from hafen.accounts.models import Membership, Role, Team, User
    from hafen.cases import actions
    from hafen.cases.models import ENTRY_TEXT_CONTEXT, CaseEntry, CaseEntryVersion, EntryKind
    from hafen.privacy import crypto

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    organisation = demo.create_demo()
    team = Team.objects.get(slug=TEAM)
    counsellor = User.objects.create(
        username="bench-cases", display_name="Fachkraft Bench", organisation=organisation
    )
    Membership.objects.create(
        user=counsellor, organisation=organisation, team=team, role=Role.COUNSELLOR
    )
    rng = random.Random(42)  # the same organisation every run
    kinds = [kind for kind, _label in EntryKind.choices]
    first_day = timezone.localdate() - timedelta(days=3 * 365)
    sizes = [args.entries] * args.cases + [args.big]
    big = None
    for number, size in enumerate(sizes):
        with transaction.atomic():
            case = actions.open_case(
                counsellor, team, pseudonym=f"Klient {number:05d}", opened_on=first_day
            )
            entries = CaseEntry.objects.bulk_create(
                CaseEntry(
                    case=case,
                    author=counsellor,
                    occurred_on=first_day + timedelta(days=rng.randrange(1000)),
                    kind=rng.choice(kinds),
                )
                for _ in range(size)
            )
            versions = CaseEntryVersion.objects.bulk_create(
                CaseEntryVersion(
                    entry=entry,
                    number=1,
                    occurred_on=entry.occurred_on,
                    kind=entry.kind,
                    author=counsellor,
                    text_sealed=crypto.encrypt_text(
                        case.data_key,
                        text(rng, index, rare=number % 10 == 0),
                        context=ENTRY_TEXT_CONTEXT,
                    ),
                )
                for index, entry in enumerate(entries)
            )
            for entry, version in zip(entries, versions, strict=True):
                entry.current_version = version
            CaseEntry.objects.bulk_update(entries, ["current_version"], batch_size=1000)
        big = case
        if number % 200 == 0:
            print(f"  … {number} of {len(sizes)} cases", flush=True)
    return counsellor, big, time.perf_counter() - started


def measure(repeat: int, work: Callable[[], object]) -> tuple[float, float]:
    work()  # warm: caches, compiled templates, the first connection
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    args = arguments()
    sys.path.insert(0, str(ROOT))
    with environment(args):
        import django

        django.setup()
        from django.db import connection
        from django.test import Client
        from django.urls import NoReverseMatch, reverse
        from django.utils import timezone

        from hafen.cases import access, actions, queries, search
        from hafen.cases.models import CaseEntry

        print(f"building {args.cases} cases of {args.entries} entries and one of {args.big} …")
        counsellor, big, seconds = build(args)
        total = CaseEntry.objects.count()
        print(f"built {total} entries in {seconds:.0f} s\n")

        client = Client()
        client.force_login(counsellor)
        rows: list[tuple[str, tuple[float, float]]] = []
        try:
            page_url = reverse("cases:case", args=[big.pk])
        except NoReverseMatch:
            page_url = ""
        if page_url:

            def get_page() -> None:
                response = client.get(page_url)
                assert response.status_code == 200, response.status_code

            rows.append(
                (f"case page, {args.big} entries (HTTP GET)", measure(args.repeat, get_page))
            )
        rows.append(
            (
                f"case page data, {args.big} entries (queries.case_page)",
                measure(
                    args.repeat,
                    lambda: queries.case_page(counsellor, access.access_case(counsellor, big.pk)),
                ),
            )
        )
        day = timezone.localdate()
        rows.append(
            (
                "save an entry (actions.add_entry)",
                measure(
                    args.repeat,
                    lambda: actions.add_entry(
                        counsellor,
                        big,
                        text="Telefonat mit der Schule, nächster Termin am Montag.",
                        kind="phone_call",
                        occurred_on=day,
                    ),
                ),
            )
        )
        nowhere = measure(args.repeat, lambda: search.search(counsellor, "Zeppelinhafen"))
        rows.append((f"search, no hit (decrypts all {total} entries)", nowhere))
        rare = measure(args.repeat, lambda: search.search(counsellor, RARE_WORD))
        rows.append((f"search, '{RARE_WORD}' (first {search.MAX_HITS} hits)", rare))

        print(f"bench/cases.py on {connection.vendor}, {total} entries,", end=" ")
        print(f"median and max of {args.repeat} runs:")
        for label, (median, worst) in rows:
            print(f"  {label:<58} {median:8.1f} ms  {worst:8.1f} ms")


if __name__ == "__main__":
    main()
