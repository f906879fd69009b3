"""The funnel: handovers made → opened → first message → continued, per channel and team."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hafen.bridge import queries
from hafen.bridge.models import Handover
from hafen.bridge.tests.conftest import english, make_handover, start_through
from hafen.conftest import login_client
from hafen.conversations.models import Conversation, Message, Sender
from hafen.conversations.tests.conftest import start_conversation

pytestmark = pytest.mark.django_db

FUNNEL = "/uebergaben/zahlen/"


def _write(browser: Client, body: str, client_id: str) -> None:
    response = browser.post("/gespraech/senden/", {"body": body, "client_id": client_id})
    assert response.status_code == 302


def _answer(staff: Client, conversation: Conversation, body: str, client_id: str) -> None:
    response = staff.post(
        f"/posteingang/{conversation.pk}/antworten/", {"body": body, "client_id": client_id}
    )
    assert response.status_code == 302, response.content[:500]


def _conversation_of(browser: Client) -> Conversation:
    return Conversation.objects.get(pk=browser.session["door_conversation"])


@pytest.fixture
def sequence(counsellor, volunteer, outsider):
    """A realistic fortnight of handovers, made and used through the real pages."""
    staff = login_client(counsellor)
    # Long ago: outside the default 30 days.
    with time_machine.travel(timezone.now() - timedelta(days=40), tick=False):
        old = make_handover(counsellor, channel="whatsapp")
        start_through(old)

    # WhatsApp, Jugendberatung: the whole way — opened, first message, answer, again.
    full = make_handover(counsellor, channel="whatsapp", browser=staff)
    client = start_through(full)
    _write(client, "Hallo, ich bin es von WhatsApp", "full-0001")
    _answer(staff, _conversation_of(client), "Schön, dass du hier bist.", "staff-0001")
    _write(client, "Danke, also es geht um …", "full-0002")

    # WhatsApp: first message and an answer, but the client did not write again.
    once = make_handover(counsellor, channel="whatsapp", browser=staff)
    quiet = start_through(once)
    _write(quiet, "Kurze Frage", "once-0001")
    _answer(staff, _conversation_of(quiet), "Gern, was möchtest du wissen?", "staff-0002")

    # WhatsApp: the team greeted first and the client wrote once; that is no continuation.
    greeted = make_handover(counsellor, channel="whatsapp", browser=staff)
    shy = start_through(greeted)
    _answer(staff, _conversation_of(shy), "Hallo, wir sind da.", "staff-0003")
    _write(shy, "Hallo", "shy-0001")

    # WhatsApp: opened only; e-mail: made only.
    looked = make_handover(counsellor, channel="whatsapp", browser=staff)
    Client().get(looked.path)
    make_handover(counsellor, channel="email", browser=staff)

    # Streetwork, in person: started, nothing written yet.
    met = make_handover(volunteer, team_slug="streetwork", channel="in_person")
    start_through(met)

    # Not handovers, or not this organisation: never counted.
    door = start_conversation()
    door.send("Über die Tür", client_id="door-0001")
    theirs = make_handover(outsider, team_slug="suchtberatung", channel="whatsapp")
    start_through(theirs)
    return {"full": full, "full_client": client, "met": met}


def _rows(funnel: queries.Funnel) -> dict[tuple[str, str], tuple[int, ...]]:
    return {
        (row.team.split(" · ")[1], row.channel): tuple(
            getattr(row, stage) for stage in queries.STAGES
        )
        for row in funnel.rows
    }


def test_the_funnel_counts_each_stage_per_team_and_channel(org, sequence) -> None:
    funnel = queries.funnel(org.pk, *queries.period())

    #                                         made opened started first continued
    assert _rows(funnel) == {
        ("Jugendberatung", "email"): (1, 0, 0, 0, 0),
        ("Jugendberatung", "whatsapp"): (4, 4, 3, 3, 1),
        ("Streetwork", "in_person"): (1, 1, 1, 0, 0),
    }
    assert [(row.channel, row.made, row.continued) for row in funnel.by_channel] == [
        ("whatsapp", 4, 1),
        ("email", 1, 0),
        ("in_person", 1, 0),
    ]
    total = funnel.total
    assert (total.made, total.opened, total.started, total.first_message, total.continued) == (
        6,
        5,
        4,
        3,
        1,
    )


def test_the_period_decides_which_handovers_count(org, sequence) -> None:
    today = timezone.localdate()
    wide = queries.funnel(org.pk, *queries.period(today - timedelta(days=60), today))
    earlier = queries.funnel(
        org.pk, *queries.period(today - timedelta(days=60), today - timedelta(days=31))
    )

    assert wide.total.made == 7 and wide.total.started == 5
    assert _rows(earlier) == {("Jugendberatung", "whatsapp"): (1, 1, 1, 0, 0)}


def test_a_conversation_the_client_deleted_leaves_the_later_stages(org, sequence) -> None:
    full: Handover = Handover.objects.get(pk=sequence["full"].handover.pk)
    conversation_id = full.conversation_id
    browser = sequence["full_client"]
    assert browser.post("/gespraech/loeschen/", {"confirm": "yes"}).status_code == 200

    funnel = queries.funnel(org.pk, *queries.period())

    assert _rows(funnel)[("Jugendberatung", "whatsapp")] == (4, 4, 3, 2, 0)
    assert Message.objects.filter(conversation_id=conversation_id).count() == 0
    full.refresh_from_db()
    assert full.used_at is not None and full.conversation_id is None


def test_leadership_sees_the_funnel_as_a_table_of_counts_without_content(
    org, sequence, leader
) -> None:
    response = english(login_client(leader)).get(FUNNEL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Handover funnel" in page
    assert 'data-channel="whatsapp"' in page
    assert '<td data-stage="made">4</td>' in page
    assert '<td data-stage="continued">1</td>' in page
    for content in ("Hallo, ich bin es", "Schön, dass du", "Über die Tür"):
        assert content not in page
    for pseudonym in Conversation.objects.values_list("pseudonym", flat=True):
        assert pseudonym not in page


def test_the_leadership_start_page_shows_the_funnel_panel(org, sequence, leader) -> None:
    response = english(login_client(leader)).get("/start/leadership/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Handovers into the secure chat" in page
    assert 'href="/uebergaben/zahlen/"' in page
    assert '<span class="figure">6</span>' in page  # links made in the last 30 days


def _queries(browser: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(url).status_code == 200
    return len(captured)


def test_the_funnel_page_needs_a_fixed_number_of_queries(org, sequence, leader, counsellor) -> None:
    browser = login_client(leader)
    before = _queries(browser, FUNNEL)
    make_handover(counsellor, channel="sms")
    make_handover(counsellor, team_slug="streetwork", channel="other")
    assert _queries(browser, FUNNEL) == before


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?start=2026-13-45", "Enter a valid date."),
        ("?start=gestern", "Enter a valid date."),
        ("?start=2026-05-10&end=2026-05-01", "The start of the period must be before its end."),
        ("?start=2020-01-01&end=2026-01-01", "Please choose a period of at most one year."),
    ],
)
def test_a_bad_period_is_explained(org, leader, query, message) -> None:
    response = english(login_client(leader)).get(FUNNEL + query)

    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize("persona", ["counsellor", "volunteer", "comms", "dpo", "admin_user"])
def test_only_leadership_sees_the_funnel(org, persona, request) -> None:
    user = request.getfixturevalue(persona)
    assert login_client(user).get(FUNNEL).status_code == 403


def test_an_outsider_cannot_see_the_funnel(org, outsider) -> None:
    assert login_client(outsider).get(FUNNEL).status_code == 403
    response = Client().get(FUNNEL)
    assert response.status_code == 302 and "/konto/anmelden/" in response["Location"]


def test_leadership_of_another_organisation_sees_only_its_own_handovers(org, sequence) -> None:
    other = Handover.objects.filter(team__slug="suchtberatung").get()
    own = queries.funnel(other.team.organisation_id, *queries.period())

    assert own.total.made == 1 and own.total.started == 1
    assert [row.team for row in own.rows] == ["Haus Süd · Suchtberatung"]
    assert Message.objects.filter(sender=Sender.CLIENT).exists()
