"""Typed readers for the environment that fail loudly on a bad value.

Every variable Hafen reads is listed in README.md ("Configuration"); add new ones there too.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def secret_from_env_or_file(
    name: str,
    path: Path,
    *,
    production: bool,
    factory: Callable[[], str] = lambda: secrets.token_urlsafe(48),
) -> str:
    """The secret from the environment; otherwise from a file in the data folder.

    In production mode the environment must provide it: a generated secret on one
    app machine would differ from the next one behind the same proxy. For the
    embedded default it is generated once, readable by the owner only.
    """
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if production:
        raise ImproperlyConfigured(f"{name} must be set in production mode (HAFEN_PRODUCTION).")
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    value = factory()
    # Two processes starting at once must neither overwrite each other's secret nor read
    # a file the other has created but not yet written: the secret is written to a file
    # of its own first, then linked into place, which fails if the name exists already.
    fd, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as handle:  # mkstemp made it readable by the owner only
            handle.write(value + "\n")
        os.link(draft, path)
    except FileExistsError:
        return path.read_text().strip()
    finally:
        os.unlink(draft)
    return value
