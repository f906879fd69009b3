"""What each role's start page shows. Later apps register their panels here.

PANELS[Role.COUNSELLOR].append(Panel("conversations/panel_inbox.html", inbox_context))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hafen.accounts.models import Role, User
from hafen.home import queries


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[HttpRequest], dict[str, Any]] = field(default=lambda request: {})


@dataclass(frozen=True)
class RolePage:
    role: Role
    title: Promise
    summary: Promise
    template: str
    context: Callable[[User], dict[str, Any]]


ROLE_PAGES: dict[str, RolePage] = {
    Role.LEADERSHIP: RolePage(
        Role.LEADERSHIP,
        _("Leadership"),
        _(
            "Your organisation at a glance: facilities, teams and people. "
            "You see figures and structure, not what clients wrote."
        ),
        "home/role_structure.html",
        queries.structure_page,
    ),
    Role.COUNSELLOR: RolePage(
        Role.COUNSELLOR,
        _("Counselling"),
        _(
            "Your teams and colleagues. Conversations and case files of your teams are yours "
            "to see; nobody else's."
        ),
        "home/role_teams.html",
        queries.teams_page,
    ),
    Role.VOLUNTEER: RolePage(
        Role.VOLUNTEER,
        _("Volunteering"),
        _("Your teams and the colleagues you work with."),
        "home/role_teams.html",
        queries.teams_page,
    ),
    Role.COMMUNICATIONS: RolePage(
        Role.COMMUNICATIONS,
        _("Public communication"),
        _("The organisation you speak for, its facilities and teams."),
        "home/role_structure.html",
        queries.structure_page,
    ),
    Role.DPO: RolePage(
        Role.DPO,
        _("Data protection"),
        _("The audit log: who did what to which record, and proof that nobody altered it."),
        "home/role_dpo.html",
        queries.dpo_page,
    ),
    Role.ADMIN: RolePage(
        Role.ADMIN,
        _("Administration"),
        _("Staff, invitations, roles and the two-factor rule of the organisation."),
        "home/role_admin.html",
        queries.admin_page,
    ),
}

PANELS: dict[str, list[Panel]] = {role: [] for role in ROLE_PAGES}
