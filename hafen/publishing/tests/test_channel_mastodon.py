"""Mastodon against a local server that answers as its REST API does."""

from __future__ import annotations

import socket
import time

import pytest
from django.utils import translation

from hafen.publishing.channels import (
    Account,
    ChannelError,
    OutgoingImage,
    OutgoingPost,
    adapter_for,
)
from hafen.publishing.channels.mastodon import MastodonAdapter
from hafen.publishing.channels.testing import FakeMastodon, Hold, reply

TOKEN = "mastodon-token-Zq81xv"
PHOTO = b"\xff\xd8\xff\xe0 a small jpeg \xff\xd9"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def mastodon():
    with FakeMastodon(token=TOKEN) as server:
        yield server


def account(server: FakeMastodon, token: str = TOKEN, **config: str) -> Account:
    return Account({"instance_url": server.url, **config}, {"access_token": token})


def adapter(timeout: float = 5.0) -> MastodonAdapter:
    return MastodonAdapter(timeout=timeout, poll_interval=0.01, max_processing_wait=2)


POST = OutgoingPost(
    title="Sommerfest",
    text="Am Samstag feiern wir im Hof. Alle sind eingeladen!",
    link="https://verein.example/news/sommerfest",
    images=[OutgoingImage(PHOTO, "image/jpeg", "Lampions über dem Hof")],
)


def test_a_post_with_an_image_is_published_with_its_alt_text_and_link() -> None:
    with FakeMastodon(token=TOKEN, async_media=True) as server:
        result = adapter().publish(POST, account(server), idempotency_key="post-7-mastodon")

        upload = server.received("POST", "/api/v2/media")[0]
        assert upload.headers["Authorization"] == f"Bearer {TOKEN}"
        assert upload.parts()["file"][0].data == PHOTO
        assert upload.parts()["file"][0].content_type == "image/jpeg"
        assert upload.parts()["description"][0].text == "Lampions über dem Hof"
        # 202 while processing: Hafen asked until the server answered 200
        assert len(server.received("GET", r"/api/v1/media/\d+")) == 2
        status = server.received("POST", "/api/v1/statuses")[0]
        assert status.headers["Idempotency-Key"] == "post-7-mastodon"
        assert server.statuses == [{
            "status": "Am Samstag feiern wir im Hof. Alle sind eingeladen!\n\n"
                      "https://verein.example/news/sommerfest",
            "media_ids": list(server.media),
            "key": "post-7-mastodon",
        }]
    assert result.url == f"{server.url}/@verein/{result.external_id}"


def test_a_retry_after_a_lost_answer_does_not_post_twice(mastodon: FakeMastodon) -> None:
    text_only = OutgoingPost("Hinweis", "Heute geschlossen.", None, [])
    hold = Hold()
    mastodon.fail_next("POST", "/api/v1/statuses", hold)

    with pytest.raises(ChannelError) as lost:
        adapter(timeout=0.2).publish(text_only, account(mastodon),
                                     idempotency_key="post-8-mastodon")
    assert lost.value.retryable
    hold.release()
    _wait_until(lambda: len(mastodon.statuses) == 1)  # Mastodon did post it, late

    result = adapter().publish(text_only, account(mastodon), idempotency_key="post-8-mastodon")

    assert len(mastodon.statuses) == 1
    assert result.url is not None and result.url.endswith(result.external_id)


def test_a_wrong_token_is_not_retried_and_asks_to_check_the_settings(
    mastodon: FakeMastodon,
) -> None:
    with pytest.raises(ChannelError) as refused:
        adapter().publish(POST, account(mastodon, token="expired-token-xyz"),
                          idempotency_key="k")

    assert not refused.value.retryable
    assert "did not accept the login" in refused.value.message
    assert "expired-token-xyz" not in repr(refused.value)
    assert mastodon.statuses == []


def test_too_many_requests_is_retried_after_the_time_mastodon_names(
    mastodon: FakeMastodon,
) -> None:
    mastodon.fail_next("POST", "/api/v1/statuses",
                       reply(429, {"error": "Too many requests"}, headers={"Retry-After": "120"}))

    with pytest.raises(ChannelError) as slow_down:
        adapter().publish(OutgoingPost("", "Hallo", None, []), account(mastodon),
                          idempotency_key="k")

    assert slow_down.value.retryable
    assert slow_down.value.retry_after == 120


def test_a_server_error_is_retried(mastodon: FakeMastodon) -> None:
    mastodon.fail_next("POST", "/api/v2/media", reply(500, {"error": "boom"}))

    with pytest.raises(ChannelError) as failed:
        adapter().publish(POST, account(mastodon), idempotency_key="k")

    assert failed.value.retryable
    assert "error 500" in failed.value.message
    assert mastodon.statuses == []


