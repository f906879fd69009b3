"""The privacy core's background work, found by ``hafen worker`` (hafen.lib.periodic)."""

from hafen.privacy.retention.tasks import apply_retention  # noqa: F401  (daily retention run)
