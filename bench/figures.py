"""The figures pages over a realistic year: how long each page takes.

    .venv/bin/python bench/figures.py                      # SQLite: 50,000 conversations …
    .venv/bin/python bench/figures.py --db postgres        # a throwaway PostgreSQL database
    .venv/bin/python bench/figures.py --conversations 5000 --messages 50000 --cases 500

Builds, on a fresh data folder and database, the demo organisation and one year (the 12
months before this one) of its work, spread over its teams with a day and week rhythm:
--conversations conversations with --messages messages in all (client and team
alternating, answers minutes to days later, a few automatic replies), --cases case files
(two thirds closed), handovers (a tenth of the conversations came over the bridge) and
300 posts with versions and deliveries. Rows are inserted in bulk with the times they
would have had; message bodies are placeholders (the figures never read a body).

Then it runs the nightly count of closed months (``tally``) and, as leadership, requests
every figures page for that year through Django's test client (middleware, access check,
the queries, the template) — cold (no month counted before: the first page after an
install), fresh (closed months kept, the open months counted: a page while no worker
runs) and --repeat times as usual (the open months' counts kept by the worker or the
page before, younger than a quarter of an hour) — and the
annual report of the calendar year of the last month as a page and as a PDF, and prints
the times in milliseconds. Aim: every page under 500 ms, the report under 10 s.
"""

from __future__ import annotations

import argparse
import random
import secrets
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases import ROOT, environment, measure  # the same throwaway setup

PAGES = (
    "erreichbarkeit",
    "antwortzeiten",
    "bruecke",
    "umfang",
    "oeffentlichkeit",
    "netzwerk",
    "ziele",
)
ORIGINS = ["door"] * 70 + ["instagram"] * 12 + ["facebook"] * 6 + ["whatsapp"] * 8 + ["email"] * 4


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--conversations", type=int, default=50_000)
    parser.add_argument("--messages", type=int, default=500_000)
    parser.add_argument("--cases", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=5)
    return parser.parse_args()


def _without_auto_now(*models: Any) -> None:
    """Bulk rows keep the times given here (``auto_now_add`` would stamp them all now)."""
    for model in models:
        model._meta.get_field("created_at").auto_now_add = False


def _moment(rng: random.Random, first: date, days: int, tz: Any) -> datetime:
    """A time in the year with a rhythm: weekdays and afternoons and evenings more often."""
    while True:
        day = first + timedelta(days=rng.randrange(days))
        if day.weekday() < 5 or rng.random() < 0.4:
            break
    hour = min(23, max(0, int(rng.gauss(15, 4))))
    return datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=tz)


