"""Read-side helpers for the start pages: one query per list, never one per row."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q
from django_otp.plugins.otp_totp.models import TOTPDevice

from hafen.accounts.models import Facility, Invitation, Membership, Organisation, Team, User
from hafen.privacy.models import AuditEntry, DataKey


def structure_page(user: User) -> dict[str, Any]:
    if user.organisation is None:
        return {}
    return {"facilities": organisation_structure(user.organisation)}


def teams_page(user: User) -> dict[str, Any]:
    return {"teams": my_teams(user)}


def admin_page(user: User) -> dict[str, Any]:
    return admin_figures(user.organisation) if user.organisation else {}


def dpo_page(user: User) -> dict[str, Any]:
    return audit_overview(user.organisation) if user.organisation else {}


def organisation_structure(organisation: Organisation) -> list[Facility]:
    teams = Team.objects.annotate(
        staff_count=Count(
            "memberships__user", filter=Q(memberships__user__is_active=True), distinct=True
        )
    ).order_by("name")
    return list(
        Facility.objects.filter(organisation=organisation)
        .prefetch_related(Prefetch("teams", queryset=teams))
        .order_by("name")
    )


def my_teams(user: User) -> list[Team]:
    colleagues = (
        Membership.objects.filter(user__is_active=True)
        .select_related("user")
        .order_by("user__display_name", "user__username")
    )
    return list(
        Team.objects.filter(memberships__user=user)
        .distinct()
        .select_related("facility")
        .prefetch_related(Prefetch("memberships", queryset=colleagues, to_attr="team_members"))
    )


def admin_figures(organisation: Organisation) -> dict[str, Any]:
    staff = User.objects.filter(organisation=organisation, is_active=True)
    with_2fa = staff.filter(
        pk__in=TOTPDevice.objects.filter(confirmed=True).values("user_id")
    ).count()
    return {
        "staff_count": staff.count(),
        "two_factor_count": with_2fa,
        "open_invitations": Invitation.objects.usable().filter(organisation=organisation).count(),
    }


def audit_overview(organisation: Organisation, limit: int = 50) -> dict[str, Any]:
    entries = AuditEntry.objects.filter(
        Q(organisation_id=organisation.pk) | Q(organisation_id__isnull=True)
    ).order_by("-seq")[:limit]
    return {
        "entries": list(entries),
        "entry_count": AuditEntry.objects.count(),
        "live_keys": DataKey.objects.filter(shredded_at__isnull=True).count(),
        "shredded_keys": DataKey.objects.filter(shredded_at__isnull=False).count(),
    }
