"""Hostile input to the login, second-factor, invitation and staff pages changes nothing.

Every case goes through the real HTTP stack with a client that turns an exception
into a status code, so that a crash shows as a 500 instead of a traceback. After
each case the database is compared with a snapshot taken before it: no account,
role, invitation or audit entry may appear, vanish or change.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

import axes.utils
import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hafen.accounts import actions
from hafen.accounts.models import Invitation, Membership, Organisation, Role, Team, User
from hafen.conftest import PASSWORD, login_client
from hafen.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Leuchtturm-am-Hafen-7"
LONG = "A" * 10_000
SCRIPT = '<script>alert("hafen")</script>'
ATTRIBUTE_BREAKOUT = '"><img src=x onerror=alert(1)>'
SQL = "' OR '1'='1' --"
SQL_DROP = "1; DROP TABLE accounts_user; --"
CONTROL = "ab\x1b[31mcd\x07"
NUL = "ab\x00cd"
FULL_WIDTH_DIGITS = "".join(chr(0xFF10 + digit) for digit in (1, 2, 3, 4, 5, 6))
FULL_WIDTH_ADMIN = "".join(chr(ord(letter) + 0xFEE0) for letter in "admin")
# Markers whose raw presence in a page means the input was reflected unescaped.
RAW_MARKERS = (b'<script>alert("hafen")', b"<img src=x onerror")
ALLOWED_STATUSES = {200, 302, 400, 403, 404, 405, 429}


@pytest.fixture(autouse=True)
def _fresh_login_throttle() -> None:
    """Each case starts with no counted login failures (django-axes)."""
    axes.utils.reset()


def _snapshot() -> dict[str, Any]:
    """Everything a hostile request must not touch."""
    return {
        "users": sorted(
            User.objects.values_list("pk", "username", "is_active", "password", "display_name")
        ),
        "memberships": sorted(Membership.objects.values_list("pk", "user_id", "team_id", "role")),
        "invitations": sorted(
            Invitation.objects.values_list("pk", "display_name", "accepted_at", "revoked_at")
        ),
        "audit_entries": AuditEntry.objects.count(),
        "two_factor_rule": sorted(Organisation.objects.values_list("pk", "require_two_factor")),
        "authenticators": TOTPDevice.objects.count(),
        "recovery_codes": StaticToken.objects.count(),
    }


def _tolerant(client: Client) -> Client:
    client.raise_request_exception = False
    return client


def _assert_handled(response: Any, *, form_error: bool) -> None:
    """Not a crash, nothing reflected raw, and a visible reason where a form came back."""
    assert response.status_code in ALLOWED_STATUSES, response.status_code
    assert response.status_code != 500
    body = response.content
    for marker in RAW_MARKERS:
        assert marker not in body, f"unescaped input in the page: {marker!r}"
    if form_error and response.status_code == 200:
        assert b'class="error"' in body or b'class="form-errors"' in body, body[:2000]


def _post(client: Client, path: str, data: dict[str, Any] | bytes, **extra: Any) -> Any:
    if isinstance(data, bytes):
        return client.post(path, data, content_type="application/x-www-form-urlencoded", **extra)
    return client.post(path, data, **extra)


# --- login ------------------------------------------------------------------------------

LOGIN_CASES = {
    "a 10,000-character user name": {"username": LONG, "password": PASSWORD},
    "a 10,000-character password": {"username": "fachkraft", "password": LONG},
    "a NUL byte in the user name": {"username": "fachkraft" + NUL, "password": PASSWORD},
    "a NUL byte in the password": {"username": "fachkraft", "password": PASSWORD + "\x00"},
    "control characters in the user name": {"username": CONTROL, "password": PASSWORD},
    "sql in the user name": {"username": "fachkraft" + SQL, "password": SQL},
    "sql in the password": {"username": "fachkraft", "password": SQL},
    "a script in the user name": {"username": SCRIPT, "password": "x"},
    "an attribute breakout in the user name": {"username": ATTRIBUTE_BREAKOUT, "password": "x"},
    "a script in the next field": {"username": "fachkraft", "password": "x", "next": SCRIPT},
    "no user name": {"password": PASSWORD},
    "no password": {"username": "fachkraft"},
    "an empty form": {"username": "", "password": ""},
    "an empty body": {},
    "two user names": {"username": ["leitung", "fachkraft"], "password": "x"},
    "a body of separators only": b"=====&&&&%%%",
}


@pytest.mark.parametrize("data", LOGIN_CASES.values(), ids=LOGIN_CASES.keys())
def test_the_login_form_refuses_hostile_input_and_logs_nobody_in(counsellor, data) -> None:
    client = _tolerant(Client())
    before = _snapshot()

    response = _post(client, "/konto/anmelden/", data)

    _assert_handled(response, form_error=True)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert _snapshot() == before


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "application/json", "text/plain"],
    ids=["an empty form body", "json", "plain text"],
)
def test_a_body_that_is_no_form_logs_nobody_in(counsellor, content_type) -> None:
    client = _tolerant(Client())
    before = _snapshot()
    body = b'{"username": "fachkraft", "password": "%s"}' % PASSWORD.encode()

    response = client.post("/konto/anmelden/", body, content_type=content_type)

    _assert_handled(response, form_error=True)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert _snapshot() == before


def test_a_hostile_next_parameter_is_escaped_on_the_login_page(org) -> None:
    response = _tolerant(Client()).get("/konto/anmelden/", {"next": ATTRIBUTE_BREAKOUT + SCRIPT})

    _assert_handled(response, form_error=False)
    assert response.status_code == 200
    assert b"&lt;script&gt;" in response.content


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_login_page_refuses_other_methods(counsellor, method) -> None:
    client = _tolerant(Client())
    before = _snapshot()

    response = getattr(client, method)("/konto/anmelden/")

    assert response.status_code == 405
    assert _snapshot() == before


def test_credentials_in_the_query_string_log_nobody_in(counsellor) -> None:
    client = _tolerant(Client())
    before = _snapshot()

    response = client.get("/konto/anmelden/", {"username": "fachkraft", "password": PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert _snapshot() == before


HOSTILE_NEXT = [
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "https:evil.example",
    "https://evil.example/",
    "http://testserver@evil.example/",
    "javascript:alert(1)",
    "\x00//evil.example",
    " //evil.example",
    "\t//evil.example",
    "/%2F%2Fevil.example",
]


@pytest.mark.parametrize("next_url", HOSTILE_NEXT)
def test_a_hostile_next_parameter_never_leads_to_another_host(counsellor, next_url) -> None:
    client = _tolerant(Client())

    response = client.post(
        "/konto/anmelden/", {"username": "fachkraft", "password": PASSWORD, "next": next_url}
    )

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert urlsplit(location).netloc == ""


def test_a_forged_forwarded_for_header_does_not_escape_the_login_lock(counsellor) -> None:
    client = _tolerant(Client())

    for attempt in range(6):
        client.post(
            "/konto/anmelden/",
            {"username": "fachkraft", "password": "falsch"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}",
        )
    response = client.post(
        "/konto/anmelden/",
        {"username": "fachkraft", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_foreign_host_header_is_refused(counsellor) -> None:
    before = _snapshot()

    response = _tolerant(Client()).post(
        "/konto/anmelden/",
        {"username": "fachkraft", "password": PASSWORD},
        HTTP_HOST="evil.example",
    )

    assert response.status_code == 400
    assert _snapshot() == before


OVERSIZED_BODIES = {
    "a 3 MB multipart body": {"username": "x" * 3_000_000, "password": "y"},
    "a 3 MB form body": urlencode({"username": "x" * 3_000_000, "password": "y"}).encode(),
    "2,000 multipart fields": {f"field{number}": "1" for number in range(2_000)},
    "2,000 form fields": b"&".join(b"field%d=1" % number for number in range(2_000)),
}


@pytest.mark.parametrize("data", OVERSIZED_BODIES.values(), ids=OVERSIZED_BODIES.keys())
def test_an_oversized_body_is_refused(counsellor, data) -> None:
    client = _tolerant(Client())
    before = _snapshot()

    response = _post(client, "/konto/anmelden/", data)

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert _snapshot() == before


# --- the second factor ------------------------------------------------------------------


@pytest.fixture
def halfway_client(counsellor) -> Client:
    """A client that passed the password step of a person with an authenticator."""
    TOTPDevice.objects.create(user=counsellor, name="Authenticator", confirmed=True)
    client = _tolerant(Client())
    response = client.post("/konto/anmelden/", {"username": "fachkraft", "password": PASSWORD})
    assert response["Location"] == "/konto/anmelden/code/"
    return client


CODE_CASES = {
    "a 10,000-character code": {"code": "1" * 10_000},
    "a NUL byte": {"code": "123\x00456"},
    "control characters": {"code": "123\x1b456"},
    "sql": {"code": SQL},
    "sql without spaces": {"code": "1'OR'1'='1"},
    "a script": {"code": SCRIPT},
    "an attribute breakout": {"code": ATTRIBUTE_BREAKOUT},
    "full-width digits": {"code": FULL_WIDTH_DIGITS},
    "a wrong but well-formed code": {"code": "000000"},
    "no code": {"other": "x"},
    "an empty code": {"code": ""},
    "two codes": {"code": ["123456", "654321"]},
    "an empty body": {},
}


@pytest.mark.parametrize("data", CODE_CASES.values(), ids=CODE_CASES.keys())
def test_the_code_step_refuses_hostile_input_and_logs_nobody_in(halfway_client, data) -> None:
    before = _snapshot()

    response = _post(halfway_client, "/konto/anmelden/code/", data)

    _assert_handled(response, form_error=True)
    assert response.status_code == 200
    assert "_auth_user_id" not in halfway_client.session
    assert _snapshot() == before


def test_the_code_step_without_a_password_step_sends_back_to_login(counsellor) -> None:
    client = _tolerant(Client())
    before = _snapshot()

    response = client.post("/konto/anmelden/code/", {"code": "123456"})

    assert response.status_code == 302
    assert response["Location"] == "/konto/anmelden/"
    assert "_auth_user_id" not in client.session
    assert _snapshot() == before


def test_a_forged_pending_user_in_a_stale_session_logs_nobody_in(halfway_client) -> None:
    session = halfway_client.session
    session["hafen_2fa_since"] = 0  # the password step was long ago
    session.save()
    before = _snapshot()

    response = halfway_client.post("/konto/anmelden/code/", {"code": "123456"})

    assert response.status_code == 302
    assert "_auth_user_id" not in halfway_client.session
    assert _snapshot() == before


# --- invitation acceptance --------------------------------------------------------------


@pytest.fixture
def invitation_token(admin_user) -> str:
    team = Team.objects.get(slug="jugendberatung")
    return actions.invite_staff(
        admin=admin_user, display_name="Lena Vogel", role=Role.COUNSELLOR, team=team
    ).token


VALID_ACCEPTANCE = {"username": "lvogel", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}

BAD_TOKENS = {
    "percent-encoded invalid utf-8": "%FF%FE",
    "an encoded surrogate": "%ED%A0%80",
    "an overlong dot": "%C0%AE%C0%AE",
    "a NUL byte": "abc%00def",
    "control characters": "abc%1B%07def",
    "a right-to-left override": "abc%E2%80%AEdef",
    "emoji": "%F0%9F%98%80" * 50,
    "sql": "%27%20OR%20%271%27%3D%271",
    "a script": "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "path traversal": "..%2F..%2F..%2Fetc%2Fpasswd",
    "10,000 characters": "A" * 10_000,
    "10,000 percent-encoded bytes": "%FF" * 10_000,
}


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_an_unknown_invitation_token_gets_not_found(invitation_token, token, method) -> None:
    client = _tolerant(Client())
    before = _snapshot()

    response = getattr(client, method)(f"/konto/einladung/{token}/", VALID_ACCEPTANCE)

    _assert_handled(response, form_error=False)
    assert response.status_code == 404
    assert _snapshot() == before


@pytest.mark.parametrize("suffix", ["%00", "%20", "x", "%FF", "/../"])
def test_a_valid_token_with_something_appended_gets_not_found(invitation_token, suffix) -> None:
    client = _tolerant(Client())
    before = _snapshot()

    response = client.post(f"/konto/einladung/{invitation_token}{suffix}/", VALID_ACCEPTANCE)

    assert response.status_code == 404
    assert _snapshot() == before


def test_a_valid_token_in_other_letter_case_gets_not_found(invitation_token) -> None:
    client = _tolerant(Client())
    before = _snapshot()

    response = client.post(f"/konto/einladung/{invitation_token.swapcase()}/", VALID_ACCEPTANCE)

    assert response.status_code == 404
    assert _snapshot() == before


ACCEPTANCE_CASES = {
    "a 10,000-character user name": {**VALID_ACCEPTANCE, "username": LONG},
    "a 10,000-character password": {**VALID_ACCEPTANCE, "password1": LONG, "password2": LONG},
    "a NUL byte in the user name": {**VALID_ACCEPTANCE, "username": "lvogel" + NUL},
    "a NUL byte in the password": {
        **VALID_ACCEPTANCE,
        "password1": NEW_PASSWORD + "\x00",
        "password2": NEW_PASSWORD + "\x00",
    },
    "control characters in the user name": {**VALID_ACCEPTANCE, "username": CONTROL},
    "a newline in the user name": {**VALID_ACCEPTANCE, "username": "lvogel\nadmin"},
    "sql in the user name": {**VALID_ACCEPTANCE, "username": SQL},
    "a sql statement as the user name": {**VALID_ACCEPTANCE, "username": SQL_DROP},
    "a script in the user name": {**VALID_ACCEPTANCE, "username": SCRIPT},
    "an attribute breakout in the user name": {
        **VALID_ACCEPTANCE,
        "username": ATTRIBUTE_BREAKOUT,
    },
    "a taken user name in other letter case": {**VALID_ACCEPTANCE, "username": "FachKraft"},
    "a taken user name with spaces around it": {**VALID_ACCEPTANCE, "username": "  admin  "},
    "differing passwords": {**VALID_ACCEPTANCE, "password2": NEW_PASSWORD + "x"},
    "a weak password": {**VALID_ACCEPTANCE, "password1": "hafen", "password2": "hafen"},
    "no user name": {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    "no second password": {"username": "lvogel", "password1": NEW_PASSWORD},
    "an empty form": {"username": "", "password1": "", "password2": ""},
    "an empty body": {},
    "a full-width look-alike of a taken user name": {
        **VALID_ACCEPTANCE,
        "username": FULL_WIDTH_ADMIN,
    },
}


@pytest.mark.parametrize("data", ACCEPTANCE_CASES.values(), ids=ACCEPTANCE_CASES.keys())
def test_the_invitation_form_refuses_hostile_input_and_makes_no_account(
    invitation_token, data
) -> None:
    client = _tolerant(Client())
    before = _snapshot()

    response = _post(client, f"/konto/einladung/{invitation_token}/", data)

    _assert_handled(response, form_error=True)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert _snapshot() == before
    assert Invitation.objects.get().accepted_at is None


def test_the_invited_name_is_escaped_on_the_invitation_page(admin_user) -> None:
    token = actions.invite_staff(
        admin=admin_user, display_name=SCRIPT + ATTRIBUTE_BREAKOUT, role=Role.ADMIN, team=None
    ).token

    page = _tolerant(Client()).get(f"/konto/einladung/{token}/")

    _assert_handled(page, form_error=False)
    assert page.status_code == 200
    assert b"&lt;script&gt;alert(&quot;hafen&quot;)&lt;/script&gt;" in page.content


# --- staff administration ---------------------------------------------------------------


@pytest.fixture
def admin_client(admin_user) -> Client:
    return _tolerant(login_client(admin_user))


def _team(slug: str = "jugendberatung") -> int:
    return Team.objects.get(slug=slug).pk


INVITE_CASES: dict[str, Any] = {
    "a 10,000-character name": lambda: {"display_name": LONG, "role": "admin"},
    "a NUL byte in the name": lambda: {"display_name": "Lena" + NUL, "role": "admin"},
    "control characters in the name": lambda: {"display_name": CONTROL, "role": "admin"},
    "a blank name": lambda: {"display_name": "   ", "role": "admin"},
    "a script in the name and no team": lambda: {
        "display_name": SCRIPT,
        "role": "counsellor",
        "team": "",
    },
    "an attribute breakout in the name and no team": lambda: {
        "display_name": ATTRIBUTE_BREAKOUT,
        "role": "volunteer",
    },
    "a script in the e-mail": lambda: {
        "display_name": "Lena",
        "email": SCRIPT + "@example.org",
        "role": "admin",
    },
    "a header injection in the e-mail": lambda: {
        "display_name": "Lena",
        "email": "lena@example.org\r\nBcc: all@example.org",
        "role": "admin",
    },
    "a 10,000-character e-mail": lambda: {
        "display_name": "Lena",
        "email": LONG + "@example.org",
        "role": "admin",
    },
    "sql as the role": lambda: {"display_name": "Lena", "role": "admin' OR '1'='1"},
    "a script as the role": lambda: {"display_name": "Lena", "role": SCRIPT},
    "an unknown role": lambda: {"display_name": "Lena", "role": "superuser"},
    "sql as the team": lambda: {"display_name": "Lena", "role": "counsellor", "team": SQL_DROP},
    "a word as the team": lambda: {"display_name": "Lena", "role": "counsellor", "team": "eins"},
    "a fraction as the team": lambda: {"display_name": "Lena", "role": "counsellor", "team": "1.5"},
    "a negative team": lambda: {"display_name": "Lena", "role": "counsellor", "team": "-1"},
    "a team number beyond 64 bits": lambda: {
        "display_name": "Lena",
        "role": "counsellor",
        "team": "9" * 30,
    },
    "a team of another organisation": lambda: {
        "display_name": "Lena",
        "role": "counsellor",
        "team": _team("suchtberatung"),
    },
    "a counsellor without a team": lambda: {"display_name": "Lena", "role": "counsellor"},
    "no name": lambda: {"role": "admin"},
    "no role": lambda: {"display_name": "Lena"},
    "only a csrf token": lambda: {"csrfmiddlewaretoken": "x"},
    "an empty body": lambda: {},
}


@pytest.mark.parametrize("case", INVITE_CASES.values(), ids=INVITE_CASES.keys())
def test_the_invite_form_refuses_hostile_input_and_invites_nobody(
    admin_client, outsider, case
) -> None:
    data = case()
    before = _snapshot()

    response = _post(admin_client, "/konto/team/", data)

    _assert_handled(response, form_error=True)
    assert response.status_code == 200
    assert response.context["new_link"] is None
    assert _snapshot() == before


def test_a_sql_looking_name_is_stored_verbatim_and_harms_nothing(admin_client) -> None:
    users_before = User.objects.count()

    response = admin_client.post(
        "/konto/team/", {"display_name": "Robert'); " + SQL_DROP, "role": "admin"}
    )

    assert response.status_code == 200
    assert response.context["new_link"]
    assert Invitation.objects.get().display_name == "Robert'); " + SQL_DROP
    assert User.objects.count() == users_before


def test_an_invited_name_with_markup_is_escaped_in_the_staff_list(admin_client) -> None:
    response = admin_client.post("/konto/team/", {"display_name": SCRIPT, "role": "admin"})

    _assert_handled(response, form_error=False)
    assert Invitation.objects.get().display_name == SCRIPT
    assert b"&lt;script&gt;alert(&quot;hafen&quot;)&lt;/script&gt;" in response.content


def test_form_data_in_the_query_string_invites_nobody(admin_client) -> None:
    before = _snapshot()

    response = admin_client.get("/konto/team/", {"display_name": "Lena", "role": "admin"})

    assert response.status_code == 200
    assert _snapshot() == before


ADD_ROLE_CASES: dict[str, Any] = {
    "a team of another organisation": lambda: {
        "role": "counsellor",
        "team": _team("suchtberatung"),
    },
    "an organisation role in a team of another organisation": lambda: {
        "role": "admin",
        "team": _team("suchtberatung"),
    },
    "a word as the team": lambda: {"role": "counsellor", "team": "streetwork"},
    "sql as the team": lambda: {"role": "counsellor", "team": SQL_DROP},
    "a team number beyond 64 bits": lambda: {"role": "counsellor", "team": "9" * 30},
    "a list as the team": lambda: {"role": "counsellor", "team": "[1, 2]"},
    "a counsellor without a team": lambda: {"role": "counsellor", "team": ""},
    "an unknown role": lambda: {"role": "owner"},
    "a script as the role": lambda: {"role": SCRIPT},
    "sql as the role": lambda: {"role": SQL},
    "a NUL byte in the role": lambda: {"role": "admin\x00"},
    "a 10,000-character role": lambda: {"role": LONG},
    "no role": lambda: {},
}


@pytest.mark.parametrize("case", ADD_ROLE_CASES.values(), ids=ADD_ROLE_CASES.keys())
def test_the_add_role_form_refuses_hostile_input(admin_client, outsider, volunteer, case) -> None:
    data = {"operation": "add_role", **case()}
    before = _snapshot()

    response = _post(admin_client, f"/konto/team/{volunteer.pk}/", data)

    _assert_handled(response, form_error=True)
    assert response.status_code == 200
    assert _snapshot() == before


def _foreign_membership() -> int:
    return Membership.objects.filter(user__username="fremd").first().pk  # type: ignore[union-attr]


def _colleagues_membership() -> int:
    return Membership.objects.get(user__username="leitung").pk


REMOVE_ROLE_CASES: dict[str, Any] = {
    "a word": lambda: "eins",
    "sql": lambda: "1 OR 1=1",
    "a fraction": lambda: "1.0",
    "an exponent": lambda: "1e3",
    "a negative number": lambda: "-1",
    "a number beyond 64 bits": lambda: "9" * 30,
    "a 10,000-digit number": lambda: "9" * 10_000,
    "a NUL byte": lambda: "1\x00",
    "nothing": lambda: "",
    "a membership of another organisation": _foreign_membership,
    "a membership of another colleague": _colleagues_membership,
}


@pytest.mark.parametrize("case", REMOVE_ROLE_CASES.values(), ids=REMOVE_ROLE_CASES.keys())
def test_removing_a_role_by_a_bad_or_foreign_id_removes_nothing(
    admin_client, outsider, volunteer, case
) -> None:
    data = {"operation": "remove_role", "membership": case()}
    before = _snapshot()

    response = admin_client.post(f"/konto/team/{volunteer.pk}/", data)

    _assert_handled(response, form_error=False)
    assert response.status_code in (302, 400, 404)
    assert _snapshot() == before


def test_removing_a_role_without_an_id_removes_nothing(admin_client, volunteer) -> None:
    before = _snapshot()

    response = admin_client.post(f"/konto/team/{volunteer.pk}/", {"operation": "remove_role"})

    _assert_handled(response, form_error=False)
    assert _snapshot() == before


@pytest.mark.parametrize(
    "operation",
    [
        "delete",
        "DEACTIVATE",
        "deactivate ",
        "add_role\x00",
        "",
        SCRIPT,
        SQL,
        LONG,
        "__class__",
    ],
    ids=[
        "an unknown word",
        "a known word in capitals",
        "a known word with a space",
        "a known word with a NUL byte",
        "nothing",
        "a script",
        "sql",
        "10,000 characters",
        "a python attribute name",
    ],
)
def test_an_unknown_operation_on_a_staff_member_changes_nothing(
    admin_client, volunteer, operation
) -> None:
    before = _snapshot()

    response = admin_client.post(
        f"/konto/team/{volunteer.pk}/",
        {"operation": operation, "role": "admin", "membership": _colleagues_membership()},
    )

    _assert_handled(response, form_error=False)
    assert _snapshot() == before
    assert response.status_code in (200, 400)


@pytest.mark.parametrize(
    "path",
    ["/konto/team/{foreign}/", "/konto/team/{huge}/", "/konto/team/einladung/{huge}/widerrufen/"],
    ids=["a member of another organisation", "a member id beyond 64 bits", "an invitation"],
)
def test_staff_pages_for_ids_that_are_not_the_admins_get_not_found(
    admin_client, outsider, path
) -> None:
    before = _snapshot()

    response = admin_client.post(
        path.format(foreign=outsider.pk, huge="9" * 30),
        {"operation": "deactivate"},
    )

    assert response.status_code == 404
    assert _snapshot() == before


def test_an_invitation_of_another_organisation_cannot_be_withdrawn(admin_client, outsider) -> None:
    foreign = actions.invite_staff(
        admin=outsider, display_name="Fremd", role=Role.ADMIN, team=None
    ).invitation
    before = _snapshot()

    response = admin_client.post(f"/konto/team/einladung/{foreign.pk}/widerrufen/")

    assert response.status_code == 404
    assert _snapshot() == before


@pytest.mark.parametrize(
    "value", ["yes", SCRIPT, "", LONG], ids=["yes", "a script", "nothing", "long"]
)
def test_a_garbage_two_factor_rule_leaves_the_requirement_on(admin_user, value) -> None:
    Organisation.objects.filter(pk=admin_user.organisation_id).update(require_two_factor=True)
    TOTPDevice.objects.create(user=admin_user, name="Authenticator", confirmed=True)
    session_client = _tolerant(Client())
    session_client.force_login(admin_user)
    session = session_client.session
    device = TOTPDevice.objects.get(user=admin_user)
    session["otp_device_id"] = device.persistent_id
    session.save()
    before = _snapshot()

    response = session_client.post("/konto/team/zwei-faktor/", {"required": value})

    assert _snapshot() == before
    assert response.status_code in (302, 400)
    assert Organisation.objects.get(pk=admin_user.organisation_id).require_two_factor


# --- bodies that are not UTF-8 ----------------------------------------------------------

# Each body would succeed if its broken note were read leniently (as Latin-1 or U+FFFD).
BROKEN_BYTES = {
    "raw invalid utf-8": b"\xff\xfe",
    "a raw lone continuation byte": b"\x80",
    "percent-encoded invalid utf-8": b"%ff%fe",
    "a percent-encoded surrogate": b"%ed%a0%80",
    "a percent-encoded overlong slash": b"%c0%af",
    "a truncated percent-encoded character": b"%c3",
}
FORMS_WITH_BODIES = {
    "login": ("anonymous", "/konto/anmelden/", b"username=fachkraft&password=" + PASSWORD.encode()),
    "code step": ("halfway", "/konto/anmelden/code/", b"code={code}"),
    "invitation": (
        "anonymous",
        "/konto/einladung/{token}/",
        b"username=lvogel&password1=Leuchtturm-am-Hafen-7&password2=Leuchtturm-am-Hafen-7",
    ),
    "invite": ("admin", "/konto/team/", b"display_name=Lena&role=admin"),
    "add role": ("admin", "/konto/team/{volunteer}/", b"operation=add_role&role=leadership"),
    "remove role": (
        "admin",
        "/konto/team/{volunteer}/",
        b"operation=remove_role&membership={membership}",
    ),
    "deactivate": ("admin", "/konto/team/{volunteer}/", b"operation=deactivate"),
    "two-factor rule": ("admin", "/konto/team/zwei-faktor/", b"required=1"),
    "switch off two-factor": (
        "fachkraft",
        "/konto/sicherheit/",
        b"operation=disable&password=" + PASSWORD.encode(),
    ),
}


def _body_case(who: str, path: str, body: bytes, token: str) -> tuple[Client, str, bytes]:
    volunteer = User.objects.get(username="ehrenamt")
    membership = Membership.objects.get(user=volunteer)
    client = _tolerant(Client())
    code = ""
    if who == "halfway":
        device = TOTPDevice.objects.create(
            user=User.objects.get(username="fachkraft"), name="Authenticator", confirmed=True
        )
        code = f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"
        client.post("/konto/anmelden/", {"username": "fachkraft", "password": PASSWORD})
    elif who != "anonymous":
        client.force_login(User.objects.get(username=who))
    path = path.format(token=token, volunteer=volunteer.pk)
    body = body.replace(b"{code}", code.encode()).replace(
        b"{membership}", str(membership.pk).encode()
    )
    return client, path, body


@pytest.mark.parametrize("form", FORMS_WITH_BODIES.values(), ids=FORMS_WITH_BODIES.keys())
def test_each_form_works_with_a_valid_utf8_note(invitation_token, form) -> None:
    """The control for the test below: the same bodies succeed when the note is clean."""
    client, path, body = _body_case(*form, token=invitation_token)
    before = _snapshot()

    response = _post(client, path, body + b"&note=%C3%BC")

    assert response.status_code in (200, 302)
    assert _snapshot() != before


@pytest.mark.parametrize("broken", BROKEN_BYTES.values(), ids=BROKEN_BYTES.keys())
@pytest.mark.parametrize("form", FORMS_WITH_BODIES.values(), ids=FORMS_WITH_BODIES.keys())
def test_a_form_body_that_is_not_utf8_is_refused_and_changes_nothing(
    invitation_token, form, broken
) -> None:
    client, path, body = _body_case(*form, token=invitation_token)
    logged_in_before = client.session.get("_auth_user_id")
    before = _snapshot()

    response = _post(client, path, body + b"&note=" + broken)

    assert response.status_code == 400
    _assert_handled(response, form_error=False)
    assert _snapshot() == before
    assert client.session.get("_auth_user_id") == logged_in_before


@pytest.mark.parametrize("broken", BROKEN_BYTES.values(), ids=BROKEN_BYTES.keys())
def test_a_user_name_that_is_not_utf8_makes_no_account(invitation_token, broken) -> None:
    client = _tolerant(Client())
    before = _snapshot()

    response = _post(
        client,
        f"/konto/einladung/{invitation_token}/",
        b"username=lvogel" + broken + b"&password1=Leuchtturm-am-Hafen-7"
        b"&password2=Leuchtturm-am-Hafen-7",
    )

    assert response.status_code == 400
    assert _snapshot() == before
    assert Invitation.objects.get().accepted_at is None


# --- wrong methods and missing CSRF tokens ----------------------------------------------


@pytest.mark.parametrize(
    ("persona", "path"),
    [
        ("admin", "/konto/abmelden/"),
        ("admin", "/konto/team/einladung/{invitation}/widerrufen/"),
        ("admin", "/konto/team/zwei-faktor/"),
        ("datenschutz", "/audit/verify/"),
    ],
)
def test_get_where_post_is_expected_is_refused(admin_user, persona, path) -> None:
    invitation = actions.invite_staff(
        admin=admin_user, display_name="Lena", role=Role.ADMIN, team=None
    ).invitation
    client = _tolerant(login_client(User.objects.get(username=persona)))
    before = _snapshot()

    response = client.get(path.format(invitation=invitation.pk), {"required": "1"})

    assert response.status_code == 405
    assert _snapshot() == before
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/konto/anmelden/", {"username": "admin", "password": PASSWORD}),
        ("/konto/team/", {"display_name": "Lena", "role": "admin"}),
        ("/konto/team/{volunteer}/", {"operation": "deactivate"}),
        ("/konto/team/zwei-faktor/", {"required": "1"}),
        ("/konto/einladung/{token}/", VALID_ACCEPTANCE),
    ],
    ids=["login", "invite", "deactivate", "two-factor rule", "accept invitation"],
)
def test_a_post_without_a_csrf_token_is_refused(
    admin_user, volunteer, invitation_token, path, data
) -> None:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(admin_user)
    before = _snapshot()

    response = client.post(path.format(volunteer=volunteer.pk, token=invitation_token), data)

    assert response.status_code == 403
    assert _snapshot() == before


# --- the security page ------------------------------------------------------------------

SECURITY_CASES = {
    "a confirmation without a pending authenticator": {"operation": "confirm", "code": "123456"},
    "a hostile code to confirm": {"operation": "confirm", "code": SCRIPT},
    "a hostile code to verify": {"operation": "verify", "code": LONG},
    "switching off with sql as the password": {"operation": "disable", "password": SQL},
    "switching off with a NUL byte": {"operation": "disable", "password": PASSWORD + "\x00"},
    "an unknown operation": {"operation": SCRIPT},
}


@pytest.mark.parametrize("data", SECURITY_CASES.values(), ids=SECURITY_CASES.keys())
def test_the_security_page_refuses_hostile_input(counsellor, data) -> None:
    TOTPDevice.objects.create(user=counsellor, name="Authenticator", confirmed=True)
    client = _tolerant(Client())
    client.force_login(counsellor)
    before = _snapshot()

    response = client.post("/konto/sicherheit/", data)

    # Only the switch-off form is on the page in this state; the others have no form to show.
    _assert_handled(response, form_error=data["operation"] == "disable")
    assert response.status_code in (200, 302)
    assert _snapshot() == before
