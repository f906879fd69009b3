"""The organisation, its facilities and teams, staff, their roles, and invitations."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A Träger: the legal body that runs facilities and owns the data."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    require_two_factor = models.BooleanField(
        _("require two-factor login"),
        default=False,
        help_text=_("Staff without a second factor are asked to set one up before anything else."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Facility(models.Model):
    """An Einrichtung: a place or service of the organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="facilities"
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"))

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="facility_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """The unit of need-to-know: conversations and cases belong to a team."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=200)
    # Globally unique: the client door's public address is /k/<slug>/.
    slug = models.SlugField(_("short name"), unique=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["facility__name", "name"]

    def __str__(self) -> str:
        return f"{self.facility.name} · {self.name}"

    @property
    def organisation_id(self) -> int:
        return self.facility.organisation_id


class Role(models.TextChoices):
    LEADERSHIP = "leadership", _("Leadership")
    COUNSELLOR = "counsellor", _("Counsellor")
    VOLUNTEER = "volunteer", _("Volunteer")
    COMMUNICATIONS = "communications", _("Communications")
    DPO = "dpo", _("Data-protection officer")
    ADMIN = "admin", _("Administrator")


# Roles that work with client content in their team (need-to-know).
CONTENT_ROLES = frozenset({Role.COUNSELLOR, Role.VOLUNTEER})
# Roles that only make sense inside a team.
TEAM_ROLES = frozenset({Role.COUNSELLOR, Role.VOLUNTEER})


class User(AbstractUser):
    """A staff member. Clients never have accounts: they are anonymous by design."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="staff",
        null=True,
        blank=True,
        verbose_name=_("organisation"),
    )
    display_name = models.CharField(_("display name"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.display_name or self.username


class Membership(models.Model):
    """A role of a staff member, for one team or (team empty) the whole organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="memberships", null=True, blank=True
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "team", "role"],
                name="membership_unique_in_team",
                condition=Q(team__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                name="membership_unique_in_organisation",
                condition=Q(team__isnull=True),
            ),
            models.CheckConstraint(
                condition=Q(team__isnull=False) | ~Q(role__in=sorted(TEAM_ROLES)),
                name="membership_team_role_needs_team",
            ),
        ]

    def __str__(self) -> str:
        where = self.team.name if self.team_id and self.team else self.organisation.name
        return f"{self.user} · {self.get_role_display()} · {where}"


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def usable(self) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True).filter(
            expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """A one-time link that lets a new staff member set up an account.

    Only the SHA-256 of the token is stored: a copy of the database does not let
    anybody accept an open invitation.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    display_name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail (optional)"), blank=True)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()})"

    @property
    def is_usable(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class BreakGlass(models.Model):
    """An explicit, reasoned, time-limited widening of need-to-know to one team.

    Granted only through ``access.break_glass``, which writes the audit entry.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="break_glass"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("break-glass access")
        verbose_name_plural = _("break-glass accesses")

    def __str__(self) -> str:
        return f"{self.user} → {self.team}"
