"""The network's iCalendar feed with forged tokens and hostile parameters (hypothesis).

The token in the address is the only key to a person's calendar: anything else is
not found, a parameter the feed does not know is a plain 400, never a 500, and
nothing changes in the database.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hafen.fuzzing import FUZZ, assert_unchanged, hostile_text, tolerant
from hafen.network import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed_token(counsellor) -> str:
    return actions.renew_feed_token(counsellor)


@FUZZ
@given(token=hostile_text(80), method=st.sampled_from(["get", "post", "head", "put"]))
def test_a_forged_feed_token_is_not_found(feed_token, token, method) -> None:
    path = f"/netzwerk/kalender/{quote(token, safe='') or 'x'}.ics"

    with assert_unchanged():
        response = getattr(tolerant(), method)(path)

    assert response.status_code in (404, 405), response.status_code


@FUZZ
@given(query=st.dictionaries(hostile_text(15), hostile_text(30), min_size=1, max_size=3))
def test_hostile_parameters_on_a_real_feed_are_refused_or_ignored(feed_token, query) -> None:
    with assert_unchanged():
        response = tolerant().get(f"/netzwerk/kalender/{feed_token}.ics", query)

    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 200:
        assert response["Content-Type"].startswith("text/calendar")
