"""`hafen worker`: run background and scheduled tasks until stopped."""

from __future__ import annotations

import signal
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from hafen.lib import periodic


class Command(BaseCommand):
    help = "Run background tasks and enqueue scheduled ones (retention, reminders, housekeeping)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--interval", type=float, default=2.0, help="Seconds between polls.")
        parser.add_argument("--once", action="store_true", help="Run what is due, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            self.stopping = True

        periodic.load_task_modules()
        while True:
            periodic.schedule_due()
            # Restore our handlers each round: db_worker installs and resets its own.
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
            call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
            if options["once"] or self.stopping:
                return
            time.sleep(options["interval"])
            if self.stopping:
                return
