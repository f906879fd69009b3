"""Who may do what with handovers, in one place for views, actions and tests.

- Making a handover is work with clients: counsellors and volunteers, for the teams
  they are members of. A break-glass grant (reading another team's content in an
  emergency) does not make somebody a member who invites new clients to that team.
- Reply texts are the organisation's voice: leadership and administrators.
- The funnel is a figure: leadership. It holds counts only, never content.
"""

from __future__ import annotations

from django.db.models import QuerySet

from hafen.accounts import access
from hafen.accounts.models import CONTENT_ROLES, Membership, Role, Team, User


def handover_team_ids(user: object) -> set[int]:
    if not isinstance(user, User) or not user.is_active:
        return set()
    return {
        team_id
        for team_id in Membership.objects.filter(
            user=user, role__in=sorted(CONTENT_ROLES), team__isnull=False
        ).values_list("team_id", flat=True)
        if team_id is not None
    }


def handover_teams(user: object) -> QuerySet[Team]:
    return (
        Team.objects.filter(pk__in=handover_team_ids(user))
        .select_related("facility")
        .order_by("facility__name", "name")
    )


def may_edit_reply_texts(user: object) -> bool:
    return (
        isinstance(user, User)
        and user.organisation_id is not None
        and access.has_role(user, Role.LEADERSHIP, Role.ADMIN)
    )


def may_see_funnel(user: object) -> bool:
    return (
        isinstance(user, User)
        and user.organisation_id is not None
        and access.has_role(user, Role.LEADERSHIP)
    )
