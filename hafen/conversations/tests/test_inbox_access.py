"""Need-to-know in the team inbox, for every role, through the real HTTP stack.

Counsellors of the team read and change; volunteers read their own team's
conversations but see no internal notes and neither transfer nor assign colleagues;
leadership sees counts on its start page, never content; DPO, communications, admins,
counsellors of other teams and staff of other organisations get 404 on every
endpoint of a conversation and change nothing; break-glass opens a team for a while,
audited. Every opening of a conversation is in the audit log.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from hafen.accounts import access as staff_access
from hafen.accounts.models import Membership, Role, Team, User
from hafen.asgi import application
from hafen.conftest import PASSWORD, login_client
from hafen.conversations import actions
from hafen.conversations.models import Conversation, Label, Message, Note, Transfer
from hafen.conversations.tests.conftest import start_conversation
from hafen.privacy.models import AuditEntry

NOTE = "Vermutlich Schulden bei drei Gläubigern, Mutter weiß nichts davon"


def _conversation(slug: str, *bodies: str) -> Conversation:
    new = actions.start_conversation(Team.objects.get(slug=slug))
    for number, body in enumerate(bodies):
        actions.post_client_message(new.conversation.pk, body, f"client-{number:04d}")
    return Conversation.objects.select_related("team__facility").get(pk=new.conversation.pk)


def _counsellor_of(slug: str, username: str) -> User:
    team = Team.objects.get(slug=slug)
    user = User(
        username=username, display_name=username.title(), organisation=team.facility.organisation
    )
    user.set_password(PASSWORD)
    user.save()
    Membership.objects.create(
        user=user, organisation_id=team.organisation_id, team=team, role=Role.COUNSELLOR
    )
    return user


def _snapshot(conversation: Conversation) -> tuple:
    fresh = Conversation.objects.get(pk=conversation.pk)
    return (
        fresh.team_id,
        fresh.state,
        fresh.assigned_to_id,
        sorted(fresh.labels.values_list("pk", flat=True)),
        Note.objects.filter(conversation=fresh).count(),
        Message.objects.filter(conversation=fresh).count(),
        Transfer.objects.filter(conversation=fresh).count(),
    )


def _every_endpoint(conversation: Conversation, label: Label, colleague: User) -> list[tuple]:
    base = f"/posteingang/{conversation.pk}/"
    other_team = Team.objects.get(slug="schuldnerberatung")
    return [
        ("get", base, {}),
        ("get", f"{base}stand/", {}),
        ("post", f"{base}antworten/", {"body": "Hallo", "client_id": "staff-probe-001"}),
        ("post", f"{base}notiz/", {"body": "Notiz von außen"}),
        ("post", f"{base}uebernehmen/", {}),
        ("post", f"{base}zurueckgeben/", {}),
        ("post", f"{base}zuweisen/", {"assignee": colleague.pk}),
        ("post", f"{base}status/", {"state": "closed"}),
        ("post", f"{base}schlagwort/", {"label": label.pk, "op": "add"}),
        (
            "post",
            f"{base}weitergeben/",
            {
                "team": other_team.pk,
                "reason": "Ein ausreichend langer Grund",
                "expected_team": conversation.team_id,
            },
        ),
    ]


@pytest.fixture
def conversation(org, counsellor) -> Conversation:
    conversation = _conversation("jugendberatung", "Ich brauche Hilfe mit meinem Vermieter")
    actions.add_note(counsellor, conversation, NOTE)
    return conversation


@pytest.fixture
def label(org) -> Label:
    return Label.objects.create(organisation=org, name="Wohnen")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who", ["outsider", "leader", "dpo", "comms", "admin_user", "other_team", "volunteer"]
)
def test_nobody_without_need_to_know_can_read_or_change_a_conversation(
    request, who, conversation, label, counsellor
) -> None:
    person = (
        _counsellor_of("schuldnerberatung", "schuldner")
        if who == "other_team"
        else request.getfixturevalue(who)
    )
    browser = login_client(person)
    before = _snapshot(conversation)

    for method, url, data in _every_endpoint(conversation, label, counsellor):
        response = getattr(browser, method)(url, data)
        assert response.status_code == 404, (who, url, response.status_code)
        assert NOTE not in response.content.decode()

    assert _snapshot(conversation) == before
    assert Conversation.objects.get(pk=conversation.pk).team_read_seq == 0
    assert not AuditEntry.objects.filter(actor_id=person.pk, action__startswith="conversation.")
    for url in ("/posteingang/", "/posteingang/liste/"):
        page = browser.get(url).content.decode()
        assert conversation.pseudonym not in page, (who, url)


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login(conversation) -> None:
    for url in ("/posteingang/", "/posteingang/liste/", f"/posteingang/{conversation.pk}/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/konto/anmelden/" in response["Location"]
    response = Client().post(f"/posteingang/{conversation.pk}/uebernehmen/")
    assert response.status_code == 302 and "/konto/anmelden/" in response["Location"]
    assert Conversation.objects.get(pk=conversation.pk).assigned_to_id is None


@pytest.mark.django_db
def test_a_counsellor_of_the_team_reads_the_conversation_and_the_read_is_audited(
    conversation, counsellor
) -> None:
    browser = login_client(counsellor)

    response = browser.get(f"/posteingang/{conversation.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Ich brauche Hilfe mit meinem Vermieter" in page
    assert NOTE in page
    entry = AuditEntry.objects.get(action="conversation.read")
    assert entry.actor_id == counsellor.pk
    assert entry.object_type == "conversations.conversation"
    assert entry.object_id == str(conversation.pk)
    assert "Vermieter" not in json.dumps(entry.details)
    # Opening it marks the client's messages read for the team.
    assert Conversation.objects.get(pk=conversation.pk).team_read_seq == conversation.last_seq


@pytest.mark.django_db
def test_every_opening_is_audited_again(conversation, counsellor) -> None:
    browser = login_client(counsellor)

    browser.get(f"/posteingang/{conversation.pk}/")
    browser.get(f"/posteingang/{conversation.pk}/")

    assert (
        AuditEntry.objects.filter(action="conversation.read", actor_id=counsellor.pk).count() == 2
    )


@pytest.mark.django_db
def test_a_volunteer_reads_the_own_teams_conversation_but_no_internal_notes(
    org, counsellor, volunteer, label
) -> None:
    conversation = _conversation("streetwork", "Wo kann ich heute schlafen?")
    actions.add_note(counsellor, conversation, NOTE)
    browser = login_client(volunteer)

    response = browser.get(f"/posteingang/{conversation.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Wo kann ich heute schlafen?" in page
    assert NOTE not in page
    assert 'id="notes-heading"' not in page and 'name="assignee"' not in page
    assert f"/posteingang/{conversation.pk}/weitergeben/" not in page
    assert AuditEntry.objects.filter(action="conversation.read", actor_id=volunteer.pk).count() == 1


@pytest.mark.django_db
def test_a_volunteer_cannot_write_notes_transfer_or_assign_colleagues(
    org, counsellor, volunteer
) -> None:
    conversation = _conversation("streetwork", "Hallo")
    browser = login_client(volunteer)
    before = _snapshot(conversation)
    base = f"/posteingang/{conversation.pk}/"

    note = browser.post(f"{base}notiz/", {"body": "Notiz"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    transfer = browser.post(
        f"{base}weitergeben/",
        {
            "team": Team.objects.get(slug="schuldnerberatung").pk,
            "reason": "Passt besser zur Schuldnerberatung",
            "expected_team": conversation.team_id,
        },
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assign = browser.post(
        f"{base}zuweisen/", {"assignee": counsellor.pk}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "Only counsellors of the team can write internal notes." in note.content.decode()
    for response in (transfer, assign):
        assert "Only counsellors of the team can do this." in response.content.decode()
    assert _snapshot(conversation) == before


@pytest.mark.django_db
def test_a_volunteer_takes_closes_and_labels_the_own_teams_conversation(
    org, volunteer, label
) -> None:
    conversation = _conversation("streetwork", "Hallo")
    browser = login_client(volunteer)
    base = f"/posteingang/{conversation.pk}/"

    browser.post(f"{base}uebernehmen/")
    browser.post(f"{base}schlagwort/", {"label": label.pk, "op": "add"})
    browser.post(f"{base}status/", {"state": "closed"})

    fresh = Conversation.objects.get(pk=conversation.pk)
    assert fresh.assigned_to_id == volunteer.pk
    assert fresh.state == "closed"
    assert list(fresh.labels.all()) == [label]


@pytest.mark.django_db
def test_leadership_sees_counts_per_team_and_state_but_no_content(org, leader, counsellor) -> None:
    first = _conversation("jugendberatung", "Geheimer Inhalt eins")
    _conversation("jugendberatung", "Geheimer Inhalt zwei")
    _conversation("schuldnerberatung", "Geheimer Inhalt drei")
    actions.add_note(counsellor, first, NOTE)
    browser = login_client(leader)

    page = browser.get("/start/leadership/").content.decode()

    assert 'id="inbox-figures-heading"' in page
    row = page.split("Jugendberatung <span", 1)[1].split("</tr>", 1)[0]
    # New, open, waiting, closed, total: both new ones wait there, nothing else.
    assert [cell for cell in _cells(row)] == ["2", "0", "0", "0", "2"]
    for secret in ("Geheimer Inhalt", NOTE, first.pseudonym):
        assert secret not in page
    assert browser.get(f"/posteingang/{first.pk}/").status_code == 404


def _cells(row: str) -> list[str]:
    import re

    return re.findall(r"<td>(\d+)</td>", row)


@pytest.mark.django_db
def test_break_glass_opens_the_teams_conversations_for_a_while_and_is_audited(
    conversation, leader
) -> None:
    browser = login_client(leader)
    assert browser.get(f"/posteingang/{conversation.pk}/").status_code == 404

    grant = staff_access.break_glass(
        leader,
        Team.objects.get(slug="jugendberatung"),
        "Krisenfall: zuständige Fachkraft erkrankt, Klient meldet Not",
        10,
    )
    response = browser.get(f"/posteingang/{conversation.pk}/")

    assert response.status_code == 200
    assert NOTE in response.content.decode()  # break-glass is a professional's access
    assert AuditEntry.objects.filter(action="access.break_glass", actor_id=leader.pk).exists()
    read = AuditEntry.objects.get(action="conversation.read", actor_id=leader.pk)
    assert read.object_id == str(conversation.pk)
    assert conversation.pseudonym in browser.get("/posteingang/").content.decode()

    with time_machine.travel(grant.expires_at + timedelta(seconds=1)):
        assert browser.get(f"/posteingang/{conversation.pk}/").status_code == 404
        assert conversation.pseudonym not in browser.get("/posteingang/").content.decode()


@pytest.mark.django_db
def test_the_client_page_and_download_never_contain_a_note(org, counsellor) -> None:
    door = start_conversation()
    door.send("Meine Frage", client_id="client-note-1")
    actions.add_note(counsellor, door.conversation, NOTE)
    login_client(counsellor).post(
        f"/posteingang/{door.conversation.pk}/notiz/", {"body": "Zweite interne Notiz"}
    )
    assert Note.objects.count() == 2

    for url in ("/gespraech/", "/gespraech/herunterladen/"):
        text = door.browser.get(url).content.decode()
        assert "Meine Frage" in text
        assert NOTE not in text and "Zweite interne Notiz" not in text


def _headers(session_id: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"origin", b"http://127.0.0.1"),
        (b"host", b"127.0.0.1"),
        (b"cookie", f"sessionid={session_id}".encode()),
    ]


@pytest.mark.django_db(transaction=True)
async def test_the_client_socket_never_carries_a_note(org, counsellor) -> None:
    door = await database_sync_to_async(start_conversation)()
    session_id = door.browser.cookies["sessionid"].value
    await database_sync_to_async(door.send)("Meine Frage", "client-note-2")
    socket = WebsocketCommunicator(application, "/ws/k/", headers=_headers(session_id))
    connected, _ = await socket.connect()
    assert connected
    await socket.send_to(text_data=json.dumps({"type": "hello", "after": 0}))
    frames = [await socket.receive_from(timeout=3), await socket.receive_from(timeout=3)]

    # A note and then an answer: the answer's event makes the socket read the database.
    await database_sync_to_async(actions.add_note)(counsellor, door.conversation, NOTE)
    await database_sync_to_async(actions.post_staff_message)(
        counsellor, door.conversation.pk, "Unsere Antwort"
    )
    while not any("Unsere Antwort" in frame for frame in frames):
        frames.append(await socket.receive_from(timeout=3))
    while not await socket.receive_nothing(timeout=0.3):
        frames.append(await socket.receive_from(timeout=1))
    await socket.disconnect()

    assert len(frames) >= 3
    assert not [frame for frame in frames if NOTE in frame or "Vermutlich" in frame]


@pytest.mark.django_db
def test_the_navigation_offers_the_inbox_once_to_those_who_work_in_it(
    org, counsellor, volunteer, leader, dpo
) -> None:
    # Jonas also volunteers somewhere: still one link.
    Membership.objects.create(
        user=counsellor,
        organisation=org,
        team=Team.objects.get(slug="schuldnerberatung"),
        role=Role.VOLUNTEER,
    )
    link = '<a href="/posteingang/"'

    for person, expected in ((counsellor, 1), (volunteer, 1), (leader, 0), (dpo, 0)):
        page = login_client(person).get("/konto/sicherheit/").content.decode()
        navigation = page.split("</nav>", 1)[0]
        assert navigation.count(link) == expected, person
    inbox = login_client(volunteer).get("/posteingang/").content.decode()
    assert '<a href="/posteingang/" aria-current="page">' in inbox
