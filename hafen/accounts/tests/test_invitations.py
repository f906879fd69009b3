"""An admin invites staff by a one-time link; the link makes one account, once, in time."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from hafen.accounts import actions
from hafen.accounts.models import Invitation, Membership, Role, Team, User
from hafen.conftest import login_client
from hafen.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Leuchtturm-am-Hafen-7"


def _invite(admin_user: User, **overrides: object) -> str:
    team = Team.objects.get(slug="jugendberatung")
    data = {"display_name": "Lena Vogel", "role": "counsellor", "team": team.pk, **overrides}
    response = login_client(admin_user).post("/konto/team/", data)
    assert response.status_code == 200
    link = response.context["new_link"]
    assert link, response.context["form"].errors
    return str(link).split("/konto/einladung/")[1].rstrip("/")


def _accept(token: str, username: str = "lvogel", client: Client | None = None):
    return (client or Client()).post(
        f"/konto/einladung/{token}/",
        {"username": username, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )


def test_the_invited_colleague_sets_up_an_account_with_the_role(admin_user) -> None:
    token = _invite(admin_user)

    page = Client().get(f"/konto/einladung/{token}/")
    assert page.status_code == 200 and "Lena Vogel" in page.content.decode()
    response = _accept(token)

    assert response.status_code == 302
    user = User.objects.get(username="lvogel")
    assert user.organisation == admin_user.organisation
    assert user.check_password(NEW_PASSWORD)
    assert Membership.objects.filter(
        user=user, role=Role.COUNSELLOR, team__slug="jugendberatung"
    ).exists()
    assert AuditEntry.objects.filter(action="staff.invitation_accepted", actor_id=user.pk).exists()


def test_the_link_works_only_once(admin_user) -> None:
    token = _invite(admin_user)
    _accept(token)

    again = _accept(token, username="someone_else")

    assert again.status_code == 404
    assert not User.objects.filter(username="someone_else").exists()
    assert Client().get(f"/konto/einladung/{token}/").status_code == 404


def test_the_link_expires_after_a_week(admin_user) -> None:
    token = _invite(admin_user)

    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = _accept(token)

    assert response.status_code == 404
    assert not User.objects.filter(username="lvogel").exists()


def test_a_withdrawn_link_no_longer_works(admin_user) -> None:
    token = _invite(admin_user)
    invitation = Invitation.objects.get()

    login_client(admin_user).post(f"/konto/team/einladung/{invitation.pk}/widerrufen/")

    assert _accept(token).status_code == 404
    assert AuditEntry.objects.filter(action="staff.invitation_revoked").exists()


def test_only_the_hash_of_the_token_is_stored(admin_user) -> None:
    token = _invite(admin_user)

    invitation = Invitation.objects.get()
    assert invitation.token_hash == actions.hash_token(token)
    assert token not in str(Invitation.objects.values().get())


def test_a_weak_or_mismatched_password_is_refused_with_a_reason(admin_user) -> None:
    token = _invite(admin_user)

    weak = Client().post(
        f"/konto/einladung/{token}/",
        {"username": "lvogel", "password1": "12345678", "password2": "12345678"},
    )
    mismatch = Client().post(
        f"/konto/einladung/{token}/",
        {"username": "lvogel", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"},
    )

    assert weak.status_code == 200 and weak.context["form"].errors["password1"]
    assert mismatch.status_code == 200 and mismatch.context["form"].errors["password2"]
    assert not User.objects.filter(username="lvogel").exists()
    assert Invitation.objects.get().accepted_at is None


def test_a_taken_user_name_is_refused(admin_user) -> None:
    token = _invite(admin_user)

    response = _accept(token, username="Fachkraft")

    assert response.status_code == 200 and response.context["form"].errors["username"]
    assert Invitation.objects.get().accepted_at is None


def test_an_email_address_gets_the_link_by_mail(admin_user) -> None:
    token = _invite(admin_user, email="lena.vogel@example.org")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lena.vogel@example.org"]
    assert f"/konto/einladung/{token}/" in mail.outbox[0].body


def test_counsellors_need_a_team(admin_user) -> None:
    response = login_client(admin_user).post(
        "/konto/team/", {"display_name": "Ohne Team", "role": "counsellor", "team": ""}
    )

    assert response.status_code == 200 and response.context["form"].errors["team"]
    assert not Invitation.objects.exists()


def test_a_team_of_another_organisation_cannot_be_chosen(admin_user, outsider) -> None:
    foreign = Team.objects.get(slug="suchtberatung")

    response = login_client(admin_user).post(
        "/konto/team/", {"display_name": "X", "role": "counsellor", "team": foreign.pk}
    )

    assert response.context["form"].errors["team"]
    assert not Invitation.objects.exists()


def test_only_admins_invite(counsellor, leader) -> None:
    for person in (counsellor, leader):
        response = login_client(person).post(
            "/konto/team/", {"display_name": "X", "role": "admin", "team": ""}
        )
        assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_an_admin_assigns_and_removes_roles(admin_user, volunteer) -> None:
    client = login_client(admin_user)
    team = Team.objects.get(slug="schuldnerberatung")

    client.post(
        f"/konto/team/{volunteer.pk}/",
        {"operation": "add_role", "role": "counsellor", "team": team.pk},
    )
    membership = Membership.objects.get(user=volunteer, team=team, role=Role.COUNSELLOR)
    client.post(
        f"/konto/team/{volunteer.pk}/", {"operation": "remove_role", "membership": membership.pk}
    )

    assert not Membership.objects.filter(pk=membership.pk).exists()
    actions_logged = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"staff.role_added", "staff.role_removed"} <= actions_logged


def test_an_admin_of_another_organisation_sees_nothing(outsider, counsellor) -> None:
    client = login_client(outsider)

    assert client.get(f"/konto/team/{counsellor.pk}/").status_code == 404
    staff_page = client.get("/konto/team/").content.decode()
    assert "Jonas Weber" not in staff_page


def test_the_last_administrator_cannot_lose_the_role(admin_user) -> None:
    client = login_client(admin_user)
    own = Membership.objects.get(user=admin_user, role=Role.ADMIN)

    response = client.post(
        f"/konto/team/{admin_user.pk}/",
        {"operation": "remove_role", "membership": own.pk},
        follow=True,
    )

    assert Membership.objects.filter(pk=own.pk).exists()
    assert "mindestens eine" in response.content.decode()


def test_opening_an_invitation_does_not_log_out_whoever_is_logged_in(admin_user) -> None:
    token = _invite(admin_user)
    client = login_client(admin_user)

    assert client.get(f"/konto/einladung/{token}/").status_code == 200

    assert client.get("/start/admin/").status_code == 200
