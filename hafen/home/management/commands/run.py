"""`hafen run`: everything Hafen needs on one machine, in one command."""

from __future__ import annotations

import gc
import signal
import subprocess
import sys
from argparse import ArgumentParser
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, optionally load demo data, start the task worker and the ASGI server."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--demo", action="store_true", help="Create demo data if missing.")
        parser.add_argument("--no-worker", action="store_true", help="Do not start a worker.")
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        if settings.PRODUCTION:
            # Hashed, compressed static files for WhiteNoise; quick when nothing changed.
            call_command("collectstatic", interactive=False, verbosity=0)
        if options["demo"]:
            call_command("demo")
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "hafen.cli", "worker"])
        self.stdout.write(
            self.style.SUCCESS(f"Hafen is running at http://{options['host']}:{options['port']}/")
        )
        # Python's cyclic garbage collector, at its defaults, stops the event loop of a
        # process holding a thousand sockets for tens of milliseconds, many times a
        # minute: the slowest percent of messages waited on it (bench/chat_load.py: p99
        # 160-200 ms at 100 messages/s, 50 ms with these settings). What exists now
        # (Django, the apps) stays out of its way, and it runs on fewer allocations.
        gc.collect()
        gc.freeze()
        gc.set_threshold(20_000, 50, 100)
        try:
            uvicorn.run(
                "hafen.asgi:application",
                host=options["host"],
                port=options["port"],
                # No access log: it would record clients' addresses (data minimisation).
                access_log=False,
                proxy_headers=settings.PRODUCTION,
                forwarded_allow_ips="127.0.0.1" if settings.PRODUCTION else None,
                ws_max_size=1024 * 1024,
                # Frames are small; and compressing attacker-chosen text together with
                # secret text in one stream invites BREACH-style guessing.
                ws_per_message_deflate=False,
                log_level="warning",
                lifespan="off",
            )
        finally:
            if worker is not None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()
