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
        if not demo.demo_exists():
            demo.create_demo()
            self.stdout.write("Demo organisation 'Beispiel-Träger e.V.' created.")
        self.stdout.write(f"\nDemo logins (password for all: {demo.DEMO_PASSWORD}):")
        with translation.override(settings.LANGUAGE_CODE):
            for account in demo.DEMO_ACCOUNTS:
                self.stdout.write(f"  {account.username:<16} {account.role.label}")
        self.stdout.write("")
