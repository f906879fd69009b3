"""Need-to-know, in one place: may this person see this record?

Every later app asks here — views, websocket consumers, exports and tasks alike —
and never writes its own rule:

- client content (conversations, cases) of a team: the team's counsellors and
  volunteers, people assigned to the record, and anyone holding an active
  break-glass grant for that team (explicit, reasoned, time-limited, audited);
- leadership sees figures and structure, not client content, unless one of the
  above also applies;
- organisation-wide roles (leadership, DPO, admin, communications) are memberships
  without a team.

``may_see(user, record)`` takes any record with ``team_id`` and, optionally, an
``assigned_user_ids()`` method (the seam for inbox assignment and case staff).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import wraps
from typing import Any, Protocol, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from hafen.accounts.models import CONTENT_ROLES, BreakGlass, Membership, Role, Team, User
from hafen.privacy import audit

BREAK_GLASS_MAX_MINUTES = 8 * 60


class TeamRecord(Protocol):
    team_id: int


def _staff(user: object) -> User | None:
    """The active staff member behind ``user``, or None for anonymous and deactivated."""
    if isinstance(user, User) and user.is_active:
        return user
    return None


def roles_of(user: object) -> set[str]:
    """Every role the person holds anywhere in the organisation."""
    staff = _staff(user)
    if staff is None:
        return set()
    return set(Membership.objects.filter(user=staff).values_list("role", flat=True))


def has_role(user: object, *roles: str, team: Team | None = None) -> bool:
    """The person holds one of ``roles`` organisation-wide or, if given, in ``team``."""
    staff = _staff(user)
    if staff is None:
        return False
    memberships = Membership.objects.filter(user=staff, role__in=roles)
    if team is not None:
        memberships = memberships.filter(
            team__isnull=True, organisation_id=team.organisation_id
        ) | (memberships.filter(team=team))
    return memberships.exists()


def content_team_ids(user: object) -> set[int]:
    """Teams whose client content the person may see: team work or an active break-glass."""
    staff = _staff(user)
    if staff is None:
        return set()
    ids = set(
        Membership.objects.filter(
            user=staff, role__in=list(CONTENT_ROLES), team__isnull=False
        ).values_list("team_id", flat=True)
    )
    ids |= set(
        BreakGlass.objects.filter(user=staff, expires_at__gt=timezone.now()).values_list(
            "team_id", flat=True
        )
    )
    return {team_id for team_id in ids if team_id is not None}


def content_teams(user: object) -> QuerySet[Team]:
    return Team.objects.filter(pk__in=content_team_ids(user))


def may_see(user: object, record: TeamRecord) -> bool:
    """May this person read the client content of ``record``?"""
    staff = _staff(user)
    if staff is None:
        return False
    assigned: Callable[[], Iterable[int]] | None = getattr(record, "assigned_user_ids", None)
    if assigned is not None and staff.pk in set(assigned()):
        return True
    return record.team_id in content_team_ids(staff)


def staff_teams(user: object) -> QuerySet[Team]:
    """Teams the person belongs to in any role (for navigation, not for content)."""
    staff = _staff(user)
    if staff is None:
        return Team.objects.none()
    return Team.objects.filter(memberships__user=staff).distinct()


@transaction.atomic
def break_glass(user: User, team: Team, reason: str, minutes: int = 60) -> BreakGlass:
    """Grant the person time-limited access to one team's content, with a reason, audited."""
    reason = reason.strip()
    if len(reason) < 10:
        raise ValueError("A break-glass access needs a reason of at least 10 characters.")
    minutes = max(1, min(minutes, BREAK_GLASS_MAX_MINUTES))
    if user.organisation_id != team.organisation_id:
        raise PermissionDenied
    grant = BreakGlass.objects.create(
        user=user, team=team, reason=reason, expires_at=timezone.now() + timedelta(minutes=minutes)
    )
    audit.record(
        "access.break_glass",
        actor=user,
        target=grant,
        organisation_id=team.organisation_id,
        team=team.pk,
        minutes=minutes,
    )
    return grant


ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def require_role(*roles: Role) -> Callable[[ViewFunc], ViewFunc]:
    """View decorator: the person must be logged in and hold one of ``roles`` somewhere."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request)
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def redirect_to_login(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth.views import redirect_to_login as django_redirect

    return django_redirect(request.get_full_path())


def session_passes_two_factor(user: User, session: Any) -> bool:
    """Does this session satisfy the organisation's two-factor rule (for websockets too)?"""
    from django_otp import DEVICE_ID_SESSION_KEY

    organisation = user.organisation
    if organisation is None or not organisation.require_two_factor:
        return True
    return bool(session.get(DEVICE_ID_SESSION_KEY))
