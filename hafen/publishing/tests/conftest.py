"""Personas and helpers of public communication, on top of the demo organisation.

- Mira Schulz (``comms``): communications, writes most posts;
- Jonas Weber (``counsellor``): counsellor, drafts posts too;
- Dr. Petra Hahn (``leader``): leadership, approves;
- Aylin Demir (``volunteer``), Thomas Berg (``dpo``), Sven Krüger (``admin_user``): see no posts;
- ``outsider``: staff of another organisation.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from PIL import Image

from hafen.accounts.models import User
from hafen.conftest import login_client
from hafen.publishing import images
from hafen.publishing.actions import approval, delivering, posts
from hafen.publishing.actions import channels as channel_actions
from hafen.publishing.models import Channel, ChannelKind, Post
from hafen.publishing.tests import smtp


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; German is tested where the language matters."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def png_bytes(size: tuple[int, int] = (8, 6), fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format=fmt)
    return buffer.getvalue()


def png_upload(
    name: str = "bild.png", content_type: str = "image/png", **options
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(**options), content_type=content_type)


def news_channel(user: User) -> Channel:
    return channel_actions.ensure_news_page(user)


def manual_channel(user: User, name: str = "Instagram (von Hand)") -> Channel:
    existing = Channel.objects.filter(organisation_id=user.organisation_id, name=name).first()
    return existing or channel_actions.create_channel(user, kind=ChannelKind.MANUAL, name=name)


def draft(
    author: User,
    *,
    title: str = "Sommerfest im Jugendtreff",
    text: str = "Am Samstag feiern wir unser Sommerfest. Alle sind willkommen!",
    channels: list[Channel] | None = None,
    planned_at: datetime | None = None,
) -> Post:
    if channels is None:
        channels = [news_channel_for(author)]
    return posts.create_post(
        author, title=title, text=text, channels=channels, planned_at=planned_at
    )


def news_channel_for(author: User) -> Channel:
    existing = Channel.objects.filter(
        organisation_id=author.organisation_id, kind=ChannelKind.NEWS
    ).first()
    if existing is None:
        raise AssertionError("make the news channel first (news_channel(comms))")
    return existing


def submitted(author: User, **fields) -> Post:
    post = draft(author, **fields)
    return approval.submit(author, post, version_id=post.current_version_id)


def approved(author: User, approver: User, **fields) -> Post:
    post = submitted(author, **fields)
    return approval.approve(approver, post, version_id=post.current_version_id)


def published_post(author: User, approver: User) -> Post:
    """A post on the news page with one image, made through the real actions."""
    news_channel(author)
    post = draft(author)
    posts.add_image(author, post, images.prepare(png_bytes(), "image/png"), alt_text="Ein Plakat")
    approval.submit(author, post, version_id=post.current_version_id)
    approval.approve(approver, post, version_id=post.current_version_id)
    delivering.publish_due()
    return Post.objects.get(pk=post.pk)


@pytest.fixture
def news(comms) -> Channel:
    return news_channel(comms)


@pytest.fixture
def by_hand(comms) -> Channel:
    return manual_channel(comms)


def browser(user: User, language: str = "en") -> Client:
    """A logged-in client that asks for English pages (German is tested where it matters)."""
    client = login_client(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


@pytest.fixture
def mailbox() -> Iterator[tuple[smtp.Mailbox, int]]:
    """A real SMTP server (aiosmtpd) on this machine: what it received, and its port."""
    with smtp.serve() as served:
        yield served
