"""Personas of the client door: an anonymous client with a browser session of its own."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client

from hafen.conversations.models import Conversation

DOOR = "/k/jugendberatung/"


@dataclass
class DoorClient:
    """A client's browser: a cookie jar, the conversation it opened, the code it got."""

    browser: Client
    code: str
    conversation: Conversation

    def send(self, body: str, client_id: str = "aaaaaaaa-0001", **headers: str):
        return self.browser.post(
            "/gespraech/senden/", {"body": body, "client_id": client_id}, **headers
        )


def start_conversation(team_slug: str = "jugendberatung", passphrase: str = "") -> DoorClient:
    browser = Client()
    response = browser.post(f"/k/{team_slug}/start/", {"agree": "on", "passphrase": passphrase})
    assert response.status_code == 302, response.content[:300]
    page = browser.get("/gespraech/").content.decode()
    match = re.search(r'data-testid="return-code">([a-z-]+)<', page)
    assert match, "the new code is shown on the conversation page"
    conversation = Conversation.objects.get(pk=browser.session["door_conversation"])
    return DoorClient(browser, match.group(1), conversation)


@pytest.fixture(autouse=True)
def _office_hours(during_office_hours):
    """Conversations tests run during office hours unless they travel themselves."""


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def door_client(org) -> DoorClient:
    return start_conversation()
