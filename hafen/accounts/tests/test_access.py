"""Need-to-know: who may see the client content of a team's records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from hafen.accounts import access
from hafen.accounts.models import Team
from hafen.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


@dataclass
class Record:
    """Stands for any team record of a later app (a conversation, a case file)."""

    team_id: int
    assigned: list[int] = field(default_factory=list)

    def assigned_user_ids(self) -> list[int]:
        return self.assigned


def _record(slug: str, assigned: list[int] | None = None) -> Record:
    return Record(team_id=Team.objects.get(slug=slug).pk, assigned=assigned or [])


def test_counsellors_see_their_teams_records_only(counsellor) -> None:
    assert access.may_see(counsellor, _record("jugendberatung"))
    assert access.may_see(counsellor, _record("streetwork"))
    assert not access.may_see(counsellor, _record("schuldnerberatung"))


def test_volunteers_see_their_own_team_only(volunteer) -> None:
    assert access.may_see(volunteer, _record("streetwork"))
    assert not access.may_see(volunteer, _record("jugendberatung"))


def test_leadership_dpo_admin_and_communications_see_no_client_content(
    leader, dpo, admin_user, comms
) -> None:
    for person in (leader, dpo, admin_user, comms):
        assert not access.may_see(person, _record("jugendberatung")), person


def test_staff_of_another_organisation_see_nothing(org, outsider) -> None:
    assert not access.may_see(outsider, _record("jugendberatung"))


def test_assignment_opens_one_record_not_the_team(leader) -> None:
    assert access.may_see(leader, _record("schuldnerberatung", assigned=[leader.pk]))
    assert not access.may_see(leader, _record("schuldnerberatung"))


def test_anonymous_and_deactivated_people_see_nothing(counsellor) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not access.may_see(AnonymousUser(), _record("jugendberatung"))
    counsellor.is_active = False
    assert not access.may_see(counsellor, _record("jugendberatung"))


def test_break_glass_opens_a_team_for_a_while_and_is_audited(leader) -> None:
    team = Team.objects.get(slug="schuldnerberatung")

    grant = access.break_glass(leader, team, "Krisenfall: Fachkraft erkrankt, Klient in Not", 30)

    assert access.may_see(leader, _record("schuldnerberatung"))
    entry = AuditEntry.objects.get(action="access.break_glass")
    assert entry.actor_id == leader.pk and entry.details == {"team": team.pk, "minutes": 30}
    assert "Krisenfall" not in str(entry.details)  # the reason stays with the grant
    with time_machine.travel(grant.expires_at + timedelta(seconds=1)):
        assert not access.may_see(leader, _record("schuldnerberatung"))


def test_break_glass_needs_a_real_reason_and_stays_inside_the_organisation(
    leader, outsider
) -> None:
    with pytest.raises(ValueError):
        access.break_glass(leader, Team.objects.get(slug="streetwork"), "weil", 30)
    with pytest.raises(access.PermissionDenied):
        access.break_glass(
            outsider, Team.objects.get(slug="streetwork"), "Ein langer Grund hier", 30
        )
    assert not AuditEntry.objects.filter(action="access.break_glass").exists()


def test_break_glass_is_capped_at_eight_hours(leader) -> None:
    grant = access.break_glass(
        leader, Team.objects.get(slug="streetwork"), "Nachtbereitschaft Krise", 10_000
    )

    assert grant.expires_at <= timezone.now() + timedelta(hours=8)


def test_role_checks_know_organisation_wide_and_team_roles(counsellor, leader) -> None:
    team = Team.objects.get(slug="jugendberatung")
    other = Team.objects.get(slug="schuldnerberatung")

    assert access.has_role(counsellor, "counsellor", team=team)
    assert not access.has_role(counsellor, "counsellor", team=other)
    assert access.has_role(leader, "leadership", team=other)  # organisation-wide
    assert access.roles_of(counsellor) == {"counsellor"}
