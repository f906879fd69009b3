"""A Facebook Page against a local server that answers as the Graph API does."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from hafen.publishing.channels import Account, ChannelError, OutgoingImage, OutgoingPost
from hafen.publishing.channels.graph import FacebookAdapter
from hafen.publishing.channels.testing import FakeGraph, Hold, graph_error, reply

TOKEN = "EAAGpagetoken123456"
PAGE = "104857600123"
PHOTO = b"\xff\xd8\xff\xe0 a small jpeg \xff\xd9"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def graph():
    with FakeGraph(TOKEN) as server:
        yield server


def account(server: FakeGraph, token: str = TOKEN) -> Account:
    return Account({"page_id": PAGE, "base_url": server.url}, {"access_token": token})


def adapter(timeout: float = 5.0) -> FacebookAdapter:
    return FacebookAdapter(timeout=timeout)


TEXT_POST = OutgoingPost("Sommerfest", "Am Samstag feiern wir!", "https://verein.example/n/7", [])


def test_a_text_post_goes_to_the_page_feed_with_its_link_for_a_preview(graph: FakeGraph) -> None:
    result = adapter().publish(TEXT_POST, account(graph), idempotency_key="k")

    [request] = graph.received("POST", rf"/v25\.0/{PAGE}/feed")
    assert request.query == {}  # the token is in the body, never in a URL
    assert request.form() == {
        "access_token": TOKEN,
        "message": "Am Samstag feiern wir!",
        "link": "https://verein.example/n/7",
    }
    assert graph.feed[0]["id"] == result.external_id
    assert result.url == f"https://www.facebook.com/{result.external_id}"


def test_images_are_uploaded_unpublished_with_alt_text_and_attached_to_one_post(
    graph: FakeGraph,
) -> None:
    post = OutgoingPost("", "Bilder vom Fest", "https://verein.example/n/7", [
        OutgoingImage(PHOTO, "image/jpeg", "Lampions"),
        OutgoingImage(PHOTO + b"2", "image/jpeg", "Kuchenbuffet"),
    ])

    adapter().publish(post, account(graph), idempotency_key="k")

    photos = list(graph.photos.values())
    assert [p["data"] for p in photos] == [PHOTO, PHOTO + b"2"]
    assert [p["alt"] for p in photos] == ["Lampions", "Kuchenbuffet"]
    assert {p["published"] for p in photos} == {"false"}
    [feed_post] = graph.feed
    assert feed_post["attached"] == list(graph.photos)
    assert feed_post["message"] == "Bilder vom Fest\n\nhttps://verein.example/n/7"
    feed_request = graph.received("POST", rf"/v25\.0/{PAGE}/feed")[0]
    assert json.loads(feed_request.form()["attached_media[0]"]) == {
        "media_fbid": next(iter(graph.photos))
    }


def test_an_invalid_token_is_not_retried_and_asks_to_check_the_settings(
    graph: FakeGraph,
) -> None:
    with pytest.raises(ChannelError) as refused:
        adapter().publish(TEXT_POST, account(graph, token="EAAGexpired999"), idempotency_key="k")

    assert not refused.value.retryable
    assert refused.value.message == (
        "Facebook did not accept the login. Please check the access data in the channel "
        "settings."
    )
    assert graph.feed == []


def test_graph_rate_limit_errors_are_retried(graph: FakeGraph) -> None:
    graph.fail_next("POST", rf"/v25\.0/{PAGE}/feed",
                    graph_error("(#4) Application request limit reached", 4))

    with pytest.raises(ChannelError) as slow_down:
        adapter().publish(TEXT_POST, account(graph), idempotency_key="k")

    assert slow_down.value.retryable


@pytest.mark.parametrize(
    "error",
    [
        {"message": "An unknown error occurred", "code": 1},
        {"message": "Service temporarily unavailable", "code": 2},
        {"message": "Please retry", "code": 368, "is_transient": True},
    ],
)
def test_temporary_graph_errors_are_retried(graph: FakeGraph, error: dict[str, object]) -> None:
    graph.fail_next("POST", rf"/v25\.0/{PAGE}/feed", reply(400, {"error": error}))

    with pytest.raises(ChannelError) as failed:
        adapter().publish(TEXT_POST, account(graph), idempotency_key="k")

    assert failed.value.retryable
    assert "has a problem right now" in failed.value.message


def test_a_429_with_retry_after_is_retried_after_that_time(graph: FakeGraph) -> None:
    graph.fail_next("POST", rf"/v25\.0/{PAGE}/feed",
                    reply(429, raw=b"Too Many Requests", headers={"Retry-After": "60"}))

    with pytest.raises(ChannelError) as slow_down:
        adapter().publish(TEXT_POST, account(graph), idempotency_key="k")

    assert slow_down.value.retryable
    assert slow_down.value.retry_after == 60


def test_a_server_error_is_retried(graph: FakeGraph) -> None:
    graph.fail_next("POST", rf"/v25\.0/{PAGE}/feed", reply(500, {"error": {"code": 2}}))

    with pytest.raises(ChannelError) as failed:
        adapter().publish(TEXT_POST, account(graph), idempotency_key="k")

    assert failed.value.retryable


def test_a_timeout_of_the_upload_is_retried_but_of_the_post_itself_is_left_to_the_author(
    graph: FakeGraph,
) -> None:
    with_image = OutgoingPost("", "Bild", None, [OutgoingImage(PHOTO, "image/jpeg", "")])
    graph.fail_next("POST", rf"/v25\.0/{PAGE}/photos", Hold())
    with pytest.raises(ChannelError) as upload_late:
        adapter(timeout=0.2).publish(with_image, account(graph), idempotency_key="k")
    assert upload_late.value.retryable

    graph.fail_next("POST", rf"/v25\.0/{PAGE}/feed", Hold())
    with pytest.raises(ChannelError) as post_late:
        adapter(timeout=0.2).publish(TEXT_POST, account(graph), idempotency_key="k")

    # Facebook has no idempotency key: a blind retry could post twice.
    assert not post_late.value.retryable
    assert post_late.value.message == (
        "Facebook did not answer in time. The post may have been published anyway: please "
        "look at Facebook before you try again."
    )


def test_an_unreadable_answer_to_an_upload_is_retried(graph: FakeGraph) -> None:
    graph.fail_next("POST", rf"/v25\.0/{PAGE}/photos", reply(200, raw=b"<html>oops"))

    with pytest.raises(ChannelError) as unreadable:
        adapter().publish(OutgoingPost("", "Bild", None, [OutgoingImage(PHOTO, "image/jpeg", "")]),
                          account(graph), idempotency_key="k")

    assert unreadable.value.retryable
    assert graph.feed == []


def test_an_unreadable_success_of_the_post_itself_is_not_retried_blindly(graph: FakeGraph) -> None:
    graph.fail_next("POST", rf"/v25\.0/{PAGE}/feed", reply(200, raw=b"<html>oops"))

    with pytest.raises(ChannelError) as unclear:
        adapter().publish(TEXT_POST, account(graph), idempotency_key="k")

    assert not unclear.value.retryable
    assert "may have been published anyway" in unclear.value.message


def test_a_post_facebook_refuses_quotes_the_reason_for_the_author(graph: FakeGraph) -> None:
    graph.fail_next("POST", rf"/v25\.0/{PAGE}/feed",
                    graph_error("(#100) The link is not allowed", 100))

    with pytest.raises(ChannelError) as refused:
        adapter().publish(TEXT_POST, account(graph), idempotency_key="k")

    assert not refused.value.retryable
    assert refused.value.message == "Facebook refused the post: (#100) The link is not allowed"


def test_a_post_longer_than_facebook_allows_is_refused_before_sending(graph: FakeGraph) -> None:
    with pytest.raises(ChannelError, match="too long for Facebook: 63207 characters"):
        adapter().publish(OutgoingPost("", "a" * 63_207, None, []), account(graph),
                          idempotency_key="k")

    assert graph.requests == []


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"page_id": "my-page"}, "“Page ID” of the Facebook channel must be a number."),
        ({"page_id": PAGE, "api_version": "latest"}, "“Graph API version” must look like"),
        ({"page_id": PAGE, "base_url": "http://graph.example"}, "starting with https"),
        ({}, "Please fill in “Page ID”"),
    ],
)
def test_invalid_settings_are_named(config: dict[str, str], message: str) -> None:
    with pytest.raises(ChannelError, match=message) as invalid:
        FacebookAdapter().validate(Account(config, {"access_token": TOKEN}))

    assert not invalid.value.retryable