def build(args: argparse.Namespace) -> tuple[Any, date, float]:
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from hafen.accounts import demo
    from hafen.accounts.models import Team, User
    from hafen.bridge.models import Handover
    from hafen.cases.models import Case
    from hafen.conversations.models import Conversation, Message
    from hafen.privacy.models import DataKey
    from hafen.publishing.models import (
        Channel,
        ChannelKind,
        Delivery,
        DeliveryState,
        Post,
        PostState,
        PostVersion,
    )

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    organisation = demo.create_demo()
    leader = User.objects.get(username="leitung")
    counsellor = User.objects.get(username="fachkraft")
    teams = list(Team.objects.filter(facility__organisation=organisation))
    _without_auto_now(Conversation, Message, Case, Handover, Post, PostVersion)
    rng = random.Random(7)
    tz = timezone.get_current_timezone()
    this_month = timezone.localdate().replace(day=1)
    first = date(this_month.year - 1, this_month.month, 1)
    days = (this_month - first).days
    per_conversation = max(1, args.messages // args.conversations)

    def keys(count: int, purpose: str) -> list[Any]:
        return DataKey.objects.bulk_create(
            DataKey(purpose=purpose, master_key_id="bench", wrapped=secrets.token_bytes(60))
            for _ in range(count)
        )

    made = 0
    batch = 2000
    while made < args.conversations:
        size = min(batch, args.conversations - made)
        with transaction.atomic():
            data_keys = keys(size, "conversation")
            conversations, messages = [], []
            for index, key in enumerate(data_keys):
                start = _moment(rng, first, days, tz)
                conversations.append(
                    Conversation(
                        team=rng.choice(teams),
                        data_key=key,
                        pseudonym=f"Bench {made + index}",
                        code_hash=secrets.token_hex(32),
                        origin=rng.choice(ORIGINS),
                        created_at=start,
                        last_activity_at=start,
                        state="closed",
                    )
                )
            Conversation.objects.bulk_create(conversations)
            for conversation in conversations:
                moment = conversation.created_at
                sender = "client"
                first_answer = None
                count = max(1, int(rng.gauss(per_conversation, per_conversation / 3)))
                for seq in range(1, count + 1):
                    messages.append(
                        Message(
                            conversation=conversation,
                            seq=seq,
                            sender=sender,
                            author=counsellor if sender == "staff" else None,
                            body_sealed=b"\x01placeholder",
                            created_at=moment,
                        )
                    )
                    if sender == "staff" and first_answer is None:
                        first_answer = moment
                    moment += timedelta(minutes=rng.expovariate(1 / 240))
                    sender = "staff" if sender == "client" else "client"
                conversation.last_seq = count
                conversation.last_activity_at = moment
                conversation.first_answer_at = first_answer
            Message.objects.bulk_create(messages, batch_size=5000)
            Conversation.objects.bulk_update(
                conversations, ["last_seq", "last_activity_at", "first_answer_at"]
            )
            handovers = [
                Handover(
                    team=conversation.team,
                    channel=conversation.origin,
                    token_hash=secrets.token_hex(32),
                    created_by=counsellor,
                    created_at=conversation.created_at - timedelta(hours=2),
                    expires_at=conversation.created_at + timedelta(days=7),
                    opened_at=conversation.created_at,
                    used_at=conversation.created_at,
                    conversation=conversation,
                )
                for conversation in conversations
                if conversation.origin in ("instagram", "facebook", "whatsapp")
            ]
            Handover.objects.bulk_create(handovers)
        made += size
        print(f"  … {made} of {args.conversations} conversations", flush=True)

    cases = []
    for number, key in enumerate(keys(args.cases, "case")):
        opened = first + timedelta(days=rng.randrange(days))
        closed = opened + timedelta(days=rng.randrange(30, 200)) if number % 3 else None
        cases.append(
            Case(
                organisation=organisation,
                team=rng.choice(teams),
                data_key=key,
                reference=f"B-{number:05d}",
                pseudonym=f"Klient {number}",
                opened_on=opened,
                closed_on=closed if closed and closed < this_month else None,
                status="closed" if closed and closed < this_month else "open",
                created_by=counsellor,
                created_at=datetime(opened.year, opened.month, opened.day, 9, tzinfo=tz),
            )
        )
    Case.objects.bulk_create(cases, batch_size=2000)

    news = Channel.objects.create(organisation=organisation, kind=ChannelKind.NEWS, name="News")
    for number in range(300):
        created = _moment(rng, first, days, tz)
        post = Post.objects.create(
            organisation=organisation,
            author=counsellor,
            state=PostState.PUBLISHED,
            planned_at=created + timedelta(days=3),
            approved_at=created + timedelta(days=1),
            approved_by=leader,
            published_at=created + timedelta(days=3),
            created_at=created,
        )
        post.channels.add(news)
        version = PostVersion.objects.create(
            post=post,
            number=1,
            title=f"Beitrag {number}",
            text="Am Samstag feiern wir.",
            risk=rng.choice(["none", "none", "low", "high"]),
            created_by=counsellor,
            created_at=created,
        )
        Post.objects.filter(pk=post.pk).update(current_version=version, approved_version=version)
        Delivery.objects.create(
            post=post,
            channel=news,
            version=version,
            state=DeliveryState.DELIVERED,
            due_at=created + timedelta(days=3),
            delivered_at=created + timedelta(days=3),
            attempts=1,
        )
    return leader, first, time.perf_counter() - started


def main() -> None:
    args = arguments()
    sys.path.insert(0, str(ROOT))
    with environment(args):
        import django

        django.setup()
        from django.test import Client

        from hafen.conversations.models import Message
        from hafen.strategy.figures import tally
        from hafen.strategy.figures.models import TeamMonth

        print(
            f"building a year: {args.conversations} conversations, about {args.messages} "
            f"messages, {args.cases} cases …"
        )
        leader, first, seconds = build(args)
        print(f"built in {seconds:.0f} s: {Message.objects.count()} messages")
        client = Client()
        client.force_login(leader)
        last = date(first.year + (first.month + 10) // 12, (first.month + 10) % 12 + 1, 1)
        query = f"?von={first:%Y-%m}&bis={last:%Y-%m}"
        print(f"\nfigures pages for {first:%Y-%m} to {last:%Y-%m}, {args.db}, as leadership:")
        started = time.perf_counter()
        counted = tally.tally_closed_months(months_back=12)
        print(
            f"  the nightly count of closed months: {counted} team months in "
            f"{(time.perf_counter() - started) * 1000:.0f} ms"
        )
        print(f"  {'page':<20} {'cold ms':>10} {'fresh ms':>10} {'median ms':>10} {'max ms':>10}")
        for page in PAGES:

            def get(page: str = page) -> None:
                response = client.get(f"/zahlen/{page}/{query}")
                assert response.status_code == 200, response.status_code

            TeamMonth.objects.all().delete()  # cold: nothing counted before
            started = time.perf_counter()
            get()
            cold = (time.perf_counter() - started) * 1000
            # fresh: closed months kept, the open ones counted again (no worker running)
            TeamMonth.objects.filter(final=False).delete()
            started = time.perf_counter()
            get()
            fresh = (time.perf_counter() - started) * 1000
            median, largest = measure(args.repeat, get)
            print(f"  {page:<20} {cold:>10.0f} {fresh:>10.0f} {median:>10.0f} {largest:>10.0f}")
        for label, suffix in (("report (page)", ""), ("report (PDF)", "&format=pdf")):

            def report(suffix: str = suffix) -> None:
                response = client.get(f"/zahlen/jahresbericht/?jahr={last.year}{suffix}")
                assert response.status_code == 200, response.status_code

            median, largest = measure(args.repeat, report)
            print(f"  {label:<20} {median:>10.0f} {largest:>10.0f}")


if __name__ == "__main__":
    main()
