"""Bluesky against a local PDS that answers as the AT protocol's XRPC endpoints do."""

from __future__ import annotations

import io
import time

import pytest
from django.utils import translation
from PIL import Image

from hafen.publishing.channels import Account, ChannelError, OutgoingImage, OutgoingPost
from hafen.publishing.channels.bluesky import BlueskyAdapter, record_key
from hafen.publishing.channels.testing import FakeBluesky, Hold, reply

HANDLE = "verein.bsky.social"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"


def png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "orange").save(out, "PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def pds():
    with FakeBluesky(HANDLE, APP_PASSWORD) as server:
        yield server


def account(server: FakeBluesky, password: str = APP_PASSWORD) -> Account:
    return Account({"handle": HANDLE, "pds_url": server.url}, {"app_password": password})


def adapter(timeout: float = 5.0) -> BlueskyAdapter:
    return BlueskyAdapter(timeout=timeout)


def test_a_post_goes_out_with_link_facet_hashtag_and_image_with_alt_text(
    pds: FakeBluesky,
) -> None:
    photo = png()
    post = OutgoingPost(
        "Sommerfest",
        "Schön war's! #Sommerfest",
        "https://verein.example/news/7",
        [OutgoingImage(photo, "image/png", "Lampions über dem Hof")],
    )

    result = adapter().publish(post, account(pds), idempotency_key="post-7-bluesky")

    session = pds.received("POST", "/xrpc/com.atproto.server.createSession")[0]
    assert session.json() == {"identifier": HANDLE, "password": APP_PASSWORD}
    upload = pds.received("POST", "/xrpc/com.atproto.repo.uploadBlob")[0]
    assert upload.bearer == pds.access_token
    assert upload.headers["Content-Type"] == "image/png"
    assert upload.body == photo

    rkey = record_key("post-7-bluesky")
    record = pds.records[rkey]
    text = "Schön war's! #Sommerfest\n\nhttps://verein.example/news/7"
    assert record["$type"] == "app.bsky.feed.post"
    assert record["text"] == text
    assert record["createdAt"].endswith("Z")
    encoded = text.encode()
    by_type = {f["features"][0]["$type"]: f for f in record["facets"]}
    link = by_type["app.bsky.richtext.facet#link"]
    assert encoded[link["index"]["byteStart"]:link["index"]["byteEnd"]] == (
        b"https://verein.example/news/7"
    )
    tag = by_type["app.bsky.richtext.facet#tag"]
    assert tag["features"][0]["tag"] == "Sommerfest"
    assert encoded[tag["index"]["byteStart"]:tag["index"]["byteEnd"]] == b"#Sommerfest"
    [image] = record["embed"]["images"]
    assert record["embed"]["$type"] == "app.bsky.embed.images"
    assert image["alt"] == "Lampions über dem Hof"
    assert pds.blobs[image["image"]["ref"]["$link"]] == photo
    assert image["aspectRatio"] == {"width": 40, "height": 30}

    assert result.external_id == f"at://{pds.did}/app.bsky.feed.post/{rkey}"
    assert result.url == f"https://bsky.app/profile/{pds.did}/post/{rkey}"


def test_the_record_key_is_a_valid_tid_and_the_same_for_every_attempt() -> None:
    key = record_key("post-7-bluesky")

    assert key == record_key("post-7-bluesky") != record_key("post-8-bluesky")
    assert len(key) == 13
    assert key[0] in "234567abcdefghij"
    assert set(key) <= set("234567abcdefghijklmnopqrstuvwxyz")


def test_a_retry_after_a_lost_answer_finds_the_post_and_does_not_post_twice(
    pds: FakeBluesky,
) -> None:
    post = OutgoingPost("", "Heute geschlossen.", None, [])
    hold = Hold()
    pds.fail_next("POST", "/xrpc/com.atproto.repo.createRecord", hold)

    with pytest.raises(ChannelError) as lost:
        adapter(timeout=0.2).publish(post, account(pds), idempotency_key="post-9-bluesky")
    assert lost.value.retryable
    hold.release()
    _wait_until(lambda: len(pds.records) == 1)  # the PDS did write it, late

    result = adapter().publish(post, account(pds), idempotency_key="post-9-bluesky")

    assert len(pds.records) == 1
    assert len(pds.received("POST", "/xrpc/com.atproto.repo.createRecord")) == 1
    assert result.external_id.endswith(record_key("post-9-bluesky"))


def test_a_wrong_app_password_is_not_retried_and_not_repeated(pds: FakeBluesky) -> None:
    with pytest.raises(ChannelError) as refused:
        adapter().publish(OutgoingPost("", "Hallo", None, []),
                          account(pds, password="wrong-pass-word"), idempotency_key="k")

    assert not refused.value.retryable
    assert "did not accept the login" in refused.value.message
    assert "wrong-pass-word" not in repr(refused.value)
    assert pds.records == {}


def test_a_main_password_that_wants_an_email_code_asks_for_an_app_password(
    pds: FakeBluesky,
) -> None:
    pds.fail_next("POST", "/xrpc/com.atproto.server.createSession",
                  reply(401, {"error": "AuthFactorTokenRequired",
                              "message": "A sign in code has been sent to your email address"}))

    with pytest.raises(ChannelError) as refused:
        adapter().publish(OutgoingPost("", "Hallo", None, []), account(pds),
                          idempotency_key="k")

    assert not refused.value.retryable
    assert "Please check the access data" in refused.value.message


def test_a_rate_limited_login_is_retried_after_the_pause_asked_for(pds: FakeBluesky) -> None:
    pds.fail_next("POST", "/xrpc/com.atproto.server.createSession",
                  reply(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                        headers={"Retry-After": "300"}))

    with pytest.raises(ChannelError) as slow_down:
        adapter().publish(OutgoingPost("", "Hallo", None, []), account(pds),
                          idempotency_key="k")

    assert slow_down.value.retryable
    assert slow_down.value.retry_after == 300


def test_a_server_error_during_the_image_upload_is_retried(pds: FakeBluesky) -> None:
    pds.fail_next("POST", "/xrpc/com.atproto.repo.uploadBlob",
                  reply(500, {"error": "InternalServerError"}))

    with pytest.raises(ChannelError) as failed:
        adapter().publish(OutgoingPost("", "Bild", None, [OutgoingImage(png(), "image/png", "")]),
                          account(pds), idempotency_key="k")

    assert failed.value.retryable
    assert pds.records == {}


def test_a_pds_slower_than_the_timeout_is_given_up_and_retried_later(pds: FakeBluesky) -> None:
    pds.fail_next("POST", "/xrpc/com.atproto.server.createSession", Hold())

    with pytest.raises(ChannelError) as late:
        adapter(timeout=0.2).publish(OutgoingPost("", "Hallo", None, []), account(pds),
                          idempotency_key="k")

    assert late.value.retryable
    assert "did not answer in time" in late.value.message


def test_a_session_answer_that_is_not_json_is_retried(pds: FakeBluesky) -> None:
    pds.fail_next("POST", "/xrpc/com.atproto.server.createSession",
                  reply(200, raw=b'{"accessJwt": "half'))

    with pytest.raises(ChannelError) as unreadable:
        adapter().publish(OutgoingPost("", "Hallo", None, []), account(pds),
                          idempotency_key="k")

    assert unreadable.value.retryable


def test_a_record_the_pds_refuses_is_not_retried_and_quotes_the_reason(
    pds: FakeBluesky,
) -> None:
    pds.fail_next("POST", "/xrpc/com.atproto.repo.createRecord",
                  reply(400, {"error": "InvalidRecord", "message": "Record/text is invalid"}))

    with pytest.raises(ChannelError) as refused:
        adapter().publish(OutgoingPost("", "Hallo", None, []), account(pds),
                          idempotency_key="k")

    assert not refused.value.retryable
    assert refused.value.message == "Bluesky refused the post: Record/text is invalid"


def test_the_limit_is_300_graphemes_so_an_emoji_family_counts_once(pds: FakeBluesky) -> None:
    family = "👩‍👩‍👧"  # five code points, one grapheme
    adapter().publish(OutgoingPost("", family * 100 + "ä" * 200, None, []), account(pds),
                      idempotency_key="k")
    assert len(pds.records) == 1

    with pytest.raises(ChannelError) as refused:
        adapter().publish(OutgoingPost("", "ä" * 301, None, []), account(pds),
                          idempotency_key="other")

    assert not refused.value.retryable
    assert refused.value.message == (
        "The post is too long for Bluesky: 301 characters, at most 300 are allowed. "
        "Please shorten it by 1."
    )
    assert len(pds.received("POST", "/xrpc/com.atproto.repo.createRecord")) == 1


def test_emoji_beyond_the_3000_bytes_bluesky_stores_are_refused_in_words() -> None:
    with pytest.raises(ChannelError) as refused:
        adapter().prepare(OutgoingPost("", "👩‍👩‍👧" * 200, None, []))

    assert "emoji and special characters take more room" in refused.value.message


def test_a_picture_over_one_megabyte_is_refused_before_uploading(pds: FakeBluesky) -> None:
    huge = OutgoingImage(b"\x89PNG" + b"0" * 1_000_000, "image/png", "")

    with pytest.raises(ChannelError, match="Image 1 is too large for Bluesky"):
        adapter().publish(OutgoingPost("", "Bild", None, [huge]), account(pds),
                          idempotency_key="k")

    assert pds.requests == []


def test_the_pds_address_defaults_to_bsky_social_and_must_be_https() -> None:
    BlueskyAdapter().validate(Account({"handle": HANDLE}, {"app_password": APP_PASSWORD}))

    with pytest.raises(ChannelError, match="starting with https"):
        BlueskyAdapter().validate(Account({"handle": HANDLE, "pds_url": "http://pds.example"},
                                          {"app_password": APP_PASSWORD}))


def _wait_until(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the fake server never got there"
        time.sleep(0.02)