def test_a_server_slower_than_the_timeout_is_given_up_and_retried_later(
    mastodon: FakeMastodon,
) -> None:
    mastodon.fail_next("POST", "/api/v2/media", Hold())

    with pytest.raises(ChannelError) as late:
        adapter(timeout=0.2).publish(POST, account(mastodon), idempotency_key="k")

    assert late.value.retryable
    assert "did not answer in time" in late.value.message


def test_an_answer_that_is_not_json_is_retried(mastodon: FakeMastodon) -> None:
    mastodon.fail_next("POST", "/api/v1/statuses",
                       reply(200, raw=b"<html>502 Bad Gateway</html>"))

    with pytest.raises(ChannelError) as unreadable:
        adapter().publish(OutgoingPost("", "Hallo", None, []), account(mastodon),
                          idempotency_key="k")

    assert unreadable.value.retryable
    assert "could not read" in unreadable.value.message


def test_a_server_that_cannot_be_reached_is_retried() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    unreachable = Account({"instance_url": f"http://127.0.0.1:{port}"}, {"access_token": TOKEN})

    with pytest.raises(ChannelError) as failed:
        adapter().publish(POST, unreachable, idempotency_key="k")

    assert failed.value.retryable
    assert "could not be reached" in failed.value.message


def test_a_post_over_500_characters_is_refused_before_anything_is_sent(
    mastodon: FakeMastodon,
) -> None:
    too_long = OutgoingPost("", "a" * 501, None, [])

    with pytest.raises(ChannelError) as refused:
        adapter().publish(too_long, account(mastodon), idempotency_key="k")

    assert not refused.value.retryable
    assert refused.value.message == (
        "The post is too long for Mastodon: 501 characters, at most 500 are allowed. "
        "Please shorten it by 1."
    )
    assert mastodon.requests == []


def test_a_link_counts_as_23_characters_as_on_mastodon(mastodon: FakeMastodon) -> None:
    post = OutgoingPost("", "a" * 470, "https://verein.example/" + "x" * 200, [])

    adapter().publish(post, account(mastodon), idempotency_key="k")

    assert len(mastodon.statuses) == 1


def test_a_server_with_a_higher_limit_takes_longer_posts() -> None:
    with FakeMastodon(token=TOKEN, limit=1000) as server:
        adapter().publish(OutgoingPost("", "a" * 900, None, []),
                          account(server, max_characters="1000"), idempotency_key="k")

        assert len(server.statuses) == 1


def test_a_refused_post_quotes_mastodons_reason_without_the_token() -> None:
    with FakeMastodon(token=TOKEN, limit=100) as server:
        server.fail_next("POST", "/api/v1/statuses",
                         reply(422, {"error": f"Validation failed for {TOKEN}: text too long"}))
        with pytest.raises(ChannelError) as refused:
            adapter().publish(OutgoingPost("", "a" * 200, None, []), account(server),
                              idempotency_key="k")

    assert not refused.value.retryable
    assert refused.value.message == (
        "Mastodon refused the post: Validation failed for ***: text too long"
    )


def test_more_than_four_images_are_refused() -> None:
    post = OutgoingPost("", "Bilder", None, [OutgoingImage(PHOTO, "image/jpeg", "")] * 5)

    with pytest.raises(ChannelError, match="at most 4 images"):
        adapter().prepare(post)


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://social.example", True),
        ("http://127.0.0.1:8001", True),
        ("http://localhost:3000/", True),
        ("http://social.example", False),
        ("ftp://social.example", False),
        ("https://user:pw@social.example", False),
        ("social.example", False),
        ("https://social.example:99999", False),
    ],
)
def test_the_server_address_must_be_https_except_on_this_machine(url: str, accepted: bool) -> None:
    settings = Account({"instance_url": url}, {"access_token": TOKEN})
    if accepted:
        adapter_for("mastodon").validate(settings)
    else:
        with pytest.raises(ChannelError, match="must be an address starting with https"):
            adapter_for("mastodon").validate(settings)


def test_a_missing_token_is_named_in_the_message() -> None:
    with pytest.raises(ChannelError) as missing:
        adapter_for("mastodon").validate(Account({"instance_url": "https://s.example"}, {}))

    assert missing.value.message == (
        "Please fill in “Access token” in the settings of the Mastodon channel."
    )


def test_the_message_is_in_german_for_a_german_organisation() -> None:
    with translation.override("de"), pytest.raises(ChannelError) as refused:
        adapter().prepare(OutgoingPost("", "a" * 501, None, []))

    assert refused.value.message.startswith("Der Beitrag ist zu lang für Mastodon")


def _wait_until(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the fake server never got there"
        time.sleep(0.02)
