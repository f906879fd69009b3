"""System check: a VAPID key that is set but unusable stops Hafen with a clear message."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured

from hafen.push import vapid


@register()
def vapid_keys(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        vapid.keys()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="hafen.push.E001")]
    return []
