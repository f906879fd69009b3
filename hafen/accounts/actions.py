"""Every write to staff accounts and the organisation: change, audit entry, one transaction."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hafen.accounts.models import Invitation, Membership, Organisation, Role, Team, User
from hafen.privacy import audit

RECOVERY_CODE_COUNT = 10


class InvitationInvalid(Exception):
    """The link is unknown, used, revoked or expired — the page says so without telling which."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class NewInvitation:
    invitation: Invitation
    token: str  # shown once to the admin, never stored


@transaction.atomic
def invite_staff(
    *,
    admin: User,
    display_name: str,
    role: str,
    team: Team | None,
    email: str = "",
) -> NewInvitation:
    organisation = admin.organisation
    assert organisation is not None
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        token_hash=hash_token(token),
        display_name=display_name,
        email=email,
        team=team,
        role=role,
        invited_by=admin,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    audit.record(
        "staff.invited",
        actor=admin,
        target=invitation,
        organisation_id=organisation.pk,
        role=role,
        team=team.pk if team else None,
    )
    return NewInvitation(invitation=invitation, token=token)


def find_usable_invitation(token: str) -> Invitation:
    invitation = (
        Invitation.objects.usable()
        .select_related("organisation", "team")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise InvitationInvalid
    return invitation


def accept_invitation(token: str, *, username: str, password: str) -> User:
    """Create the account and its first role; the link is spent in the same transaction."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .usable()
            .filter(token_hash=hash_token(token))
            .first()
        )
        # Re-checked under the row lock: two tabs submitting at once make one account.
        if invitation is None:
            raise InvitationInvalid
        user = User(
            username=username,
            display_name=invitation.display_name,
            email=invitation.email,
            organisation=invitation.organisation,
        )
        user.set_password(password)
        user.save()
        Membership.objects.create(
            user=user,
            organisation=invitation.organisation,
            team=invitation.team,
            role=invitation.role,
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit.record(
            "staff.invitation_accepted",
            actor=user,
            target=invitation,
            organisation_id=invitation.organisation_id,
        )
    return user


@transaction.atomic
def revoke_invitation(*, admin: User, invitation: Invitation) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(
        "staff.invitation_revoked",
        actor=admin,
        target=invitation,
        organisation_id=invitation.organisation_id,
    )


@transaction.atomic
def add_membership(*, admin: User, user: User, role: str, team: Team | None) -> Membership:
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=user.organisation, team=team, role=role
    )
    if created:
        audit.record(
            "staff.role_added",
            actor=admin,
            target=user,
            organisation_id=user.organisation_id,
            role=role,
            team=team.pk if team else None,
        )
    return membership


class LastAdministrator(Exception):
    """The organisation would be left without anybody who can manage accounts."""


@transaction.atomic
def remove_membership(*, admin: User, membership: Membership) -> None:
    if membership.role == Role.ADMIN:
        admins = Membership.objects.select_for_update().filter(
            organisation_id=membership.organisation_id, role=Role.ADMIN, user__is_active=True
        )
        if not admins.exclude(pk=membership.pk).exists():
            raise LastAdministrator
    audit.record(
        "staff.role_removed",
        actor=admin,
        target=membership.user,
        organisation_id=membership.organisation_id,
        role=membership.role,
        team=membership.team_id,
    )
    membership.delete()


@transaction.atomic
def set_active(*, admin: User, user: User, active: bool) -> None:
    if user.pk == admin.pk and not active:
        raise ValueError("Administrators cannot deactivate themselves.")
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record(
        "staff.activated" if active else "staff.deactivated",
        actor=admin,
        target=user,
        organisation_id=user.organisation_id,
    )


@transaction.atomic
def set_require_two_factor(*, admin: User, organisation: Organisation, required: bool) -> None:
    organisation.require_two_factor = required
    organisation.save(update_fields=["require_two_factor"])
    audit.record(
        "organisation.two_factor_rule",
        actor=admin,
        target=organisation,
        organisation_id=organisation.pk,
        required=required,
    )


def start_totp_enrolment(user: User) -> TOTPDevice:
    """A fresh, unconfirmed authenticator; any earlier unconfirmed one is discarded."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)


def pending_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


@transaction.atomic
def confirm_totp_enrolment(user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the authenticator with a first code; returns new recovery codes, or None."""
    if not device.verify_token(code):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    audit.record(
        "account.two_factor_enabled", actor=user, target=user, organisation_id=user.organisation_id
    )
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def disable_two_factor(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit.record(
        "account.two_factor_disabled", actor=user, target=user, organisation_id=user.organisation_id
    )


def has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def record_login(user: User, *, two_factor: bool) -> None:
    audit.record(
        "account.login",
        actor=user,
        target=user,
        organisation_id=user.organisation_id,
        two_factor=two_factor,
    )


def record_logout(user: User) -> None:
    audit.record("account.logout", actor=user, target=user, organisation_id=user.organisation_id)
