"""System checks: refuse to run production with an unsafe configuration."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from hafen.privacy import crypto


@register("security")
def production_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    if settings.PRODUCTION and settings.DEBUG:
        errors.append(Error("HAFEN_DEBUG must not be on in production mode.", id="hafen.E001"))
    return errors


@register("security")
def master_keys(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        crypto.keyring()
    except crypto.CryptoError as error:
        return [Error(f"HAFEN_MASTER_KEYS: {error}", id="hafen.E002")]
    return []
