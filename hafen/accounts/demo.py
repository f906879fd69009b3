"""The demo organisation: one account per role, two facilities, three teams.

Only for trying Hafen out; `hafen demo` refuses to run in production mode.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from hafen.accounts.models import Facility, Membership, Organisation, Role, Team, User
from hafen.privacy import audit

DEMO_PASSWORD = "hafen-demo-2026"  # noqa: S105  (printed for trying Hafen out)
DEMO_ORGANISATION = "beispiel-traeger"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: Role
    team_slug: str | None


DEMO_ACCOUNTS = [
    DemoAccount("leitung", "Dr. Petra Hahn", Role.LEADERSHIP, None),
    DemoAccount("fachkraft", "Jonas Weber", Role.COUNSELLOR, "jugendberatung"),
    DemoAccount("ehrenamt", "Aylin Demir", Role.VOLUNTEER, "streetwork"),
    DemoAccount("oeffentlichkeit", "Mira Schulz", Role.COMMUNICATIONS, None),
    DemoAccount("datenschutz", "Thomas Berg", Role.DPO, None),
    DemoAccount("admin", "Sven Krüger", Role.ADMIN, None),
]

FACILITIES = [
    (
        "jugendhaus-nord",
        "Jugendhaus Nord",
        [("jugendberatung", "Jugendberatung"), ("streetwork", "Streetwork")],
    ),
    (
        "beratungsstelle-mitte",
        "Beratungsstelle Mitte",
        [("schuldnerberatung", "Schuldnerberatung")],
    ),
]


def demo_exists() -> bool:
    return Organisation.objects.filter(slug=DEMO_ORGANISATION).exists()


@transaction.atomic
def create_demo() -> Organisation:
    organisation = Organisation.objects.create(name="Beispiel-Träger e.V.", slug=DEMO_ORGANISATION)
    teams: dict[str, Team] = {}
    for facility_slug, facility_name, team_specs in FACILITIES:
        facility = Facility.objects.create(
            organisation=organisation, slug=facility_slug, name=facility_name
        )
        for team_slug, team_name in team_specs:
            teams[team_slug] = Team.objects.create(
                facility=facility, slug=team_slug, name=team_name
            )
    for account in DEMO_ACCOUNTS:
        user = User(
            username=account.username,
            display_name=account.display_name,
            organisation=organisation,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        team = teams[account.team_slug] if account.team_slug else None
        Membership.objects.create(
            user=user, organisation=organisation, team=team, role=account.role
        )
    # The counsellor also works in the second team of the same facility.
    Membership.objects.create(
        user=User.objects.get(username="fachkraft"),
        organisation=organisation,
        team=teams["streetwork"],
        role=Role.COUNSELLOR,
    )
    audit.record("demo.created", target=organisation, organisation_id=organisation.pk)
    return organisation
