"""Personas of the bridge: a counsellor who makes a link, a client who opens it."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client

from hafen.accounts.models import Team, User
from hafen.bridge.models import Handover
from hafen.conftest import login_client

PAGE = "/posteingang/uebergabe/"


def english(client: Client) -> Client:
    """The same browser, asking for English pages (messages are asserted in English)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@dataclass
class Made:
    """A handover as the counsellor got it: the one response that shows its link."""

    response: HttpResponse
    link: str
    token: str
    handover: Handover

    @property
    def path(self) -> str:
        return f"/b/{self.token}/"


def make_handover(
    user: User,
    team_slug: str = "jugendberatung",
    channel: str = "whatsapp",
    topic: str = "",
    validity: str = "7d",
    browser: Client | None = None,
) -> Made:
    browser = browser or login_client(user)
    team = Team.objects.get(slug=team_slug)
    response = browser.post(
        PAGE, {"team": team.pk, "channel": channel, "topic": topic, "validity": validity}
    )
    assert response.status_code == 200, response.content[:2000]
    link = response.context["link"]
    match = re.fullmatch(r"http://testserver-base/b/([A-Za-z0-9_-]+)/", link)
    assert match, link
    handover = Handover.objects.get(pk=response.context["handover"].pk)
    return Made(response, link, match.group(1), handover)


def start_through(made: Made, browser: Client | None = None, passphrase: str = "") -> Client:
    """A client taps the link in a fresh browser, agrees and starts."""
    browser = browser or Client()
    assert browser.get(made.path).status_code == 200
    response = browser.post(made.path, {"agree": "on", "passphrase": passphrase})
    assert response.status_code == 302, response.content[:2000]
    assert response["Location"] == "/gespraech/"
    return browser


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.HAFEN_BASE_URL = "http://testserver-base"


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()
