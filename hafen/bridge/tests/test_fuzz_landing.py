"""The handover landing with forged links and hostile start forms (hypothesis).

A forged link is one friendly "unknown link" page whatever it looks like; a real link
with a hostile form starts one conversation or none and explains why, in German or
English. Never a 500; a refusal changes no row (``hafen.fuzzing``).
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from hafen.bridge.models import Handover
from hafen.bridge.tests.conftest import make_handover
from hafen.conversations.models import Conversation
from hafen.fuzzing import (
    FUZZ,
    assert_explained_in,
    assert_same,
    assert_unchanged,
    fingerprint,
    hostile_text,
    tolerant,
)

pytestmark = pytest.mark.django_db

tokens = st.one_of(
    hostile_text(80),
    st.text(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=43, max_size=43
    ),
)


@FUZZ
@given(token=tokens, method=st.sampled_from(["get", "head", "post", "put", "delete"]))
def test_a_forged_link_starts_nothing_and_tells_nothing(counsellor, token, method) -> None:
    cache.clear()
    path = f"/b/{quote(token, safe='') or 'x'}/"

    with assert_unchanged():
        response = getattr(tolerant(), method)(
            path, *([{"agree": "on"}] if method == "post" else [])
        )

    assert response.status_code in (404, 405), response.status_code


@FUZZ
@given(
    agree=st.one_of(st.just("on"), hostile_text()),
    passphrase=st.one_of(st.just(""), hostile_text()),
    language=st.sampled_from(["de", "en"]),
)
def test_a_hostile_start_through_a_link_starts_one_conversation_or_explains(
    counsellor, agree, passphrase, language
) -> None:
    cache.clear()
    made = make_handover(counsellor)
    browser = tolerant(HTTP_ACCEPT_LANGUAGE=language)
    assert browser.get(made.path).status_code == 200
    conversations = Conversation.objects.count()
    before = fingerprint()

    response = browser.post(made.path, {"agree": agree, "passphrase": passphrase})

    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 302:
        handover = Handover.objects.get(pk=made.handover.pk)
        assert handover.used_at is not None and handover.conversation_id is not None
        assert Conversation.objects.count() == conversations + 1
    else:
        assert_same(before)
        assert_explained_in(response, language)


@pytest.mark.parametrize("token", ["missing", "forged"])
def test_starting_through_a_link_without_the_pages_csrf_token_changes_nothing(
    counsellor, token
) -> None:
    made = make_handover(counsellor)
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    assert browser.get(made.path).status_code == 200  # sets the CSRF cookie
    data = {"agree": "on", "passphrase": ""}
    if token == "forged":
        data["csrfmiddlewaretoken"] = "B" * 64

    with assert_unchanged():
        response = browser.post(made.path, data)

    assert response.status_code == 403
