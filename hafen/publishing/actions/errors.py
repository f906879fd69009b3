from __future__ import annotations


class PublishingError(Exception):
    """A refusal with a message for the person (already translated); nothing changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
