"""Guessing return codes and handover links, through the real HTTP stack.

The throttle counts per address, but an IPv6 client holds a whole /64 and a botnet
many addresses; and requests arrive in parallel. These tests make the guesser use
those tricks: a new address of the same /64, a fresh browser (no cookies) for every
guess, many addresses at once, and guesses that arrive while another is still being
looked up. ``bench/guessing.py`` turns the same limits into the time a guess takes.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from hafen.bridge import throttle as link_throttle
from hafen.conversations import actions, throttle
from hafen.conversations.models import Conversation

pytestmark = pytest.mark.django_db

WRONG = "anker-anker-anker-anker"


def _guess(address: str, code: str = WRONG) -> int:
    """One guess from a fresh browser: no cookie, no session to reset or keep."""
    return Client(REMOTE_ADDR=address).post("/zurueck/", {"code": code}).status_code


def test_a_new_address_in_the_same_ipv6_64_does_not_escape_the_limit(door_client) -> None:
    for host in range(1, throttle.CODE_FAILURES_PER_WINDOW + 1):
        assert _guess(f"2001:db8:1:2::{host:x}") == 400

    assert _guess("2001:db8:1:2:ffff:ffff:ffff:ffff", door_client.code) == 429
    # The neighbouring /64 is somebody else.
    assert _guess("2001:db8:1:3::1", door_client.code) == 302


def test_an_ipv4_address_written_as_ipv6_is_the_same_address(door_client) -> None:
    for _ in range(throttle.CODE_FAILURES_PER_WINDOW // 2):
        assert _guess("203.0.113.9") == 400
        assert _guess("::ffff:203.0.113.9") == 400

    assert _guess("203.0.113.9", door_client.code) == 429
    assert _guess("203.0.113.10", door_client.code) == 302


def test_many_addresses_together_get_no_more_than_the_limit_for_everyone(
    door_client, monkeypatch, time_machine
) -> None:
    monkeypatch.setattr(throttle, "CODE_FAILURES_PER_WINDOW_ALL", 25)
    for host in range(25):  # one guess each: no single address is ever near its limit
        assert _guess(f"198.51.100.{host}") == 400

    refused = Client(REMOTE_ADDR="192.0.2.200", HTTP_ACCEPT_LANGUAGE="en").post(
        "/zurueck/", {"code": door_client.code}
    )
    assert refused.status_code == 429
    assert "please wait 15 minutes" in refused.content.decode()
    assert "door_conversation" not in refused.wsgi_request.session

    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        # Redis ends the window by its own clock, which the test cannot move: the
        # counter for everyone must expire within the window.
        client = redis.Redis.from_url(settings.REDIS_URL)
        key = cache.make_and_validate_key(throttle._key("code", throttle._EVERYONE))
        assert 0 < client.ttl(key) <= throttle.CODE_WINDOW_SECONDS
        client.close()
        return
    time_machine.move_to(timezone.now() + timedelta(minutes=16))
    assert _guess("192.0.2.200", door_client.code) == 302


def test_a_right_code_does_not_use_up_a_guess(door_client, monkeypatch) -> None:
    monkeypatch.setattr(throttle, "CODE_FAILURES_PER_WINDOW_ALL", 3)
    for _ in range(5):
        assert _guess("192.0.2.1", door_client.code) == 302

    for _ in range(3):
        assert _guess("192.0.2.1") == 400
    assert _guess("192.0.2.1") == 429


def test_guesses_that_arrive_while_others_are_looked_up_are_counted_too(
    door_client, monkeypatch
) -> None:
    """Parallel requests: each is counted before its lookup, not after it failed.

    Every lookup sends the next guess before it finishes (as a web server runs
    requests side by side), so up to 30 guesses are in flight at once. Counting failures
    afterwards let all of them be looked up; now only the allowed number is.
    """
    real_lookup = actions.find_by_code
    lookups: list[str] = []
    statuses: list[int] = []

    def busy_lookup(code: str, passphrase: str = "") -> object:
        lookups.append(code)
        if len(statuses) < 30:
            place = len(statuses)
            statuses.append(0)
            statuses[place] = _guess("203.0.113.50")
        return real_lookup(code, passphrase)

    monkeypatch.setattr(actions, "find_by_code", busy_lookup)
    statuses.append(_guess("203.0.113.50"))

    assert len(lookups) == throttle.CODE_FAILURES_PER_WINDOW
    assert statuses.count(400) == throttle.CODE_FAILURES_PER_WINDOW
    assert statuses.count(429) == 1  # the first one over the limit stops the chain


def test_a_new_address_in_the_same_ipv6_64_does_not_escape_the_link_limit(
    counsellor, settings
) -> None:
    from hafen.bridge.tests.conftest import make_handover

    settings.HAFEN_BASE_URL = "http://testserver-base"
    made = make_handover(counsellor)
    for host in range(1, link_throttle.UNKNOWN_LINKS_PER_WINDOW + 1):
        guesser = Client(REMOTE_ADDR=f"2001:db8:9:9::{host:x}")
        assert guesser.get(f"/b/{secrets.token_urlsafe(32)}/").status_code == 404

    assert Client(REMOTE_ADDR="2001:db8:9:9::beef").get(made.path).status_code == 429
    assert Client(REMOTE_ADDR="2001:db8:9:a::1").get(made.path).status_code == 200


@pytest.mark.parametrize(
    ("address", "subject"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:0DB8:0001:0002::0001", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("", ""),
        ("unix:/run/hafen.sock", "unix:/run/hafen.sock"),
    ],
)
def test_the_throttle_counts_an_ipv6_network_as_one_subject(address, subject) -> None:
    assert throttle.subject(address) == subject


def _start(address: str) -> int:
    response = Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en").post(
        "/k/jugendberatung/start/", {"agree": "on"}
    )
    return response.status_code


def test_starts_are_limited_per_address_and_a_new_address_of_the_64_does_not_escape(
    org,
) -> None:
    for host in range(1, throttle.STARTS_PER_WINDOW + 1):
        assert _start(f"2001:db8:5:5::{host:x}") == 302

    refused = Client(REMOTE_ADDR="2001:db8:5:5::abcd", HTTP_ACCEPT_LANGUAGE="en").post(
        "/k/jugendberatung/start/", {"agree": "on"}
    )
    assert refused.status_code == 400
    assert "Too many new conversations from here." in refused.content.decode()
    assert Conversation.objects.count() == throttle.STARTS_PER_WINDOW
    assert _start("2001:db8:5:6::1") == 302


def test_starts_that_arrive_while_others_are_made_are_counted_too(org, monkeypatch) -> None:
    """A start is counted before the conversation is made (a guard: counting after it
    would let parallel starts all pass)."""
    # A smaller limit: each start in flight is a request inside a request here.
    monkeypatch.setattr(throttle, "STARTS_PER_WINDOW", 5)
    real_start = actions.start_conversation
    statuses: list[int] = []

    def busy_start(*args: object, **kwargs: object) -> object:
        if len(statuses) < 2 * throttle.STARTS_PER_WINDOW:
            place = len(statuses)
            statuses.append(0)
            statuses[place] = _start("203.0.113.60")
        return real_start(*args, **kwargs)

    monkeypatch.setattr(actions, "start_conversation", busy_start)
    statuses.append(_start("203.0.113.60"))

    assert Conversation.objects.count() == throttle.STARTS_PER_WINDOW
    assert statuses.count(302) == throttle.STARTS_PER_WINDOW
