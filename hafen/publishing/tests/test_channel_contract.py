"""What every channel adapter promises the publishing core."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import Message

import pytest
import time_machine
from django.utils import translation

from hafen.publishing.channels import (
    KINDS,
    Account,
    ChannelError,
    OutgoingPost,
    adapter_for,
)
from hafen.publishing.channels.base import parse_retry_after
from hafen.publishing.channels.mastodon import MastodonAdapter
from hafen.publishing.channels.testing import FakeService, reply
from hafen.publishing.channels.transport import MAX_ANSWER_BYTES, Http


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_the_five_kinds_each_describe_their_settings_for_a_form() -> None:
    assert set(KINDS) == {"mastodon", "bluesky", "facebook", "instagram", "newsletter"}
    for kind in KINDS:
        adapter = adapter_for(kind)
        assert adapter.kind == kind
        names = [field.name for field in adapter.fields]
        assert len(names) == len(set(names))
        assert all(str(field.label) for field in adapter.fields)
        assert any(field.secret for field in adapter.fields), kind


def test_settings_labels_follow_the_language_of_the_form() -> None:
    token = next(f for f in adapter_for("mastodon").fields if f.name == "access_token")

    with translation.override("de"):
        assert str(token.label) == "Zugangstoken"
    assert str(token.label) == "Access token"


@pytest.mark.parametrize("kind", ["mastodon", "facebook", "instagram"])
def test_a_token_with_a_line_break_inside_is_refused_as_a_setting(kind: str) -> None:
    config = {"instance_url": "https://s.example", "page_id": "1", "ig_user_id": "1"}

    with pytest.raises(ChannelError, match="contains line breaks") as invalid:
        adapter_for(kind).validate(Account(config, {"access_token": "abc\r\nX-Evil: 1"}))

    assert not invalid.value.retryable


def test_a_token_pasted_with_a_trailing_line_break_is_used_without_it() -> None:
    account = Account({}, {"access_token": "tok-123456\n", "password": "pass "})

    assert account.secret("access_token") == "tok-123456"
    assert account.secret("password", strip=False) == "pass "


def test_an_unknown_kind_is_a_clear_error() -> None:
    with pytest.raises(ChannelError, match="cannot publish to this kind of channel"):
        adapter_for("myspace")


def test_an_account_never_shows_its_secrets_in_logs() -> None:
    account = Account({"instance_url": "https://s.example"}, {"access_token": "tok-123456"})

    assert "tok-123456" not in repr(account)
    assert "tok-123456" not in repr([account])


def test_every_adapter_can_show_the_final_text_for_publishing_by_hand() -> None:
    post = OutgoingPost("Titel", "Text des Beitrags", "https://verein.example/n/1", [])

    for kind in ("mastodon", "bluesky", "instagram"):
        assert adapter_for(kind).render_text(post) == (
            "Text des Beitrags\n\nhttps://verein.example/n/1"
        )
    # Facebook builds a preview card from the link it gets separately
    assert adapter_for("facebook").render_text(post) == "Text des Beitrags"


def test_a_link_already_in_the_text_is_not_repeated() -> None:
    post = OutgoingPost("", "Mehr unter https://verein.example/n/1 !", "https://verein.example/n/1",
                        [])

    assert adapter_for("mastodon").render_text(post) == "Mehr unter https://verein.example/n/1 !"


def test_an_endless_answer_is_cut_off_and_retried() -> None:
    with FakeService() as server:
        server.route("GET", "/big", lambda request, match: reply(
            200, raw=b"x" * (MAX_ANSWER_BYTES + 1)))

        with pytest.raises(ChannelError) as too_big:
            Http("Mastodon", timeout=5).send("GET", f"{server.url}/big")

    assert too_big.value.retryable


def test_a_redirect_is_not_followed_so_the_token_stays_with_the_service() -> None:
    with FakeService() as server:
        server.route("POST", "/api/v1/statuses", lambda request, match: reply(
            302, {}, headers={"Location": f"{server.url}/elsewhere"}))
        account = Account({"instance_url": server.url}, {"access_token": "tok-123456"})

        with pytest.raises(ChannelError) as refused:
            MastodonAdapter(timeout=5).publish(OutgoingPost("", "Hallo", None, []), account,
                                                 idempotency_key="k")

        assert server.received("POST", "/elsewhere") == []
        assert server.received("GET", "/elsewhere") == []
    assert not refused.value.retryable


@time_machine.travel(datetime(2026, 12, 3, 12, 0, 0, tzinfo=UTC), tick=False)
@pytest.mark.parametrize(
    ("header", "value", "seconds"),
    [
        ("Retry-After", "90", 90),
        ("Retry-After", "Thu, 03 Dec 2026 12:02:00 GMT", 120),
        ("X-RateLimit-Reset", "2026-12-03T12:05:00.000Z", 300),  # Mastodon
        ("RateLimit-Reset", str(int(datetime(2026, 12, 3, 12, 1, tzinfo=UTC).timestamp())), 60),
        ("Retry-After", "soon", None),
    ],
)
def test_the_wait_a_service_asks_for_is_read_from_its_headers(
    header: str, value: str, seconds: int | None,
) -> None:
    headers = Message()
    headers[header] = value

    assert parse_retry_after(headers) == seconds
