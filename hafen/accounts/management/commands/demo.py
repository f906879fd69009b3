"""`hafen demo`: the demo organisation and its accounts (never in production mode)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from hafen.accounts import demo


class Command(BaseCommand):
    help = "Create the demo organisation 'Beispiel-Träger e.V.' (if missing) and print its logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo data is not allowed in production mode.")
        from hafen.cases import demo as cases_demo
        from hafen.conversations import demo as conversations_demo
        from hafen.network import demo as network_demo
        from hafen.publishing import demo as publishing_demo
        from hafen.strategy import demo as strategy_demo

        if not demo.demo_exists():
            organisation = demo.create_demo()
            self.stdout.write("Demo organisation 'Beispiel-Träger e.V.' created.")
            made = conversations_demo.create_demo_conversations(organisation)
            self.stdout.write("\nDemo conversations (return codes to open them as the client):")
            for conversation in made:
                self.stdout.write(f"  {conversation.team_slug:<16} {conversation.code}")
            cases = cases_demo.create_demo_cases(organisation)
            self.stdout.write(f"\n{len(cases)} demo case files with entries, a plan and minutes.")
            made_posts = publishing_demo.create_demo_publishing(organisation)
            self.stdout.write(
                f"{len(made_posts)} demo posts; public news: "
                f"{settings.HAFEN_BASE_URL}/n/{organisation.slug}/"
            )
            strategy = strategy_demo.create_demo_strategy(organisation)
            self.stdout.write(
                f"Communication strategy version {strategy.number}, signed by leadership."
            )
            partners = network_demo.create_demo_network(organisation)
            self.stdout.write(f"{len(partners)} partner organisations, events and a referral.")
        self.stdout.write(f"\nDemo logins (password for all: {demo.DEMO_PASSWORD}):")
        with translation.override(settings.LANGUAGE_CODE):
            for account in demo.DEMO_ACCOUNTS:
                self.stdout.write(f"  {account.username:<16} {account.role.label}")
        self.stdout.write(
            f"\nClient doors: {settings.HAFEN_BASE_URL}/k/jugendberatung/, "
            f"/k/streetwork/, /k/schuldnerberatung/"
        )
        self.stdout.write("")
