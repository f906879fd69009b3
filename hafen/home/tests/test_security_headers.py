"""Every page is locked into this server: strict headers, nothing from another host.

The pages are fetched as each persona would see them, through the real login form,
following redirects so that the redirect answers are checked as well. Staff pages
refuse the outsider (another organisation) and the anonymous visitor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from hafen.accounts import actions
from hafen.accounts.models import Role, User
from hafen.conftest import PASSWORD, login_client
from hafen.home.roles import PANELS, Panel

pytestmark = pytest.mark.django_db

HOST = "testserver"
STATIC_DIR = Path(django_settings.BASE_DIR) / "static"
URL_ATTRIBUTES = {
    "src",
    "href",
    "action",
    "formaction",
    "srcset",
    "poster",
    "data",
    "xlink:href",
    "manifest",
    "background",
    "cite",
}
# Namespace names in SVG files are identifiers, never fetched.
XML_NAMESPACES = {
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/1999/xlink",
    "http://www.w3.org/1999/xhtml",
}

# The role pages each persona holds, by demo user name.
ROLE_PAGES = {
    "leitung": ["leadership"],
    "fachkraft": ["counsellor"],
    "ehrenamt": ["volunteer"],
    "oeffentlichkeit": ["communications"],
    "datenschutz": ["dpo"],
    "admin": ["admin"],
}
ALL_ROLES = [role.value for role in Role]


# --- helpers ----------------------------------------------------------------------------


def _csp(response: Any) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def _assert_secure_headers(response: Any, where: str) -> None:
    csp = _csp(response)
    assert csp, f"{where}: no Content-Security-Policy"
    assert csp.get("default-src") == ["'self'"], f"{where}: {csp.get('default-src')}"
    assert csp.get("script-src") == ["'self'"], f"{where}: {csp.get('script-src')}"
    assert csp.get("frame-ancestors") == ["'none'"], f"{where}: {csp.get('frame-ancestors')}"
    for directive, sources in csp.items():
        for source in sources:
            assert source not in ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"), (
                f"{where}: {directive} allows {source}"
            )
    assert response.get("X-Frame-Options") == "DENY", where
    assert response.get("X-Content-Type-Options") == "nosniff", where
    assert response.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin"), where
    assert "camera=()" in response.get("Permissions-Policy", ""), where


class _PageParser(HTMLParser):
    """Collects every URL-valued attribute, inline scripts and inline styles of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str, str]] = []
        self.inline_code: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value is not None:
                for candidate in value.split(",") if name == "srcset" else [value]:
                    url = candidate.strip().split(" ")[0]
                    self.urls.append((tag, name, url))
            if name.startswith("on"):
                self.inline_code.append(f"<{tag} {name}=…>")
            if name == "style":
                self.inline_code.append(f"<{tag} style=…>")
        if tag == "style":
            self.inline_code.append("<style>")
        self._in_script = tag == "script" and "src" not in attributes

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_code.append("<script>" + data.strip()[:40])


