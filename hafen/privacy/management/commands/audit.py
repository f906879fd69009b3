"""`hafen audit verify`: prove that the audit log has not been altered."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hafen.privacy import audit


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log (exit code 1 at the first broken entry)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("operation", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit.verify()
        if not result.ok:
            raise CommandError(
                f"Audit log BROKEN at entry {result.broken_seq}: {result.reason} "
                f"({result.checked} entries before it are intact)."
            )
        self.stdout.write(f"Audit log intact: {result.checked} entries verified.")
