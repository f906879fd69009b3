"""Configuration as an operator meets it: safe defaults, loud failures, deploy checks."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

REPO = Path(__file__).resolve().parents[3]


def _hafen(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("HAFEN_")}
    clean.pop("DATABASE_URL", None)
    clean.pop("REDIS_URL", None)
    clean.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "-m", "hafen.cli", *args],
        env={**clean, "PYTHONPATH": str(REPO), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _production_env(tmp_path: Path) -> dict[str, str]:
    return {
        "HAFEN_PRODUCTION": "1",
        "HAFEN_DATA_DIR": str(tmp_path / "data"),
        "HAFEN_SECRET_KEY": secrets.token_urlsafe(50),
        "HAFEN_MASTER_KEYS": base64.b64encode(secrets.token_bytes(32)).decode(),
        "HAFEN_ALLOWED_HOSTS": "hafen.example.org",
    }


def test_production_mode_refuses_to_start_without_secrets(tmp_path) -> None:
    result = _hafen("check", env={"HAFEN_PRODUCTION": "1"}, cwd=tmp_path)

    assert result.returncode != 0
    assert "HAFEN_SECRET_KEY must be set in production mode" in result.stderr


def test_production_mode_refuses_a_missing_master_key(tmp_path) -> None:
    env = _production_env(tmp_path)
    del env["HAFEN_MASTER_KEYS"]

    result = _hafen("check", env=env, cwd=tmp_path)

    assert result.returncode != 0 and "HAFEN_MASTER_KEYS must be set" in result.stderr


def test_production_mode_passes_djangos_deploy_checks(tmp_path) -> None:
    result = _hafen(
        "check", "--deploy", "--fail-level", "WARNING", env=_production_env(tmp_path), cwd=tmp_path
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_debug_in_production_is_refused(tmp_path) -> None:
    env = {**_production_env(tmp_path), "HAFEN_DEBUG": "1"}

    result = _hafen("check", env=env, cwd=tmp_path)

    assert result.returncode != 0 and "hafen.E001" in result.stderr


def test_a_bad_value_fails_loudly(tmp_path) -> None:
    result = _hafen(
        "check",
        env={"HAFEN_SESSION_IDLE_MINUTES": "dreißig", "HAFEN_DATA_DIR": str(tmp_path)},
        cwd=tmp_path,
    )

    assert result.returncode != 0
    assert "HAFEN_SESSION_IDLE_MINUTES must be a whole number" in result.stderr


def test_the_embedded_default_makes_owner_only_secrets_once(tmp_path) -> None:
    env = {"HAFEN_DATA_DIR": str(tmp_path / "data")}

    assert _hafen("check", env=env, cwd=tmp_path).returncode == 0
    secret = (tmp_path / "data" / "secret.key").read_text()
    keys = (tmp_path / "data" / "master.keys").read_text()
    assert _hafen("check", env=env, cwd=tmp_path).returncode == 0

    for name in ("secret.key", "master.keys"):
        assert oct((tmp_path / "data" / name).stat().st_mode & 0o777) == "0o600"
    assert (tmp_path / "data" / "secret.key").read_text() == secret
    assert (tmp_path / "data" / "master.keys").read_text() == keys
    assert len(base64.b64decode(keys.strip())) == 32


def test_debug_is_off_by_default(settings) -> None:
    assert "HAFEN_DEBUG" in os.environ or settings.DEBUG is False


@pytest.mark.django_db
def test_pages_are_german_by_default_and_english_on_request(org) -> None:
    client = Client()

    german = client.get("/konto/anmelden/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/konto/anmelden/"})
    english = client.get("/konto/anmelden/").content.decode()

    assert '<html lang="de">' in german and "Bei Hafen anmelden" in german
    assert '<html lang="en">' in english and "Log in to Hafen" in english


def test_processes_starting_at_once_share_one_generated_secret(tmp_path):
    """Several app processes on one fresh data folder: none reads a half-written file."""
    from concurrent.futures import ThreadPoolExecutor

    from hafen.env import secret_from_env_or_file

    path = tmp_path / "data" / "shared.key"
    with ThreadPoolExecutor(max_workers=16) as pool:
        values = list(
            pool.map(
                lambda _: secret_from_env_or_file(
                    "HAFEN_TEST_UNSET_SECRET", path, production=False
                ),
                range(64),
            )
        )

    assert len(set(values)) == 1 and len(values[0]) > 40
    assert path.read_text().strip() == values[0]
    assert [p.name for p in path.parent.iterdir()] == ["shared.key"]  # no drafts left
    assert path.stat().st_mode & 0o777 == 0o600
