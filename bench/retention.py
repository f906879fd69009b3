"""The nightly retention run at the size of a real organisation: dry run and deletion.

    .venv/bin/python bench/retention.py                       # SQLite
    .venv/bin/python bench/retention.py --db postgres         # a throwaway PostgreSQL database
    .venv/bin/python bench/retention.py --conversations 2000 --cases 500

Builds, on a fresh data folder and database, the demo organisation with
--conversations anonymous conversations (each with --messages client messages), of
which half were last active more than 90 days ago, and --cases closed case files
(each with --entries sealed entries), of which half were closed more than ten years
ago and a tenth of those are under a legal hold. Then it measures:

- the dry run (``engine.plan_run``) and the DSB's preview page through Django's test
  client (which also counts the old audit entries);
- the run itself (``engine.apply_run``): records deleted per second (each one its own
  transaction: row lock, still-due check, key shredded, rows removed, deletion-log
  row, audit entry), and that it deleted exactly the due records;
- ``audit.verify()`` afterwards (the chain holds every building step's entries).

Wall time in this one process (the database server's time included for PostgreSQL).
Nothing leaves the machine; the data folder and the database are removed at the end.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from cases import environment  # noqa: E402  (the same throwaway data folder and database)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=3, help="messages per conversation")
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--entries", type=int, default=20, help="entries per case")
    return parser.parse_args()


def build(args: argparse.Namespace) -> tuple[set[int], set[int], float]:
    """The records; returns (due conversation ids, due case ids, seconds)."""
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from hafen.accounts import demo
    from hafen.accounts.models import Team, User
    from hafen.cases import actions as case_actions
    from hafen.cases.models import Case, CaseStatus
    from hafen.conversations import actions as conversation_actions
    from hafen.conversations.models import Conversation
    from hafen.privacy.retention.models import LegalHold

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    organisation = demo.create_demo()
    team = Team.objects.get(slug="jugendberatung")
    counsellor = User.objects.get(username="fachkraft", organisation=organisation)
    dpo = User.objects.get(username="datenschutz", organisation=organisation)
    now = timezone.now()
    due_chats: set[int] = set()
    for number in range(args.conversations):
        made = conversation_actions.start_conversation(team).conversation
        for index in range(args.messages):
            conversation_actions.post_client_message(
                made.pk,
                f"Nachricht {index} im Gespräch {number}",
                f"bench-{number:06d}-{index:03d}",
            )
        old = number % 2 == 0
        idle = timedelta(days=120 if old else 10)
        Conversation.objects.filter(pk=made.pk).update(last_activity_at=now - idle)
        if old:
            due_chats.add(made.pk)
        if number % 250 == 0:
            print(f"  … {number} of {args.conversations} conversations", flush=True)
    due_cases: set[int] = set()
    today = timezone.localdate()
    for number in range(args.cases):
        old = number % 2 == 0
        closed = today - timedelta(days=3700 if old else 400)
        with transaction.atomic():
            case = case_actions.open_case(
                counsellor,
                team,
                pseudonym=f"Klient {number:05d}",
                opened_on=closed - timedelta(days=300),
            )
            for index in range(args.entries):
                case_actions.add_entry(
                    counsellor,
                    case,
                    text=f"Eintrag {index}: Gespräch über Schule und Wohnung.",
                    kind="note",
                    occurred_on=closed - timedelta(days=200 - index),
                )
            Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_on=closed)
            if old and number % 20 == 0:
                LegalHold.objects.create(case=case, reason="Verfahren anhängig", placed_by=dpo)
            elif old:
                due_cases.add(case.pk)
        if number % 100 == 0:
            print(f"  … {number} of {args.cases} cases", flush=True)
    return due_chats, due_cases, time.perf_counter() - started


def main() -> None:
    args = arguments()
    with environment(args):
        import django

        django.setup()
        from django.test import Client

        from hafen.accounts.models import User
        from hafen.cases.models import Case
        from hafen.conversations.models import Conversation
        from hafen.privacy import audit
        from hafen.privacy.retention import engine

        print(f"building {args.conversations} conversations and {args.cases} closed cases …")
        due_chats, due_cases, seconds = build(args)
        print(f"built in {seconds:.0f} s\n")

        started = time.perf_counter()
        plan = engine.plan_run()
        dry = time.perf_counter() - started
        planned = {(item.kind, item.record_id) for item in plan}
        expected = {("conversation", pk) for pk in due_chats} | {("case", pk) for pk in due_cases}
        assert planned == expected, "the dry run names exactly the due records"

        browser = Client()
        browser.force_login(User.objects.get(username="datenschutz"))
        browser.get("/datenschutz/")  # warm: URL configuration, templates, first session
        started = time.perf_counter()
        response = browser.get("/datenschutz/aufbewahrung/vorschau/")
        page = time.perf_counter() - started
        assert response.status_code == 200

        started = time.perf_counter()
        report = engine.apply_run()
        run = time.perf_counter() - started
        assert report.total_deleted == len(expected) and not report.failed
        assert not Conversation.objects.filter(pk__in=due_chats).exists()
        assert not Case.objects.filter(pk__in=due_cases).exists()

        started = time.perf_counter()
        result = audit.verify()
        verify = time.perf_counter() - started
        assert result.ok

        rows = [
            ("database", args.db),
            ("records due (conversations + case files)", f"{len(due_chats)} + {len(due_cases)}"),
            ("dry run (plan_run)", f"{dry * 1000:.0f} ms"),
            ("preview page, HTTP GET", f"{page * 1000:.0f} ms"),
            ("run (apply_run)", f"{run:.1f} s"),
            ("records deleted per second", f"{report.total_deleted / run:.0f}"),
            ("audit verify afterwards", f"{verify * 1000:.0f} ms for {result.checked} entries"),
        ]
        width = max(len(label) for label, _value in rows)
        for label, value in rows:
            print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
