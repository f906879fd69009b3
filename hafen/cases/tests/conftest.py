"""Personas of case documentation, on top of the demo organisation (``hafen.conftest``).

- Jonas (``counsellor``): counsellor of Jugendberatung and Streetwork, opens the cases;
- Lena (``colleague``): counsellor of Jugendberatung, his teammate;
- Kai (``other_team``): counsellor of Schuldnerberatung, another team;
- Aylin (``volunteer``): volunteer of Streetwork;
- Dr. Hahn (``leader``), Thomas Berg (``dpo``), ``comms``, ``admin_user``, ``outsider``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import translation

from hafen.accounts.models import Membership, Role, Team, User
from hafen.cases import actions
from hafen.cases.models import Case, CaseEntry, EntryKind
from hafen.cases.validation import today
from hafen.conftest import PASSWORD


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


def make_counsellor(slug: str, username: str, display_name: str) -> User:
    team = Team.objects.select_related("facility").get(slug=slug)
    user = User(
        username=username,
        display_name=display_name,
        organisation_id=team.organisation_id,
        email=f"{username}@example.org",
    )
    user.set_password(PASSWORD)
    user.save()
    Membership.objects.create(
        user=user, organisation_id=team.organisation_id, team=team, role=Role.COUNSELLOR
    )
    return user


@pytest.fixture
def youth(org) -> Team:
    return Team.objects.select_related("facility").get(slug="jugendberatung")


@pytest.fixture
def street(org) -> Team:
    return Team.objects.select_related("facility").get(slug="streetwork")


@pytest.fixture
def colleague(org) -> User:
    return make_counsellor("jugendberatung", "lena", "Lena Vogt")


@pytest.fixture
def other_team(org) -> User:
    return make_counsellor("schuldnerberatung", "kai", "Kai Brandt")


def open_case(user: User, team: Team, pseudonym: str = "Leon K.", **fields) -> Case:
    fields.setdefault("opened_on", today() - timedelta(days=100))
    case = actions.open_case(user, team, pseudonym=pseudonym, **fields)
    return Case.objects.select_related("team__facility", "data_key", "category").get(pk=case.pk)


def entry(user: User, case: Case, text: str, **fields) -> CaseEntry:
    fields.setdefault("kind", EntryKind.NOTE)
    fields.setdefault("occurred_on", today() - timedelta(days=1))
    made = actions.add_entry(user, case, text=text, **fields)
    return CaseEntry.objects.select_related("case__data_key", "case__team__facility").get(
        pk=made.pk
    )


@pytest.fixture
def case(counsellor, youth) -> Case:
    """Jonas's case in Jugendberatung, with the client's name and one entry."""
    made = open_case(counsellor, youth, name="Leon Krause", contact="0151 0000000")
    entry(counsellor, made, "Erstgespräch: Leon möchte den Hauptschulabschluss schaffen.")
    return made


@pytest.fixture
def street_case(counsellor, street) -> Case:
    """A case of Streetwork, where Aylin volunteers."""
    made = open_case(counsellor, street, pseudonym="Mo")
    entry(counsellor, made, "Kontakt am Bahnhof, sucht einen Schlafplatz.")
    return made
