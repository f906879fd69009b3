"""Property-based tests of the client door's pages with hostile input (hypothesis).

Through the real HTTP stack with a client that turns a crash into the 500 page.
Properties: never a 500; a refused request changes no row of the database
(``hafen.fuzzing.assert_unchanged``); an accepted one changes exactly what it says;
a form that comes back explains why, in the client's language (German or English).
The hand-picked cases of ``test_door_without_javascript.py`` are not repeated here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import example, given
from hypothesis import strategies as st

from hafen.conversations.models import Conversation, Message
from hafen.conversations.tests.conftest import DOOR
from hafen.fuzzing import (
    FUZZ,
    assert_explained_in,
    assert_in_language,
    assert_same,
    assert_unchanged,
    edge_integers,
    fingerprint,
    hostile_text,
    tolerant,
)

pytestmark = pytest.mark.django_db

languages = st.sampled_from(["de", "en"])


def _browser(language: str) -> Client:
    return tolerant(HTTP_ACCEPT_LANGUAGE=language)


@FUZZ
@given(
    agree=st.one_of(st.just("on"), hostile_text()),
    passphrase=st.one_of(st.just(""), hostile_text()),
    notice=hostile_text(),
    language=languages,
)
@example(agree="on", passphrase="", notice="1\x00", language="en")
def test_a_start_with_hostile_fields_starts_one_conversation_or_changes_nothing(
    org, agree, passphrase, notice, language
) -> None:
    cache.clear()  # the start throttle is tested on its own
    browser = _browser(language)
    conversations = Conversation.objects.count()
    before = fingerprint()

    response = browser.post(
        f"{DOOR}start/", {"agree": agree, "passphrase": passphrase, "notice": notice}
    )

    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 302:
        assert Conversation.objects.count() == conversations + 1
    else:
        assert_same(before)
        assert_explained_in(response, language)


@FUZZ
@given(code=hostile_text(), passphrase=hostile_text(), language=languages)
def test_a_hostile_return_code_opens_nothing_and_changes_nothing(
    door_client, code, passphrase, language
) -> None:
    cache.clear()
    browser = _browser(language)

    with assert_unchanged():
        response = browser.post("/zurueck/", {"code": code, "passphrase": passphrase})

    assert response.status_code == 400, response.status_code
    assert "door_conversation" not in browser.session
    assert_explained_in(response, language)


attachments = st.one_of(
    st.none(),
    st.builds(
        lambda head, rest: head + rest,
        st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"%PDF-1.4\n", b"RIFF"]),
        st.binary(max_size=200),
    ),
)


@FUZZ
@given(
    body=hostile_text(),
    client_id=st.one_of(st.just("fuzz-id-00000001"), hostile_text(70)),
    attachment=attachments,
    language=languages,
    as_json=st.booleans(),
)
def test_a_hostile_message_is_stored_once_or_refused_with_a_reason(
    door_client, body, client_id, attachment, language, as_json
) -> None:
    browser = tolerant(door_client.browser)
    browser.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    data: dict[str, object] = {"body": body, "client_id": client_id}
    if attachment is not None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        data["attachment"] = SimpleUploadedFile("f\u202egnp.exe", attachment)
    headers: dict[str, Any] = {"HTTP_ACCEPT": "application/json"} if as_json else {}
    messages = Message.objects.count()
    before = fingerprint()

    response = browser.post("/gespraech/senden/", data, **headers)

    assert response.status_code in (200, 201, 302, 400), response.status_code
    if response.status_code == 400:
        assert_same(before)
        if as_json and response["Content-Type"] == "application/json":
            errors = response.json()["errors"]
            assert errors
            assert_in_language([m for messages in errors.values() for m in messages], language)
        else:
            assert_explained_in(response, language)
    else:
        # Stored, or acknowledged again as a resend of the same id.
        assert Message.objects.count() in (messages, messages + 1)


@FUZZ
@given(seq=edge_integers)
def test_any_attachment_number_is_not_found_never_a_crash(door_client, seq) -> None:
    browser = tolerant(door_client.browser)
    with assert_unchanged():
        response = browser.get(f"/gespraech/anhang/{seq}/")

    assert response.status_code == 404


@FUZZ
@given(segment=hostile_text(60).filter(lambda s: s not in ("jugendberatung", "")))
def test_a_hostile_team_in_the_address_is_not_found(org, segment) -> None:
    browser = _browser("de")
    path = f"/k/{quote(segment, safe='')}/"

    with assert_unchanged():
        response = browser.get(path)
        started = browser.post(path + "start/", {"agree": "on"})

    assert response.status_code == 404
    assert started.status_code == 404


@FUZZ
@given(
    language=st.one_of(st.sampled_from(["de", "en", "de-ls", "ar"]), hostile_text()),
    next_url=st.one_of(
        st.sampled_from(["/gespraech/", "//evil.example/", "https://evil.example/"]),
        hostile_text(),
    ),
    view=st.sampled_from(["/sprache/", "/i18n/setlang/"]),
)
def test_a_hostile_language_switch_never_crashes_or_leaves_the_site(
    door_client, language, next_url, view
) -> None:
    browser = tolerant(door_client.browser)
    conversation = door_client.conversation
    conversation.refresh_from_db()
    before_language = conversation.language

    response = browser.post(view, {"language": language, "next": next_url})

    if response.status_code == 400:  # over Django's 2.5 MB for a request body
        assert len(language) + len(next_url) > 100_000
        return
    assert response.status_code in (302, 204), response.status_code
    location = urlsplit(response.get("Location", "/"))
    assert not location.scheme and not location.netloc, location
    assert not location.path.startswith(("//", "/\\")), location
    conversation.refresh_from_db()
    if language not in ("de", "en", "de-ls", "ar"):
        assert conversation.language == before_language


@FUZZ
@given(
    # What an HTTP header can carry: bytes, read as Latin-1 by the server.
    session_id=st.one_of(
        st.text(st.characters(max_codepoint=255), max_size=80),
        st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=32, max_size=32),
    ),
    language_cookie=st.text(st.characters(max_codepoint=255), max_size=80),
    path=st.sampled_from(
        [
            "/gespraech/",
            "/gespraech/herunterladen/",
            "/gespraech/loeschen/",
            "/gespraech/anhang/1/",
            DOOR,
            "/zurueck/",
        ]
    ),
)
def test_a_forged_session_or_language_cookie_reaches_no_conversation(
    door_client, session_id, language_cookie, path
) -> None:
    browser = tolerant(Client())
    browser.cookies["sessionid"] = session_id
    browser.cookies["django_language"] = language_cookie

    with assert_unchanged():
        response = browser.get(path)

    assert response.status_code in (200, 302, 404), response.status_code
    assert door_client.code not in response.content.decode(errors="replace")
    assert door_client.conversation.pseudonym not in response.content.decode(errors="replace")


# --- wrong methods and CSRF --------------------------------------------------------------

# Every public page of the door and what it answers to (HEAD comes with GET).
DOOR_PAGES = {
    DOOR: {"GET"},
    f"{DOOR}start/": {"POST"},
    "/gespraech/": {"GET"},
    "/gespraech/senden/": {"POST"},
    "/gespraech/code-notiert/": {"POST"},
    "/gespraech/herunterladen/": {"GET"},
    "/gespraech/loeschen/": {"GET", "POST"},
    "/gespraech/anhang/1/": {"GET"},
    "/zurueck/": {"GET", "POST"},
    "/verlassen/": {"POST"},
    "/sprache/": {"POST"},
    "/gespraech/benachrichtigungen/": {"POST"},
    "/gespraech/benachrichtigungen/aus/": {"POST"},
}
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]


@pytest.mark.parametrize("path", DOOR_PAGES)
def test_every_other_method_is_refused_and_changes_nothing(door_client, path) -> None:
    browser = tolerant(door_client.browser)
    for method in METHODS:
        if method in DOOR_PAGES[path] or (method == "HEAD" and "GET" in DOOR_PAGES[path]):
            continue
        with assert_unchanged(what=f"{method} {path}"):
            response = browser.generic(method, path, b"confirm=yes&agree=on&body=x")
        assert response.status_code == 405, (method, path, response.status_code)
    assert browser.get("/gespraech/").status_code == 200  # the session is still there


CSRF_PROTECTED = {
    f"{DOOR}start/": {"agree": "on"},
    "/gespraech/senden/": {"body": "Hallo", "client_id": "csrf-test-0001"},
    "/gespraech/code-notiert/": {},
    "/gespraech/loeschen/": {"confirm": "yes"},
    "/zurueck/": {"code": "anker-wolke-tiger-brot"},
    "/sprache/": {"language": "en", "next": "/gespraech/"},
    "/i18n/setlang/": {"language": "en", "next": "/gespraech/"},
}


@pytest.mark.parametrize("path", CSRF_PROTECTED)
@pytest.mark.parametrize("token", ["missing", "forged", "another browser's"])
def test_a_post_without_the_browsers_own_csrf_token_is_refused(door_client, path, token) -> None:
    browser = door_client.browser
    browser.get("/gespraech/")  # the page sets the browser's CSRF cookie
    checked = Client(enforce_csrf_checks=True, raise_request_exception=False)
    checked.cookies = browser.cookies
    data = dict(CSRF_PROTECTED[path])
    if token == "forged":
        data["csrfmiddlewaretoken"] = "A" * 64
    elif token == "another browser's":
        stranger = Client(enforce_csrf_checks=True)
        page = stranger.get(DOOR).content.decode()
        data["csrfmiddlewaretoken"] = page.split('name="csrfmiddlewaretoken" value="')[1][:64]
    before = fingerprint()

    response = checked.post(path, data)

    assert response.status_code == 403
    assert_same(before)
    assert checked.get("/gespraech/").status_code == 200


@pytest.mark.parametrize("raw", [b"\xff\xfe", b"%ff%fe", b"%ed%a0%80", b"%00", b"%c0%af"])
@pytest.mark.parametrize(
    "path, body",
    [
        (f"{DOOR}start/", b"agree=on&passphrase="),
        ("/gespraech/senden/", b"client_id=bytes-test-001&body="),
        ("/zurueck/", b"code="),
    ],
)
def test_a_body_with_broken_or_nul_bytes_changes_nothing(door_client, path, body, raw) -> None:
    browser = tolerant(door_client.browser)

    with assert_unchanged():
        response = browser.generic(
            "POST", path, body + raw, content_type="application/x-www-form-urlencoded"
        )

    assert response.status_code == 400


@FUZZ
@given(confirm=hostile_text().filter(lambda text: text != "yes"), language=languages)
def test_deleting_needs_exactly_yes_and_anything_else_changes_nothing(
    door_client, confirm, language
) -> None:
    browser = tolerant(door_client.browser)
    browser.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    before = fingerprint()

    response = browser.post("/gespraech/loeschen/", {"confirm": confirm})

    assert response.status_code == 400, response.status_code
    assert_same(before)
    assert_explained_in(response, language)


@FUZZ
@given(
    path=st.sampled_from(
        [
            DOOR,
            "/zurueck/",
            "/gespraech/",
            "/gespraech/loeschen/",
            "/i18n/catalog.js",
            "/push-sw.js",
        ]
    ),
    query=st.dictionaries(
        st.one_of(st.sampled_from(["lang", "language", "next", "code"]), hostile_text(15)),
        hostile_text(),
        max_size=3,
    ),
)
def test_any_query_string_on_a_public_page_is_ignored(door_client, path, query) -> None:
    browser = tolerant(door_client.browser)

    with assert_unchanged():
        response = browser.get(path, query)

    assert response.status_code in (200, 400, 404), response.status_code


@pytest.mark.parametrize(
    "session_id",
    ["0000000\x00", "abcdefgh\x00ijklmnop", "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", "x" * 5_000],
    ids=["a NUL byte", "a NUL byte inside", "capitals", "5,000 characters"],
)
@pytest.mark.parametrize("path", ["/gespraech/", "/konto/anmelden/", DOOR])
def test_a_forged_session_key_is_a_new_empty_session_never_a_crash(
    door_client, session_id, path
) -> None:
    """On PostgreSQL a NUL byte in the session cookie made every page a 500."""
    browser = tolerant(Client())
    browser.cookies["sessionid"] = session_id

    with assert_unchanged():
        response = browser.get(path)

    assert response.status_code in (200, 302), response.status_code
