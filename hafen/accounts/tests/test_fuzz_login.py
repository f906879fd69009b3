"""The login and second-factor pages with generated hostile input (hypothesis).

``test_hostile_input.py`` has the hand-picked cases; these add generated ones. Never
a 500, nobody logged in, and the form says why in German or English. No row changes
but django-axes' count of failures and the authenticator's own: those counts are the
throttles, so a refusal must change them.
"""

from __future__ import annotations

import axes.utils
import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import given
from hypothesis import strategies as st

from hafen.conftest import PASSWORD
from hafen.fuzzing import (
    AXES_TABLES,
    FUZZ,
    OTP_DEVICE_TABLES,
    assert_explained_in,
    assert_unchanged,
    hostile_text,
    tolerant,
)

pytestmark = pytest.mark.django_db

languages = st.sampled_from(["de", "en"])


def _devices() -> list[tuple]:
    """The authenticators but their own failure count (the throttle of the code step)."""
    return list(TOTPDevice.objects.values_list("pk", "user_id", "key", "confirmed", "last_t"))


@FUZZ
@given(
    username=st.one_of(
        st.sampled_from(["fachkraft", "FACHKRAFT", "fachkraft\x00"]), hostile_text()
    ),
    password=st.one_of(st.just(PASSWORD + "x"), hostile_text()),
    next_url=hostile_text(),
    language=languages,
)
def test_a_hostile_login_logs_nobody_in_and_says_why(
    counsellor, username, password, next_url, language
) -> None:
    axes.utils.reset()
    browser = tolerant(HTTP_ACCEPT_LANGUAGE=language)

    with assert_unchanged(skip=AXES_TABLES):
        response = browser.post(
            "/konto/anmelden/", {"username": username, "password": password, "next": next_url}
        )

    assert response.status_code in (200, 400), response.status_code
    assert "_auth_user_id" not in browser.session
    assert_explained_in(response, language)


@FUZZ
@given(code=hostile_text(), language=languages)
def test_a_hostile_second_factor_code_logs_nobody_in_and_says_why(
    counsellor, code, language
) -> None:
    axes.utils.reset()
    TOTPDevice.objects.get_or_create(user=counsellor, name="Authenticator", confirmed=True)
    browser = tolerant(HTTP_ACCEPT_LANGUAGE=language)
    halfway = browser.post("/konto/anmelden/", {"username": "fachkraft", "password": PASSWORD})
    assert halfway["Location"] == "/konto/anmelden/code/"

    device_before = _devices()

    with assert_unchanged(skip=AXES_TABLES | OTP_DEVICE_TABLES):
        response = browser.post("/konto/anmelden/code/", {"code": code})

    assert _devices() == device_before

    assert response.status_code in (200, 400), response.status_code
    assert "_auth_user_id" not in browser.session
    assert_explained_in(response, language)
