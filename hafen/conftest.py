"""Shared test personas: the demo organisation, as a newcomer would see it.

``org`` builds Beispiel-Träger e.V. through the same function as `hafen demo`, so
the tests exercise the data people really log in with.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
import redis
from django.test import Client

from hafen.accounts import demo
from hafen.accounts.models import Organisation, User

if TYPE_CHECKING:
    from playwright.sync_api import Browser

PASSWORD = demo.DEMO_PASSWORD


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium for the real-browser tests of one module, launched on request.

    The modules call ``require_chromium()`` at import, so they skip without chromium.
    """
    from hafen.browser_fixtures import launched_browser

    with launched_browser() as launched:
        yield launched


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Encrypted files of a test go to its own folder, never to the real data folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "files"},
        },
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    """Argon2 is slow on purpose; tests that are not about hashing use a fast hasher.

    Tests marked ``real_hashing`` keep the configured Argon2 hasher.
    """
    if "real_hashing" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org(db) -> Organisation:
    return demo.create_demo()


def _user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.fixture
def admin_user(org: Organisation) -> User:
    return _user("admin")


@pytest.fixture
def counsellor(org: Organisation) -> User:
    return _user("fachkraft")


@pytest.fixture
def volunteer(org: Organisation) -> User:
    return _user("ehrenamt")


@pytest.fixture
def leader(org: Organisation) -> User:
    return _user("leitung")


@pytest.fixture
def dpo(org: Organisation) -> User:
    return _user("datenschutz")


@pytest.fixture
def comms(org: Organisation) -> User:
    return _user("oeffentlichkeit")


@pytest.fixture
def outsider(db) -> User:
    """Staff of another organisation: may see nothing of the demo organisation."""
    from hafen.accounts.models import Facility, Membership, Role, Team

    other = Organisation.objects.create(name="Anderer Träger", slug="anderer-traeger")
    facility = Facility.objects.create(organisation=other, name="Haus Süd", slug="haus-sued")
    team = Team.objects.create(facility=facility, name="Suchtberatung", slug="suchtberatung")
    user = User(username="fremd", display_name="Fremde Person", organisation=other)
    user.set_password(PASSWORD)
    user.save()
    Membership.objects.create(user=user, organisation=other, team=team, role=Role.COUNSELLOR)
    Membership.objects.create(user=user, organisation=other, role=Role.ADMIN)
    return user


def login_client(user: User) -> Client:
    """A client logged in through the real login form (not force_login)."""
    client = Client()
    response = client.post("/konto/anmelden/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def during_office_hours(time_machine):
    """A Tuesday, 10 o'clock in Berlin, with the clock running: the demo teams answer,
    so no automatic away message joins the conversation (tests of office hours travel
    elsewhere themselves)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    time_machine.move_to(datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")), tick=True)


REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def _redis_available() -> bool:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False
    return True


@pytest.fixture(params=["memory", "redis"])
def channel_layer(request, settings):
    if request.param == "redis":
        if not _redis_available():
            if os.environ.get("HAFEN_REQUIRE_REDIS") == "1":
                pytest.fail(f"Redis at {REDIS_URL} is required (HAFEN_REQUIRE_REDIS=1).")
            pytest.skip(f"no Redis at {REDIS_URL}")
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [REDIS_URL], "prefix": f"hafen-test-{os.getpid()}"},
            }
        }
    else:
        settings.CHANNEL_LAYERS = {
            "default": {"BACKEND": "hafen.lib.local_layer.LocalChannelLayer"}
        }
    return request.param
