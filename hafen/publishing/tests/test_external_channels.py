"""External channels end to end: communications staff connect a Mastodon account on the
channel page, a post approved for it is published there by the worker (against a local
server that answers as Mastodon's API does), and a refused token ends in a clear failure."""

from __future__ import annotations

import pytest

from hafen.publishing import images
from hafen.publishing.actions import approval, delivering, posts
from hafen.publishing.actions.channels import open_channel_secret
from hafen.publishing.channels.testing import FakeMastodon
from hafen.publishing.models import Channel, ChannelKind, Delivery, DeliveryState
from hafen.publishing.tests.conftest import approved, browser, news_channel, png_bytes

TOKEN = "mastodon-token-Zq81xv-0123456789"


@pytest.fixture
def mastodon():
    with FakeMastodon(token=TOKEN) as server:
        yield server


def connect(comms, server, token: str = TOKEN) -> Channel:
    """Add and set up the channel through the pages, as communications staff would."""
    client = browser(comms)
    response = client.post("/oeffentlichkeit/kanaele/", {"kind": "mastodon", "name": "Mastodon"})
    assert response.status_code == 302
    channel = Channel.objects.get(kind=ChannelKind.MASTODON)
    response = client.post(
        f"/oeffentlichkeit/kanaele/{channel.pk}/",
        {
            "name": "Mastodon",
            "active": "on",
            "konto-instance_url": server.url,
            "konto-access_token": token,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Channel.objects.get(pk=channel.pk)


def test_a_post_approved_for_mastodon_is_published_there(comms, leader, mastodon):
    news_channel(comms)
    channel = connect(comms, mastodon)
    assert channel.config == {"instance_url": mastodon.url}
    assert TOKEN.encode() not in bytes(channel.sealed_secret)

    post = approved(
        comms,
        leader,
        text="Am Samstag feiern wir unser Sommerfest. Alle sind willkommen!",
        channels=[channel, Channel.objects.get(kind=ChannelKind.NEWS)],
    )
    delivering.publish_due()

    [status] = mastodon.statuses
    assert status["status"].startswith("Am Samstag feiern wir unser Sommerfest.")
    assert f"/n/{comms.organisation.slug}/{post.pk}/" in status["status"]  # the news link
    sent = Delivery.objects.get(post=post, channel=channel)
    assert sent.state == DeliveryState.DELIVERED and sent.external_url


def test_images_go_out_without_their_metadata(comms, leader, mastodon):
    channel = connect(comms, mastodon)
    post = posts.create_post(
        comms, title="Plakat", text="Unser neues Plakat.", channels=[channel], planned_at=None
    )
    posts.add_image(comms, post, images.prepare(png_bytes(), "image/png"), alt_text="Ein Plakat")
    approval.submit(comms, post, version_id=post.current_version_id)
    approval.approve(leader, post, version_id=post.current_version_id)
    delivering.publish_due()
    [upload] = mastodon.received("POST", "/api/v2/media")
    assert upload.parts()["description"][0].text == "Ein Plakat"


def test_a_refused_token_is_a_clear_failure_without_retries(comms, leader, mastodon):
    channel = connect(comms, mastodon, token="ein-falsches-token-0000")
    post = approved(comms, leader, channels=[channel])
    delivering.publish_due()
    failed = Delivery.objects.get(post=post, channel=channel)
    assert failed.state == DeliveryState.FAILED
    assert failed.last_error and "ein-falsches" not in failed.last_error
    assert not mastodon.statuses


def test_settings_the_service_would_refuse_are_not_saved(comms, mastodon):
    client = browser(comms)
    client.post("/oeffentlichkeit/kanaele/", {"kind": "mastodon", "name": "Mastodon"})
    channel = Channel.objects.get(kind=ChannelKind.MASTODON)
    response = client.post(
        f"/oeffentlichkeit/kanaele/{channel.pk}/",
        {
            "name": "Mastodon",
            "konto-instance_url": "http://example.org",
            "konto-access_token": "x" * 20,
        },
    )
    assert response.status_code == 400
    channel.refresh_from_db()
    assert channel.config == {} and channel.sealed_secret is None


def test_the_stored_token_is_kept_when_the_field_stays_empty(comms, mastodon):
    channel = connect(comms, mastodon)
    page = browser(comms).get(f"/oeffentlichkeit/kanaele/{channel.pk}/").content.decode()
    assert TOKEN not in page and "Leave empty to keep it" in page
    response = browser(comms).post(
        f"/oeffentlichkeit/kanaele/{channel.pk}/",
        {"name": "Mastodon neu", "active": "on", "konto-instance_url": mastodon.url},
    )
    assert response.status_code == 302
    assert open_channel_secret(Channel.objects.get(pk=channel.pk)) == TOKEN
