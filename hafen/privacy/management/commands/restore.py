"""`hafen restore FILE`: put a data backup back, then replay every erasure made since.

`hafen restore --keys KEYS FILE` merges a key-store backup first (a lost server);
`hafen restore --keys KEYS` alone merges the key store and replays its deletion log.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hafen.privacy.backup import container, restore
from hafen.privacy.backup.container import BackupError
from hafen.privacy.crypto import CryptoError


class Command(BaseCommand):
    help = (
        "Replace all data with a data backup (the key store and deletion log stay), then "
        "erase again what was erased since. --keys: merge a key-store backup first."
    )

    stealth_options = ("interactive",)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, nargs="?", help="The data backup.")
        parser.add_argument("--keys", type=Path, help="A key-store backup to merge first.")
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask before replacing the data."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        data: Path | None = options["file"]
        keys: Path | None = options["keys"]
        if data is None and keys is None:
            raise CommandError("Name a data backup, a key-store backup (--keys) or both.")
        try:
            inspected_keys = restore.inspect(keys, container.KIND_KEYS) if keys else None
            inspected_data = restore.inspect(data) if data else None
        except (BackupError, CryptoError) as error:
            raise CommandError(f"Restore refused: {error}") from None
        for inspection in (inspected_keys, inspected_data):
            if inspection is not None:
                self.stdout.write(
                    f"{inspection.path}: {container.KIND_NAMES[inspection.kind]} of "
                    f"{inspection.created_at}, {inspection.total_rows} rows, "
                    f"{len(inspection.file_names)} files, master key {inspection.master_key_id}."
                )
        if not options["yes"]:
            self._confirm(data is not None, options.get("interactive", True))
        try:
            report = restore.restore(data, keys, inspected=(inspected_data, inspected_keys))
        except (BackupError, CryptoError) as error:
            raise CommandError(f"Restore failed: {error}") from None
        if keys is not None:
            self.stdout.write(
                f"Key store merged: {report.keys_added} data keys and "
                f"{report.log_entries_added} deletion-log entries added, "
                f"{report.keys_shredded} keys shredded as the backup says."
            )
        if report.data is not None:
            audit = "kept (it already holds the backup's)" if report.kept_live_audit else "restored"
            self.stdout.write(
                f"Restored {report.data.total_rows} rows and {report.files_restored} files "
                f"({report.files_removed} files of newer data removed); audit log {audit}."
            )
        replayed = report.replay
        self.stdout.write(
            f"Erasures replayed: {replayed.total} ({replayed.conversations} conversations, "
            f"{replayed.cases} case files), {replayed.keys_shredded} data keys shredded again."
        )

    def _confirm(self, replaces_data: bool, interactive: bool) -> None:
        question = (
            "Replace ALL data of this installation with this backup? Type 'yes': "
            if replaces_data
            else "Merge this key store into this installation's? Type 'yes': "
        )
        if not interactive or not sys.stdin.isatty():
            raise CommandError("Nothing was changed: confirm with --yes to restore without asking.")
        if input(question).strip().lower() != "yes":
            raise CommandError("Nothing was changed.")
