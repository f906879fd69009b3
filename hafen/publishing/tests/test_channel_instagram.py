"""Instagram content publishing against a local server that answers as the Graph API does."""

from __future__ import annotations

import pytest
from django.utils import translation

from hafen.publishing.channels import Account, ChannelError, OutgoingImage, OutgoingPost
from hafen.publishing.channels.graph import InstagramAdapter
from hafen.publishing.channels.testing import FakeGraph, Hold, reply

TOKEN = "EAAGinstatoken98765"
IG_USER = "17841400000000042"
JPEG = b"\xff\xd8\xff\xe0 a small jpeg \xff\xd9"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def graph():
    with FakeGraph(TOKEN) as server:
        yield server


def account(server: FakeGraph, token: str = TOKEN) -> Account:
    return Account({"ig_user_id": IG_USER, "base_url": server.url}, {"access_token": token})


def adapter(timeout: float = 5.0) -> InstagramAdapter:
    return InstagramAdapter(timeout=timeout, poll_interval=0.01, max_processing_wait=2)


def image(number: int = 1) -> OutgoingImage:
    return OutgoingImage(JPEG, "image/jpeg", f"Bild {number}",
                         public_url=f"https://verein.example/news/7/image-{number}.jpg")


POST = OutgoingPost("Sommerfest", "Schön war's! #Sommerfest", "https://verein.example/n/7",
                    [image()])


def test_one_image_becomes_a_container_that_is_published_once_it_is_finished(
    graph: FakeGraph,
) -> None:
    result = adapter().publish(POST, account(graph), idempotency_key="k")

    [create] = graph.received("POST", rf"/v25\.0/{IG_USER}/media")
    assert create.form() == {
        "image_url": "https://verein.example/news/7/image-1.jpg",
        "caption": "Schön war's! #Sommerfest\n\nhttps://verein.example/n/7",
        "access_token": TOKEN,
    }
    [container_id] = graph.containers
    # IN_PROGRESS first, so Hafen asked again before publishing
    assert len(graph.received("GET", rf"/v25\.0/{container_id}")) == 2
    assert graph.received("GET", rf"/v25\.0/{container_id}")[0].query["fields"] == "status_code"
    [publish] = graph.received("POST", rf"/v25\.0/{IG_USER}/media_publish")
    assert publish.form() == {"creation_id": container_id, "access_token": TOKEN}
    assert graph.published[0]["id"] == result.external_id
    assert result.url == f"https://www.instagram.com/p/H{result.external_id}/"


def test_several_images_become_a_carousel(graph: FakeGraph) -> None:
    post = OutgoingPost("", "Drei Bilder", None, [image(1), image(2), image(3)])

    adapter().publish(post, account(graph), idempotency_key="k")

    creates = [r.form() for r in graph.received("POST", rf"/v25\.0/{IG_USER}/media")]
    children = creates[:3]
    assert [c["image_url"] for c in children] == [
        f"https://verein.example/news/7/image-{n}.jpg" for n in (1, 2, 3)
    ]
    assert {c["is_carousel_item"] for c in children} == {"true"}
    carousel = creates[3]
    assert carousel["media_type"] == "CAROUSEL"
    assert carousel["children"].split(",") == list(graph.containers)[:3]
    assert carousel["caption"] == "Drei Bilder"
    assert len(graph.published) == 1


def test_a_picture_instagram_cannot_process_is_not_retried_and_nothing_is_published() -> None:
    with FakeGraph(TOKEN, container_states=("IN_PROGRESS", "ERROR")) as graph:
        with pytest.raises(ChannelError) as failed:
            adapter().publish(POST, account(graph), idempotency_key="k")

        assert not failed.value.retryable
        assert "could not process a picture" in failed.value.message
        assert graph.published == []


def test_a_container_still_in_progress_after_the_wait_is_retried_later() -> None:
    with FakeGraph(TOKEN, container_states=("IN_PROGRESS",)) as graph:
        slow = InstagramAdapter(timeout=5, poll_interval=0.01, max_processing_wait=0.05)
        with pytest.raises(ChannelError) as waiting:
            slow.publish(POST, account(graph), idempotency_key="k")

        assert waiting.value.retryable
        assert graph.published == []


def test_an_invalid_token_is_not_retried(graph: FakeGraph) -> None:
    with pytest.raises(ChannelError) as refused:
        adapter().publish(POST, account(graph, token="EAAGold"), idempotency_key="k")

    assert not refused.value.retryable
    assert "did not accept the login" in refused.value.message
    assert "EAAGold" not in repr(refused.value)


def test_a_429_is_retried_after_the_time_asked_for(graph: FakeGraph) -> None:
    graph.fail_next("POST", rf"/v25\.0/{IG_USER}/media",
                    reply(429, {}, headers={"Retry-After": "30"}))

    with pytest.raises(ChannelError) as slow_down:
        adapter().publish(POST, account(graph), idempotency_key="k")

    assert slow_down.value.retryable and slow_down.value.retry_after == 30


def test_a_server_error_is_retried(graph: FakeGraph) -> None:
    graph.fail_next("POST", rf"/v25\.0/{IG_USER}/media", reply(503, raw=b"unavailable"))

    with pytest.raises(ChannelError) as failed:
        adapter().publish(POST, account(graph), idempotency_key="k")

    assert failed.value.retryable


def test_a_timeout_of_media_publish_is_left_to_the_author_to_check(graph: FakeGraph) -> None:
    graph.fail_next("POST", rf"/v25\.0/{IG_USER}/media_publish", Hold())

    with pytest.raises(ChannelError) as late:
        adapter(timeout=0.2).publish(POST, account(graph), idempotency_key="k")

    assert not late.value.retryable
    assert "may have been published anyway" in late.value.message


def test_an_unreadable_status_answer_is_retried(graph: FakeGraph) -> None:
    graph.fail_next("GET", r"/v25\.0/\d+", reply(200, raw=b"[1, 2"))

    with pytest.raises(ChannelError) as unreadable:
        adapter().publish(POST, account(graph), idempotency_key="k")

    assert unreadable.value.retryable
    assert graph.published == []


@pytest.mark.parametrize(
    ("post", "message"),
    [
        (OutgoingPost("", "Nur Text", None, []), "need at least one image"),
        (OutgoingPost("", "PNG", None, [OutgoingImage(JPEG, "image/png", "",
                                                      public_url="https://v.example/1.png")]),
         "only JPEG pictures; image 1"),
        (OutgoingPost("", "Ohne Adresse", None, [OutgoingImage(JPEG, "image/jpeg", "")]),
         "Image 1 has no public address yet"),
        (OutgoingPost("", "a" * 2201, None, [image()]), "too long for Instagram: 2201"),
        (OutgoingPost("", " ".join(f"#tag{n}" for n in range(31)), None, [image()]),
         "at most 30 hashtags; this post has 31"),
        (OutgoingPost("", "Viele", None, [image(n) for n in range(11)]), "at most 10 images"),
    ],
)
def test_posts_instagram_would_refuse_are_stopped_before_sending(
    graph: FakeGraph, post: OutgoingPost, message: str,
) -> None:
    with pytest.raises(ChannelError, match=message) as refused:
        adapter().publish(post, account(graph), idempotency_key="k")

    assert not refused.value.retryable
    assert graph.requests == []
