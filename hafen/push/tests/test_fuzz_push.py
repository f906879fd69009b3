"""Property-based tests of the notification switch with hostile JSON (hypothesis).

Any body, any shape, any type in any field: a JSON answer with a message in the
client's language, never a 500; a refusal changes no row (``hafen.fuzzing``).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hafen.conversations.tests.conftest import start_conversation
from hafen.fuzzing import FUZZ, assert_in_language, assert_same, fingerprint, json_values, tolerant
from hafen.push.models import PushSubscription

pytestmark = pytest.mark.django_db

subscriptions = st.fixed_dictionaries(
    {},
    optional={
        "endpoint": st.one_of(st.just("https://fcm.googleapis.com/fcm/send/abc"), json_values),
        "keys": st.one_of(
            json_values,
            st.fixed_dictionaries({}, optional={"p256dh": json_values, "auth": json_values}),
        ),
        "expirationTime": json_values,
    },
)
bodies = st.one_of(
    subscriptions.map(lambda d: json.dumps(d).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=300),
    st.sampled_from([b"[" * 5_000 + b"]" * 5_000, b"{" * 3_000, b"\xff\xfe{}", b"x" * 10_000]),
)


@pytest.fixture
def door_browser(org):
    return tolerant(start_conversation().browser)


@FUZZ
@given(
    body=bodies,
    path=st.sampled_from(["/gespraech/benachrichtigungen/", "/gespraech/benachrichtigungen/aus/"]),
    language=st.sampled_from(["de", "en"]),
    content_type=st.sampled_from(["application/json", "text/plain", "multipart/form-data"]),
)
def test_a_hostile_body_gets_a_json_answer_in_the_clients_language(
    door_browser, body, path, language, content_type
) -> None:
    before = fingerprint()
    subscriptions_before = PushSubscription.objects.count()

    response = door_browser.post(
        path, body, content_type=content_type, HTTP_ACCEPT_LANGUAGE=language
    )

    assert response.status_code in (200, 201, 400, 404), response.status_code
    if response.status_code in (200, 201):
        # Only the unsubscribe of an unknown endpoint can succeed here: it removes nothing.
        assert PushSubscription.objects.count() == subscriptions_before
        return
    answer = response.json()
    assert answer["ok"] is False
    assert_in_language([answer["error"]], language)
    assert_same(before)
