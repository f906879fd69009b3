"""Personas and helpers of the partner network, on top of the demo organisation.

- Jonas Weber (``counsellor``): counsellor of Jugendberatung and Streetwork, edits the
  directory and refers his clients;
- Aylin Demir (``volunteer``), Thomas Berg (``dpo``), Sven Krüger (``admin_user``): read
  the directory and events, edit nothing;
- Dr. Petra Hahn (``leader``), Mira Schulz (``comms``): edit the directory and events;
- ``outsider``: staff of another organisation, sees nothing of this one.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from hafen.accounts.models import Team, User
from hafen.cases.models import Case
from hafen.cases.tests.conftest import entry, open_case
from hafen.conftest import login_client
from hafen.network import actions
from hafen.network.models import Partner


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


def make_partner(user: User, name: str = "Schuldnerberatung Nord", **fields) -> Partner:
    fields.setdefault("services", "Schuldnerberatung, P-Konto")
    fields.setdefault("areas", "Nordstadt")
    fields.setdefault("languages", "Deutsch, Türkisch")
    return actions.create_partner(user, name=name, **fields)


@pytest.fixture
def partner(counsellor) -> Partner:
    return make_partner(counsellor)


@pytest.fixture
def case(counsellor) -> Case:
    """Jonas's case of Leon in Jugendberatung, with one entry."""
    made = open_case(counsellor, Team.objects.get(slug="jugendberatung"), name="Leon Krause")
    entry(counsellor, made, "Erstgespräch: Schulden bei zwei Mobilfunkanbietern.")
    return made


def browse(user: User, language: str = "en") -> Client:
    """A browser logged in through the real login form, asking for ``language``."""
    client = login_client(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client
