"""Hostile input to the handover form: a clear message, no change, never a 500."""

from __future__ import annotations

import pytest

from hafen.accounts.models import Team
from hafen.bridge.models import Handover
from hafen.bridge.tests.conftest import PAGE, english
from hafen.conftest import login_client
from hafen.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


def _valid(team: Team) -> dict[str, object]:
    return {"team": team.pk, "channel": "whatsapp", "topic": "Wohnen", "validity": "7d"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"topic": "x" * 41}, "Ensure this value has at most 40 characters (it has 41)."),
        ({"topic": "Ä" * 500}, "Ensure this value has at most 40 characters (it has 500)."),
        ({"channel": "door"}, "Please choose a channel from the list."),
        ({"channel": "telegram"}, "Please choose a channel from the list."),
        ({"channel": ""}, "This field is required."),
        ({"validity": "999d"}, "Please choose how long the link works."),
        ({"validity": "-1h"}, "Please choose how long the link works."),
        ({"validity": ""}, "This field is required."),
        ({"topic": "Geld\x00"}, "Null characters are not allowed."),
        ({"team": "abc"}, "Please choose one of your teams."),
        ({"team": "999999"}, "Please choose one of your teams."),
        ({"team": "1 OR 1=1"}, "Please choose one of your teams."),
        ({"team": ""}, "Please choose one of your teams."),
    ],
)
def test_bad_handover_input_is_explained_and_changes_nothing(counsellor, change, message) -> None:
    browser = english(login_client(counsellor))
    data = {**_valid(Team.objects.get(slug="jugendberatung")), **change}

    response = browser.post(PAGE, data)

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "Traceback" not in page
    assert Handover.objects.count() == 0
    assert not AuditEntry.objects.filter(action="handover.created").exists()


def test_a_topic_is_cleaned_of_control_characters_and_line_breaks(counsellor) -> None:
    browser = login_client(counsellor)
    data = {
        **_valid(Team.objects.get(slug="jugendberatung")),
        "topic": " Geld\x1b\r\nSorgen\u202e ",
    }

    assert browser.post(PAGE, data).status_code == 200

    assert Handover.objects.get().topic == "Geld Sorgen"


def test_a_topic_is_shown_as_text_never_as_html(counsellor) -> None:
    browser = login_client(counsellor)
    data = {**_valid(Team.objects.get(slug="jugendberatung")), "topic": "<b>x</b><script>"}
    browser.post(PAGE, data)

    page = browser.get(PAGE).content.decode()

    assert "&lt;b&gt;x&lt;/b&gt;&lt;script&gt;" in page
    assert "<b>x</b>" not in page


def test_a_form_body_that_is_not_utf8_is_refused(counsellor) -> None:
    browser = login_client(counsellor)
    response = browser.generic(
        "POST",
        PAGE,
        b"team=1&channel=sms&validity=7d&topic=\xff\xfe",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert Handover.objects.count() == 0


def test_an_empty_post_is_explained_and_changes_nothing(counsellor) -> None:
    response = english(login_client(counsellor)).post(PAGE, {})

    assert response.status_code == 400
    assert "Please choose one of your teams." in response.content.decode()
    assert Handover.objects.count() == 0


def test_the_handover_page_answers_only_get_and_post(counsellor) -> None:
    browser = login_client(counsellor)
    assert browser.put(PAGE).status_code == 405
    assert browser.delete(PAGE).status_code == 405