def _is_same_host(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("", "http", "https"):
        return parts.netloc in ("", HOST)
    return parts.scheme == "data" and url.startswith("data:image/")


def _assert_only_this_host(response: Any, where: str) -> None:
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    parser = _PageParser()
    parser.feed(response.content.decode())
    foreign = [(tag, name, url) for tag, name, url in parser.urls if not _is_same_host(url)]
    assert not foreign, f"{where}: references another host: {foreign}"
    # The CSP would block these; a page that needs them is broken for real users.
    assert not parser.inline_code, f"{where}: inline code the CSP blocks: {parser.inline_code}"


def _fetch_all(client: Client, path: str, **extra: Any) -> Iterator[tuple[str, Any]]:
    """The response for ``path`` and every redirect after it, each with its address."""
    response = client.get(path, **extra)
    yield path, response
    hops = 0
    while response.status_code in (301, 302, 303, 307, 308):
        hops += 1
        assert hops < 10, f"{path}: redirect loop"
        path = response["Location"]
        response = client.get(path, **extra)
        yield path, response


def _check(client: Client, path: str) -> list[str]:
    seen = []
    for where, response in _fetch_all(client, path):
        assert response.status_code < 500, where
        _assert_secure_headers(response, where)
        _assert_only_this_host(response, where)
        seen.append(where)
    return seen


def _staff_paths(user: User) -> list[str]:
    paths = ["/", "/start/", "/konto/sicherheit/"]
    paths += [f"/start/{role}/" for role in ROLE_PAGES[user.username]]
    if user.username == "admin":
        colleague = User.objects.get(username="fachkraft")
        paths += ["/konto/team/", f"/konto/team/{colleague.pk}/", f"/konto/team/{user.pk}/"]
    return paths


# --- headers and hosts on every page ----------------------------------------------------


def test_the_anonymous_pages_carry_the_security_headers(admin_user) -> None:
    token = actions.invite_staff(
        admin=admin_user, display_name="Lena Vogel", role=Role.ADMIN, team=None
    ).token
    client = Client()

    seen = []
    for path in [
        "/",
        "/konto/anmelden/",
        "/konto/anmelden/?next=/konto/team/",
        f"/konto/einladung/{token}/",
        "/konto/einladung/unbekannt/",
        "/gibt-es-nicht/",
        "/konto/anmelden/code/",
    ]:
        seen += _check(client, path)

    assert "/konto/anmelden/" in seen


def test_the_second_factor_page_carries_the_security_headers(counsellor) -> None:
    TOTPDevice.objects.create(user=counsellor, name="Authenticator", confirmed=True)
    client = Client()
    client.post("/konto/anmelden/", {"username": "fachkraft", "password": PASSWORD})

    seen = _check(client, "/konto/anmelden/code/")

    assert seen == ["/konto/anmelden/code/"]


@pytest.mark.parametrize("username", ROLE_PAGES.keys())
def test_every_page_of_each_persona_carries_the_security_headers(org, username) -> None:
    user = User.objects.get(username=username)
    client = login_client(user)

    seen = []
    for path in _staff_paths(user):
        seen += _check(client, path)

    for role in ROLE_PAGES[username]:
        assert f"/start/{role}/" in seen


def test_answers_to_a_post_carry_the_security_headers_too(admin_user) -> None:
    client = login_client(admin_user)

    invited = client.post("/konto/team/", {"display_name": "Lena Vogel", "role": "admin"})
    refused = client.post("/konto/team/", {"display_name": "", "role": "admin"})

    for where, response in [("invitation made", invited), ("form error", refused)]:
        assert response.status_code == 200, where
        _assert_secure_headers(response, where)
        _assert_only_this_host(response, where)


def test_the_enrolment_page_with_its_qr_code_carries_the_security_headers(counsellor) -> None:
    client = login_client(counsellor)
    client.post("/konto/sicherheit/", {"operation": "start"})

    response = client.get("/konto/sicherheit/")

    assert b"<svg" in response.content
    _assert_secure_headers(response, "enrolment")
    _assert_only_this_host(response, "enrolment")


def test_the_refusal_pages_carry_the_security_headers(counsellor) -> None:
    client = login_client(counsellor)

    for path, status in [("/konto/team/", 403), ("/start/gibt-es-nicht/", 404)]:
        response = client.get(path)
        assert response.status_code == status, path
        _assert_secure_headers(response, path)
        _assert_only_this_host(response, path)


def test_the_crash_page_carries_the_security_headers_and_no_details(
    monkeypatch, admin_user
) -> None:
    def failing_panel(request: Any) -> dict[str, Any]:
        raise RuntimeError("secret detail of a crash")

    monkeypatch.setitem(PANELS, Role.ADMIN.value, [Panel("home/missing.html", failing_panel)])
    client = login_client(admin_user)
    client.raise_request_exception = False

    response = client.get("/start/admin/")

    assert response.status_code == 500
    assert b"secret detail" not in response.content
    _assert_secure_headers(response, "crash page")
    _assert_only_this_host(response, "crash page")


def _static_files() -> list[Path]:
    return sorted(path for path in STATIC_DIR.rglob("*") if path.is_file())


def test_the_static_files_load_nothing_from_another_host() -> None:
    files = _static_files()
    assert any(path.suffix == ".css" for path in files)

    for path in files:
        if "LICENSE" in path.name:
            continue  # a licence text is read by people, never loaded by the browser
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".css":
            for reference in re.findall(r"url\(\s*['\"]?([^'\")]+)", text):
                assert _is_same_host(reference.strip()), f"{path.name}: url({reference})"
            for reference in re.findall(r"@import\s+(?:url\()?\s*['\"]?([^'\"); ]+)", text):
                assert _is_same_host(reference.strip()), f"{path.name}: @import {reference}"
        external = set(re.findall(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s'\"<>)]*", text))
        external = {url for url in external if not url.startswith(tuple(XML_NAMESPACES))}
        assert not external, f"{path.name} names another host: {sorted(external)[:5]}"
        tags = re.findall(r"<(?:script|link)\b[^>]*>", text, flags=re.IGNORECASE)
        for tag in tags:
            for url in re.findall(r"(?:src|href)\s*=\s*['\"]([^'\"]+)", tag):
                assert _is_same_host(url), f"{path.name}: {tag}"


def test_every_stylesheet_and_script_of_a_page_is_served_by_hafen(counsellor) -> None:
    client = login_client(counsellor)
    parser = _PageParser()
    parser.feed(client.get("/start/counsellor/").content.decode())

    assets = [url for tag, _, url in parser.urls if tag in ("script", "link")]

    assert any(url.endswith(".css") for url in assets)
    assert any(url.endswith(".js") for url in assets)
    for url in assets:
        assert url.startswith("/static/"), url
        assert client.get(url).status_code == 200, url


# --- outsiders and anonymous visitors ---------------------------------------------------


@pytest.mark.parametrize("username", ROLE_PAGES.keys())
def test_the_outsider_cannot_open_a_demo_colleagues_staff_page(outsider, org, username) -> None:
    demo_user = User.objects.get(username=username)
    client = login_client(outsider)

    page = client.get(f"/konto/team/{demo_user.pk}/")
    deactivate = client.post(f"/konto/team/{demo_user.pk}/", {"operation": "deactivate"})

    assert page.status_code == 404
    assert deactivate.status_code == 404
    assert demo_user.display_name not in page.content.decode()
    demo_user.refresh_from_db()
    assert demo_user.is_active


def test_the_outsider_sees_none_of_the_demo_organisation_on_their_own_pages(outsider, org) -> None:
    client = login_client(outsider)

    for path in ["/start/", "/start/counsellor/", "/start/admin/", "/konto/team/"]:
        page = client.get(path, follow=True)
        text = page.content.decode()
        assert page.status_code == 200, path
        for name in ["Beispiel-Träger", "Jonas Weber", "Sven Krüger", "Jugendberatung"]:
            assert name not in text, f"{path} shows {name}"


@pytest.mark.parametrize("role", ["leadership", "volunteer", "communications", "dpo"])
def test_the_outsider_cannot_open_role_pages_they_do_not_hold(outsider, org, role) -> None:
    client = login_client(outsider)

    response = client.get(f"/start/{role}/")

    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] == "/start/"


@pytest.mark.parametrize("username", ROLE_PAGES.keys())
def test_colleagues_cannot_open_role_pages_they_do_not_hold(org, username) -> None:
    client = login_client(User.objects.get(username=username))

    for role in ALL_ROLES:
        if role in ROLE_PAGES[username]:
            continue
        response = client.get(f"/start/{role}/")
        assert response.status_code in (302, 403), role
        if response.status_code == 302:
            assert response["Location"] == "/start/", role
    if username != "admin":
        assert client.get("/konto/team/").status_code == 403
        assert client.post("/konto/team/zwei-faktor/", {"required": "1"}).status_code == 403


def test_the_outsider_cannot_withdraw_a_demo_invitation_or_verify_the_audit_log(
    outsider, admin_user
) -> None:
    invitation = actions.invite_staff(
        admin=admin_user, display_name="Lena Vogel", role=Role.ADMIN, team=None
    ).invitation
    client = login_client(outsider)

    withdraw = client.post(f"/konto/team/einladung/{invitation.pk}/widerrufen/")
    verify = client.post("/audit/verify/")

    assert withdraw.status_code == 404
    assert verify.status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def _anonymous_staff_pages() -> list[tuple[str, str]]:
    pages = [("get", "/start/"), ("get", "/konto/sicherheit/"), ("get", "/konto/team/")]
    pages += [("get", f"/start/{role}/") for role in ALL_ROLES]
    pages += [
        ("get", "/konto/team/{member}/"),
        ("post", "/konto/team/{member}/"),
        ("post", "/konto/team/"),
        ("post", "/konto/sicherheit/"),
        ("post", "/konto/team/einladung/{invitation}/widerrufen/"),
        ("post", "/konto/team/zwei-faktor/"),
        ("post", "/audit/verify/"),
    ]
    return pages


@pytest.mark.parametrize(("method", "path"), _anonymous_staff_pages())
def test_the_anonymous_visitor_is_sent_to_the_login_for_every_staff_page(
    admin_user, counsellor, method, path
) -> None:
    invitation = actions.invite_staff(
        admin=admin_user, display_name="Lena Vogel", role=Role.ADMIN, team=None
    ).invitation
    path = path.format(member=counsellor.pk, invitation=invitation.pk)

    response = getattr(Client(), method)(path, {"operation": "deactivate", "required": "1"})

    assert response.status_code == 302, path
    assert response["Location"].startswith("/konto/anmelden/?next="), response["Location"]
    counsellor.refresh_from_db()
    invitation.refresh_from_db()
    assert counsellor.is_active and invitation.revoked_at is None


# --- production-like transport security -------------------------------------------------


@pytest.fixture
def production_like(settings) -> None:
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_SSL_REDIRECT = False


def test_a_secure_request_gets_hsts_and_secure_cookies(production_like, counsellor) -> None:
    client = Client()

    page = client.get("/konto/anmelden/", secure=True)
    login = client.post(
        "/konto/anmelden/", {"username": "fachkraft", "password": PASSWORD}, secure=True
    )

    for response in (page, login):
        assert response["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "includeSubDomains" in response["Strict-Transport-Security"]
        _assert_secure_headers(response, response.request["PATH_INFO"])
    assert login.status_code == 302
    csrf, session = page.cookies["csrftoken"], login.cookies["sessionid"]
    assert csrf["secure"] and session["secure"]
    assert session["httponly"] and session["samesite"] == "Lax"


def test_a_plain_request_gets_no_hsts_header(production_like, org) -> None:
    # Browsers ignore HSTS over plain HTTP; Django sends it only on a secure request.
    response = Client().get("/konto/anmelden/")

    assert "Strict-Transport-Security" not in response
    _assert_secure_headers(response, "plain")
