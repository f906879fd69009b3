"""What every read helper needs: sealed text that may be shredded, today's date."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from hafen.privacy import crypto


def open_sealed(key_holder: object, attribute: str, shredded: bool) -> str | None:
    """A sealed attribute's text, or None if the key was shredded."""
    if shredded:
        return None
    try:
        return str(getattr(key_holder, attribute))
    except crypto.ContentShredded:
        return None


def open_optional(key_holder: object, attribute: str, shredded: bool) -> str | None:
    """Like ``open_sealed`` for an optional text: "" when nothing was written."""
    if getattr(key_holder, f"{attribute}_sealed") is None:
        return ""
    return open_sealed(key_holder, attribute, shredded)


def today() -> date:
    return timezone.localdate()
