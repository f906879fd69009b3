"""`hafen backup FILE` (the data) and `hafen backup --keys FILE` (the key store)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hafen.privacy.backup import actions
from hafen.privacy.crypto import CryptoError


class Command(BaseCommand):
    help = (
        "Write an encrypted backup of all data and files, without the data keys "
        "(--keys: of the key store alone: data keys and deletion log). Keep the two apart."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="The backup file to write.")
        parser.add_argument(
            "--keys",
            action="store_true",
            help="Back up the key store (wrapped data keys, deletion log) instead of the data.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if path.is_dir() or not path.parent.is_dir():
            raise CommandError(f"{path} is not a file in an existing folder.")
        try:
            make = actions.make_key_backup if options["keys"] else actions.make_backup
            report = make(path)
        except (OSError, CryptoError) as error:
            raise CommandError(f"No backup was written: {error}") from None
        if options["keys"]:
            self.stdout.write(
                f"Key-store backup written to {path}: {report.rows['privacy.datakey']} data "
                f"keys, {report.rows['privacy.deletionlog']} deletion-log entries. Keep it "
                "apart from the data backups, and only the latest few."
            )
        else:
            self.stdout.write(
                f"Data backup written to {path}: {report.total_rows} rows of "
                f"{sum(1 for count in report.rows.values() if count)} tables, "
                f"{report.files} files."
            )
