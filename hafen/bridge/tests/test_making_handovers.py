"""A counsellor makes a one-time handover link with a QR code and a ready reply text."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import segno
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hafen.accounts.actions import hash_token
from hafen.accounts.models import Team
from hafen.bridge.models import Handover
from hafen.bridge.tests.conftest import PAGE, english, make_handover, start_through
from hafen.conftest import login_client
from hafen.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_counsellor_makes_a_link_with_qr_code_and_reply_texts(counsellor) -> None:
    before = timezone.now()
    made = make_handover(counsellor, channel="instagram", topic="Schulden", validity="24h")

    handover = made.handover
    assert handover.team.slug == "jugendberatung"
    assert handover.channel == "instagram" and handover.topic == "Schulden"
    assert handover.created_by == counsellor
    assert handover.opened_at is None and handover.used_at is None
    assert handover.conversation is None
    hours = (handover.expires_at - before).total_seconds() / 3600
    assert 23.9 < hours <= 24.01
    # 32 random bytes, and only their hash is stored.
    assert len(made.token) == 43
    assert handover.token_hash == hash_token(made.token)
    assert made.token not in handover.token_hash

    page = made.response.content.decode()
    assert made.link in page
    # The QR code, inline (no external service), encodes exactly the link.
    modules = re.search(r'<path class="qrline"[^>]* d="([^"]+)"', page)
    assert modules, "an inline SVG QR code"
    expected = segno.make(made.link, error="m").svg_inline(omitsize=True)
    assert f'd="{modules.group(1)}"' in expected
    assert "data:image/svg+xml" in page  # and as a download
    standard = made.response.context["reply_standard"]
    simple = made.response.context["reply_simple"]
    assert made.link in standard and made.link in simple
    assert "{link}" not in standard + simple
    assert standard != simple
    assert simple.count("\n") >= 4  # Easy German: one statement per line
    assert "Instagram" in standard and "Instagram" in simple

    entry = AuditEntry.objects.get(action="handover.created")
    assert entry.actor_id == counsellor.pk
    assert entry.object_id == str(handover.pk)
    assert entry.details == {"team": handover.team_id, "channel": "instagram", "validity": "24h"}
    assert "Schulden" not in str(entry.details)  # the topic is not copied into the log


def test_every_channel_gets_its_own_reply_text(counsellor) -> None:
    browser = login_client(counsellor)
    texts = {}
    for channel in ("facebook", "instagram", "whatsapp", "email", "sms", "in_person", "other"):
        made = make_handover(counsellor, channel=channel, browser=browser)
        texts[channel] = made.response.context["reply_standard"].replace(made.link, "LINK")
        assert "LINK" in texts[channel]
    assert len(set(texts.values())) == len(texts)


def test_the_validity_defaults_to_seven_days_and_can_be_thirty_days_or_an_hour(
    counsellor,
) -> None:
    browser = login_client(counsellor)
    form = browser.get(PAGE).context["form"]
    assert form["validity"].value() == "7d"
    for validity, hours in (("1h", 1), ("7d", 7 * 24), ("30d", 30 * 24)):
        made = make_handover(counsellor, validity=validity, browser=browser)
        span = made.handover.expires_at - made.handover.created_at
        assert abs(span.total_seconds() - hours * 3600) < 60


def test_a_volunteer_makes_links_only_for_the_own_team(volunteer) -> None:
    made = make_handover(volunteer, team_slug="streetwork", channel="in_person")
    assert made.handover.team.slug == "streetwork"

    browser = english(login_client(volunteer))
    options = browser.get(PAGE).context["form"].fields["team"].queryset
    assert [team.slug for team in options] == ["streetwork"]
    other = Team.objects.get(slug="jugendberatung")
    response = browser.post(
        PAGE, {"team": other.pk, "channel": "whatsapp", "topic": "", "validity": "7d"}
    )
    assert response.status_code == 400
    assert "Please choose one of your teams." in response.content.decode()
    assert Handover.objects.count() == 1


def test_a_counsellor_in_two_teams_chooses_the_team(counsellor) -> None:
    browser = login_client(counsellor)
    options = browser.get(PAGE).context["form"].fields["team"].queryset
    assert sorted(team.slug for team in options) == ["jugendberatung", "streetwork"]
    made = make_handover(counsellor, team_slug="streetwork", browser=browser)
    assert made.handover.team.slug == "streetwork"


@pytest.mark.parametrize("persona", ["leader", "comms", "dpo", "admin_user"])
def test_staff_who_do_not_work_with_clients_cannot_make_links(persona, request) -> None:
    user = request.getfixturevalue(persona)
    browser = login_client(user)
    team = Team.objects.get(slug="jugendberatung")

    assert browser.get(PAGE).status_code == 403
    response = browser.post(
        PAGE, {"team": team.pk, "channel": "whatsapp", "topic": "", "validity": "7d"}
    )
    assert response.status_code == 403
    assert Handover.objects.count() == 0


def test_an_outsider_cannot_make_a_link_into_another_organisations_team(org, outsider) -> None:
    browser = english(login_client(outsider))
    team = Team.objects.get(slug="jugendberatung")

    page = browser.get(PAGE)
    assert page.status_code == 200  # a counsellor of the own organisation's team
    assert team not in page.context["form"].fields["team"].queryset
    response = browser.post(
        PAGE, {"team": team.pk, "channel": "whatsapp", "topic": "", "validity": "7d"}
    )
    assert response.status_code == 400
    assert "Please choose one of your teams." in response.content.decode()
    assert not Handover.objects.filter(team=team).exists()


def test_an_anonymous_visitor_is_sent_to_the_login(org) -> None:
    response = Client().get(PAGE)
    assert response.status_code == 302 and "/konto/anmelden/" in response["Location"]
    team = Team.objects.get(slug="jugendberatung")
    response = Client().post(PAGE, {"team": team.pk, "channel": "sms", "validity": "7d"})
    assert response.status_code in (302, 403)
    assert Handover.objects.count() == 0


def test_the_list_shows_my_links_with_their_state_and_no_client_content(
    counsellor, volunteer
) -> None:
    browser = english(login_client(counsellor))
    waiting = make_handover(counsellor, topic="Wohnung", browser=browser)
    opened = make_handover(counsellor, channel="email", browser=browser)
    used = make_handover(counsellor, channel="sms", browser=browser)
    expiring = make_handover(counsellor, channel="facebook", validity="1h", browser=browser)
    theirs = make_handover(volunteer, team_slug="streetwork")
    Client().get(opened.path)
    client = start_through(used)
    client.post("/gespraech/senden/", {"body": "Geheimnis-4711", "client_id": "secret-0001"})

    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        # A fresh login: the first session ended after 30 idle minutes.
        response = english(login_client(counsellor)).get(PAGE)
        rows = {h.pk: h.state for h in response.context["handovers"]}
    assert rows == {
        waiting.handover.pk: "open",
        opened.handover.pk: "opened",
        used.handover.pk: "used",
        expiring.handover.pk: "expired",
    }
    assert theirs.handover.pk not in rows
    page = response.content.decode()
    for label in ("Not opened yet", "Opened", "Conversation started", "Expired", "Wohnung"):
        assert label in page
    assert "Geheimnis-4711" not in page
    used.handover.refresh_from_db()
    assert used.handover.conversation is not None
    assert used.handover.conversation.pseudonym not in page


def _queries(browser: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(url).status_code == 200
    return len(captured)


def test_the_link_list_needs_a_fixed_number_of_queries(counsellor) -> None:
    browser = login_client(counsellor)
    for channel in ("whatsapp", "sms", "email"):
        make_handover(counsellor, channel=channel, browser=browser)
    few = _queries(browser, PAGE)
    for channel in ("facebook", "instagram", "other", "in_person"):
        make_handover(counsellor, team_slug="streetwork", channel=channel, browser=browser)
    assert _queries(browser, PAGE) == few


def test_the_inbox_offers_the_handover_link(counsellor) -> None:
    page = english(login_client(counsellor)).get("/posteingang/").content.decode()
    assert 'href="/posteingang/uebergabe/"' in page
    assert "Make a handover link" in page
