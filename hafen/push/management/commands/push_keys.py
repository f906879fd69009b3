"""`hafen push_keys`: print a new VAPID key pair for HAFEN_VAPID_PRIVATE_KEY/_PUBLIC_KEY."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from hafen.push import vapid


class Command(BaseCommand):
    help = "Print a new VAPID key pair for push notifications (environment variable lines)."

    def handle(self, *args: Any, **options: Any) -> None:
        private = vapid.new_private_key()
        keys = vapid.parse(private)
        self.stdout.write(f"{vapid.PRIVATE_ENV}={private}")
        self.stdout.write(f"{vapid.PUBLIC_ENV}={keys.public_key}")
