"""`hafen keys generate|rotate`: master keys for envelope encryption."""

from __future__ import annotations

import os
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hafen.privacy import crypto


def _write_keyring(path: Path, keys: list[str]) -> None:
    # Write-then-rename, owner-only: a crash never leaves a half-written keyring.
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(keys) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class Command(BaseCommand):
    help = (
        "generate: print a new master key. rotate: re-wrap every data key under the "
        "primary master key (with the embedded keyring file, a new primary key is "
        "created first and the old one dropped afterwards)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("operation", choices=["generate", "rotate"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["operation"] == "generate":
            self.stdout.write(crypto.new_master_key())
            return
        keyfile: Path | None = settings.HAFEN_MASTER_KEY_FILE
        if keyfile is None:
            # Keys from the environment: the operator put the new key first already.
            count = crypto.rotate_master_key()
            self.stdout.write(
                f"{count} data keys re-wrapped under the primary master key. "
                "The other keys in HAFEN_MASTER_KEYS can now be removed."
            )
            return
        if not keyfile.exists():
            raise CommandError(f"{keyfile} does not exist.")
        old_keys = list(settings.HAFEN_MASTER_KEYS)
        new_keys = [crypto.new_master_key(), *old_keys]
        # The new key is on disk before any data key uses it, and the old ones stay
        # until every data key is re-wrapped: an interruption loses nothing.
        _write_keyring(keyfile, new_keys)
        settings.HAFEN_MASTER_KEYS = new_keys
        count = crypto.rotate_master_key()
        _write_keyring(keyfile, new_keys[:1])
        settings.HAFEN_MASTER_KEYS = new_keys[:1]
        self.stdout.write(f"New master key in {keyfile}; {count} data keys re-wrapped.")
