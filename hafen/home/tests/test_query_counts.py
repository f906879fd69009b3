"""List pages cost the same number of queries for 6 or 60 people (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hafen.accounts import actions
from hafen.accounts.models import Membership, Role, Team, User
from hafen.conftest import login_client
from hafen.privacy import audit

pytestmark = pytest.mark.django_db


def _grow(admin: User, people: int) -> None:
    team = Team.objects.get(slug="streetwork")
    for i in range(people):
        user = User.objects.create(
            username=f"person{i}", display_name=f"Person {i}", organisation=admin.organisation
        )
        Membership.objects.create(
            user=user, organisation=admin.organisation, team=team, role=Role.VOLUNTEER
        )
        actions.invite_staff(admin=admin, display_name=f"Gast {i}", role=Role.VOLUNTEER, team=team)
        audit.record("test.action", actor=user, organisation_id=admin.organisation_id)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("admin", "/konto/team/"),
        ("admin", "/start/admin/"),
        ("leitung", "/start/leadership/"),
        ("ehrenamt", "/start/volunteer/"),
        ("datenschutz", "/start/dpo/"),
    ],
)
def test_list_pages_do_not_grow_in_queries_with_the_organisation(
    org, admin_user, username, url
) -> None:
    client = login_client(User.objects.get(username=username))
    small = _queries(client, url)

    _grow(admin_user, 40)

    assert _queries(client, url) == small
