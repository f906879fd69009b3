"""Staff login: password, throttling, two-factor enrolment and login, session expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hafen.accounts.models import User
from hafen.conftest import PASSWORD, login_client
from hafen.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


def _post_login(client: Client, username: str, password: str):
    return client.post("/konto/anmelden/", {"username": username, "password": password})


def _current_code(user: User) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _enrol(client: Client, user: User) -> list[str]:
    client.post("/konto/sicherheit/", {"operation": "start"})
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"
    response = client.post("/konto/sicherheit/", {"operation": "confirm", "code": code})
    assert response.status_code == 200
    return list(response.context["codes"])


def test_staff_log_in_and_land_on_their_start_page(counsellor) -> None:
    client = Client()

    response = _post_login(client, "fachkraft", PASSWORD)

    assert response.status_code == 302
    page = client.get(response["Location"], follow=True)
    assert page.request["PATH_INFO"] == "/start/counsellor/"
    assert "Beispiel-Träger e.V." in page.content.decode()
    assert AuditEntry.objects.filter(action="account.login", actor_id=counsellor.pk).exists()


def test_a_wrong_password_says_so_in_german_and_logs_nobody_in(counsellor) -> None:
    client = Client()

    response = _post_login(client, "fachkraft", "falsch")

    assert response.status_code == 200
    assert "Benutzername oder Passwort ist falsch." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_next_parameter_only_leads_to_this_site(counsellor) -> None:
    client = Client()

    evil = client.post(
        "/konto/anmelden/",
        {"username": "fachkraft", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert evil["Location"] == "/start/"


def test_logout_ends_the_session(counsellor) -> None:
    client = login_client(counsellor)

    client.post("/konto/abmelden/")

    assert client.get("/start/counsellor/")["Location"].startswith("/konto/anmelden/")
    assert AuditEntry.objects.filter(action="account.logout", actor_id=counsellor.pk).exists()


def test_logout_by_get_is_refused(counsellor) -> None:
    client = login_client(counsellor)

    assert client.get("/konto/abmelden/").status_code == 405
    assert client.get("/start/counsellor/").status_code == 200


def test_five_failures_lock_the_account_even_for_the_right_password(counsellor) -> None:
    client = Client()
    for _ in range(5):
        _post_login(client, "fachkraft", "falsch")

    locked = _post_login(client, "fachkraft", PASSWORD)

    assert locked.status_code == 429
    assert "Zu viele fehlgeschlagene Versuche" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_lifts_after_the_cool_off(counsellor) -> None:
    client = Client()
    for _ in range(5):
        _post_login(client, "fachkraft", "falsch")

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert _post_login(Client(), "fachkraft", PASSWORD).status_code == 302


def test_failures_for_one_person_do_not_lock_a_colleague(counsellor, volunteer) -> None:
    client = Client()
    for _ in range(5):
        _post_login(client, "fachkraft", "falsch")

    assert _post_login(client, "ehrenamt", PASSWORD).status_code == 302


def test_enrolling_totp_then_logging_in_asks_for_the_code(counsellor) -> None:
    client = login_client(counsellor)
    recovery_codes = _enrol(client, counsellor)
    assert len(recovery_codes) == 10
    client.post("/konto/abmelden/")

    fresh = Client()
    first_step = _post_login(fresh, "fachkraft", PASSWORD)
    assert first_step["Location"] == "/konto/anmelden/code/"
    assert fresh.get("/start/counsellor/").status_code == 302  # not logged in yet

    wrong = fresh.post("/konto/anmelden/code/", {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in fresh.session

    # A person types the next code half a minute later: django-otp refuses a code that
    # was used already (at enrolment) and slows down guessing after a wrong one.
    with time_machine.travel(timezone.now() + timedelta(seconds=40)):
        right = fresh.post("/konto/anmelden/code/", {"code": _current_code(counsellor)})
        assert right.status_code == 302
        assert fresh.get("/start/counsellor/").status_code == 200
    assert AuditEntry.objects.filter(
        action="account.login", actor_id=counsellor.pk, details__two_factor=True
    ).exists()


def test_a_recovery_code_works_once(counsellor) -> None:
    client = login_client(counsellor)
    code = _enrol(client, counsellor)[0]

    first = Client()
    _post_login(first, "fachkraft", PASSWORD)
    assert first.post("/konto/anmelden/code/", {"code": code}).status_code == 302

    second = Client()
    _post_login(second, "fachkraft", PASSWORD)
    again = second.post("/konto/anmelden/code/", {"code": code})
    assert again.status_code == 200 and "_auth_user_id" not in second.session


def test_five_wrong_codes_send_the_person_back_to_the_password(counsellor) -> None:
    _enrol(login_client(counsellor), counsellor)
    client = Client()
    _post_login(client, "fachkraft", PASSWORD)

    for _ in range(5):
        response = client.post("/konto/anmelden/code/", {"code": "123456"})

    assert response["Location"] == "/konto/anmelden/"
    assert client.get("/konto/anmelden/code/")["Location"] == "/konto/anmelden/"


def test_a_wrong_enrolment_code_leaves_two_factor_off(counsellor) -> None:
    client = login_client(counsellor)
    client.post("/konto/sicherheit/", {"operation": "start"})

    response = client.post("/konto/sicherheit/", {"operation": "confirm", "code": "000000"})

    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=counsellor, confirmed=True).exists()


def test_an_organisation_that_requires_two_factor_sends_staff_to_set_it_up(
    admin_user, counsellor
) -> None:
    admin = login_client(admin_user)
    admin.post("/konto/team/zwei-faktor/", {"required": "1"})
    client = login_client(counsellor)

    assert client.get("/start/counsellor/")["Location"] == "/konto/sicherheit/"
    _enrol(client, counsellor)
    assert client.get("/start/counsellor/").status_code == 200


def test_two_factor_cannot_be_switched_off_when_required(admin_user, counsellor) -> None:
    client = login_client(counsellor)
    _enrol(client, counsellor)
    login_client(admin_user).post("/konto/team/zwei-faktor/", {"required": "1"})

    client.post("/konto/sicherheit/", {"operation": "disable", "password": PASSWORD})

    assert TOTPDevice.objects.filter(user=counsellor, confirmed=True).exists()


def test_two_factor_can_be_switched_off_with_the_password(counsellor) -> None:
    client = login_client(counsellor)
    _enrol(client, counsellor)

    wrong = client.post("/konto/sicherheit/", {"operation": "disable", "password": "falsch"})
    assert wrong.status_code == 200
    assert TOTPDevice.objects.filter(user=counsellor).exists()

    client.post("/konto/sicherheit/", {"operation": "disable", "password": PASSWORD})
    assert not TOTPDevice.objects.filter(user=counsellor).exists()


def test_a_session_expires_after_thirty_idle_minutes(counsellor) -> None:
    client = login_client(counsellor)

    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = client.get("/start/counsellor/")

    assert response.status_code == 302
    assert response["Location"].startswith("/konto/anmelden/")


def test_activity_keeps_a_session_alive(counsellor) -> None:
    client = login_client(counsellor)
    start = timezone.now()

    for minutes in (20, 40, 60):
        with time_machine.travel(start + timedelta(minutes=minutes)):
            assert client.get("/start/counsellor/").status_code == 200


def test_a_deactivated_person_cannot_log_in(admin_user, counsellor) -> None:
    login_client(admin_user).post(f"/konto/team/{counsellor.pk}/", {"operation": "deactivate"})

    response = _post_login(Client(), "fachkraft", PASSWORD)

    assert response.status_code == 200
    assert User.objects.get(pk=counsellor.pk).is_active is False


@pytest.mark.real_hashing
def test_passwords_are_stored_as_argon2_hashes(counsellor) -> None:
    assert User.objects.get(pk=counsellor.pk).password.startswith("argon2")
    assert _post_login(Client(), "fachkraft", PASSWORD).status_code == 302
