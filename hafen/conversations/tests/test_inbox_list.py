"""The inbox list: filters and search without JavaScript, unread counts, a fixed number
of queries however long the list, the start-page panel, and realtime events on the
staff socket after every triage change (committed, without content)."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hafen.accounts.models import Membership, Role, Team, User
from hafen.asgi import application
from hafen.conftest import PASSWORD, login_client
from hafen.conversations import actions, triage
from hafen.conversations.models import Conversation, DoorSettings, Label, State

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _conversation(slug: str, pseudonym: str, *bodies: str) -> Conversation:
    new = actions.start_conversation(Team.objects.get(slug=slug))
    for number, body in enumerate(bodies):
        actions.post_client_message(new.conversation.pk, body, f"client-{number:04d}")
    Conversation.objects.filter(pk=new.conversation.pk).update(pseudonym=pseudonym)
    return Conversation.objects.select_related("team__facility").get(pk=new.conversation.pk)


def _rows(browser: Client, query: str = "", url: str = "/posteingang/") -> list[str]:
    """The pseudonyms the list shows, in order."""
    import re

    page = browser.get(f"{url}?{query}").content.decode()
    listed = page.split('<table class="inbox"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<a href="/posteingang/\d+/">([^<]+)</a>', listed)


@pytest.fixture
def inbox(org, counsellor) -> dict[str, Conversation]:
    """Four conversations of Jonas's teams and one of a team he is not in."""
    conversations = {
        "moewe": _conversation("jugendberatung", "Möwe Blau 12", "Hallo", "Noch da?"),
        "anker": _conversation("jugendberatung", "Anker Rot 30", "Frage"),
        "otter": _conversation("streetwork", "Otter Grün 44"),
        "boje": _conversation("jugendberatung", "Boje Gelb 51", "Danke"),
        "fremd": _conversation("schuldnerberatung", "Kutter Grau 77", "Geheim"),
    }
    rent = Label.objects.create(organisation=org, name="Mietschulden")
    conversations["anker"].labels.add(rent)
    triage.take(counsellor, conversations["anker"])
    triage.set_state(counsellor, conversations["boje"], State.CLOSED)
    return conversations


@pytest.mark.django_db
def test_the_list_shows_the_persons_teams_newest_first_and_hides_closed_ones(
    inbox, counsellor
) -> None:
    browser = login_client(counsellor)

    assert _rows(browser) == ["Otter Grün 44", "Anker Rot 30", "Möwe Blau 12"]
    assert _rows(browser, "state=closed") == ["Boje Gelb 51"]
    assert _rows(browser, "state=all") == [
        "Boje Gelb 51",
        "Otter Grün 44",
        "Anker Rot 30",
        "Möwe Blau 12",
    ]


@pytest.mark.django_db
def test_the_list_filters_by_team_state_assignment_and_label(inbox, counsellor) -> None:
    browser = login_client(counsellor)
    streetwork = Team.objects.get(slug="streetwork")
    rent = Label.objects.get()

    assert _rows(browser, f"team={streetwork.pk}") == ["Otter Grün 44"]
    assert _rows(browser, "state=new") == ["Otter Grün 44", "Möwe Blau 12"]
    assert _rows(browser, "assigned=me") == ["Anker Rot 30"]
    assert _rows(browser, "assigned=none") == ["Otter Grün 44", "Möwe Blau 12"]
    assert _rows(browser, f"label={rent.pk}") == ["Anker Rot 30"]
    assert _rows(browser, f"label={rent.pk}&assigned=none") == []
    assert (
        "No conversation matches these filters."
        in browser.get(f"/posteingang/?label={rent.pk}&assigned=none", **EN).content.decode()
    )


@pytest.mark.django_db
def test_search_finds_a_pseudonym_in_any_case_and_a_label_by_name(inbox, counsellor) -> None:
    browser = login_client(counsellor)

    assert _rows(browser, "q=möwe") == ["Möwe Blau 12"]
    assert _rows(browser, "q=MÖWE+blau") == ["Möwe Blau 12"]
    assert _rows(browser, "q=mietschulden") == ["Anker Rot 30"]
    assert _rows(browser, "q=Kutter") == []  # another team's conversation stays hidden
    assert _rows(browser, "q=%25") == []  # a LIKE wildcard is searched for, not expanded


@pytest.mark.django_db
def test_bad_filters_are_explained_and_reveal_nothing(inbox, counsellor, outsider) -> None:
    browser = login_client(counsellor)
    foreign_team = Team.objects.get(slug="suchtberatung")
    hidden_team = Team.objects.get(slug="schuldnerberatung")

    for query in (
        f"team={foreign_team.pk}",
        f"team={hidden_team.pk}",
        "team=abc",
        "state=deleted",
        "assigned=everybody",
        "label=999999",
        "q=" + "x" * 200,
    ):
        response = browser.get(f"/posteingang/?{query}", **EN)
        assert response.status_code == 400, query
        page = response.content.decode()
        assert 'class="error"' in page, query
        assert "Kutter Grau 77" not in page and "Traceback" not in page, query


@pytest.mark.django_db
def test_unread_counts_only_the_clients_messages_the_team_has_not_read(inbox, counsellor) -> None:
    door = DoorSettings.objects.get_or_create(team=Team.objects.get(slug="jugendberatung"))[0]
    door.office_hours = {}  # always away: every first message gets an automatic answer
    door.save()
    moewe = inbox["moewe"]
    actions.post_client_message(moewe.pk, "Und noch eine Frage", "client-late-1")
    browser = login_client(counsellor)

    page = browser.get("/posteingang/").content.decode()
    assert f'<tr data-conversation="{moewe.pk}" class="inbox-unread">' in page
    row = page.split(f'data-conversation="{moewe.pk}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-unread="3"' in row  # three from the client; the automatic answer is not

    browser.get(f"/posteingang/{moewe.pk}/")
    row = browser.get("/posteingang/").content.decode().split(f'data-conversation="{moewe.pk}"')[1]
    assert 'data-unread="0"' in row.split("</tr>", 1)[0]


@pytest.mark.django_db
def test_the_fragment_for_inbox_js_is_the_same_list_without_the_page(inbox, counsellor) -> None:
    browser = login_client(counsellor)

    fragment = browser.get("/posteingang/liste/?assigned=none")

    assert fragment.status_code == 200
    text = fragment.content.decode()
    assert "<html" not in text and '<table class="inbox"' in text
    assert _rows(browser, "assigned=none", url="/posteingang/liste/") == [
        "Otter Grün 44",
        "Möwe Blau 12",
    ]
    # The buttons in it come back to the inbox page, not to the fragment.
    assert 'name="next" value="/posteingang/?assigned=none"' in text


@pytest.mark.django_db
def test_taking_from_the_list_comes_back_to_the_same_filtered_list(inbox, counsellor) -> None:
    browser = login_client(counsellor)
    moewe = inbox["moewe"]

    response = browser.post(
        f"/posteingang/{moewe.pk}/uebernehmen/", {"next": "/posteingang/?assigned=none"}
    )
    elsewhere = browser.post(
        f"/posteingang/{moewe.pk}/uebernehmen/", {"next": "https://evil.example/"}
    )

    assert response["Location"] == "/posteingang/?assigned=none"
    assert elsewhere["Location"] == f"/posteingang/{moewe.pk}/"
    assert Conversation.objects.get(pk=moewe.pk).assigned_to_id == counsellor.pk


def _grow(org, counsellor, count: int) -> None:
    label = Label.objects.create(organisation=org, name=f"Thema {count}")
    colleague = User.objects.create(
        username=f"kollege{count}", display_name="Kollege", organisation=org
    )
    for number in range(count):
        conversation = _conversation(
            "jugendberatung" if number % 2 else "streetwork", f"Gast {number}", "Hallo", "Hi"
        )
        conversation.labels.add(label)
        if number % 3 == 0:
            Conversation.objects.filter(pk=conversation.pk).update(assigned_to=colleague)


def _queries(browser: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/posteingang/", "/posteingang/liste/", "/start/counsellor/"])
def test_the_list_costs_the_same_queries_for_3_or_33_conversations(org, counsellor, url) -> None:
    _grow(org, counsellor, 3)
    browser = login_client(counsellor)
    small = _queries(browser, url)

    _grow(org, counsellor, 30)

    assert _queries(browser, url) == small


def _busier(conversation: Conversation, counsellor: User, count: int) -> None:
    teams = [Team.objects.get(slug="streetwork"), Team.objects.get(slug="jugendberatung")]
    for number in range(count):
        actions.post_client_message(conversation.pk, f"Frage {number}", f"more-{count}-{number}")
        actions.post_staff_message(counsellor, conversation.pk, f"Antwort {number}")
        actions.add_note(counsellor, conversation, f"Notiz {number}")
        label = Label.objects.create(
            organisation=counsellor.organisation, name=f"L{count}-{number}"
        )
        triage.add_label(counsellor, conversation, label)
        triage.create_reply(counsellor, f"Vorlage {number}", "Text", shared=False)
        current = Conversation.objects.get(pk=conversation.pk)
        triage.transfer(
            counsellor,
            current,
            teams[number % 2],
            "Zwischen den Teams hin und her",
            expected_team=current.team_id,
        )


@pytest.mark.django_db
def test_a_conversation_page_costs_the_same_queries_however_much_it_holds(org, counsellor) -> None:
    conversation = _conversation("jugendberatung", "Möwe Blau 12", "Hallo")
    _busier(conversation, counsellor, 2)
    browser = login_client(counsellor)
    url = f"/posteingang/{conversation.pk}/"
    small = _queries(browser, url)

    _busier(conversation, counsellor, 20)

    assert _queries(browser, url) == small


@pytest.mark.django_db
def test_the_counsellors_start_page_counts_what_waits_in_the_inbox(inbox, counsellor) -> None:
    page = login_client(counsellor).get("/start/counsellor/").content.decode()
    panel = page.split('id="inbox-panel-heading"', 1)[1].split("</section>", 1)[0]
    import re

    figures = re.findall(r'<span class="figure">(\d+)</span>', panel)
    # new (Möwe, Otter), with unread messages (Möwe, Anker), mine (Anker), unassigned.
    assert figures == ["2", "2", "1", "2"]
    assert "Kutter" not in page and "Möwe" not in page


# -- realtime -----------------------------------------------------------------------------


def _session(user: User) -> str:
    browser = Client()
    response = browser.post("/konto/anmelden/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return browser.cookies["sessionid"].value


async def _staff_socket(user: User) -> WebsocketCommunicator:
    session_id = await database_sync_to_async(_session)(user)
    socket = WebsocketCommunicator(
        application,
        "/ws/staff/",
        headers=[
            (b"origin", b"http://127.0.0.1"),
            (b"host", b"127.0.0.1"),
            (b"cookie", f"sessionid={session_id}".encode()),
        ],
    )
    connected, _ = await socket.connect()
    assert connected
    return socket


async def _events(socket: WebsocketCommunicator) -> list[dict]:
    events = []
    while not await socket.receive_nothing(timeout=0.3):
        events.append(json.loads(await socket.receive_from(timeout=1)))
    return events


def _debt_counsellor() -> User:
    team = Team.objects.get(slug="schuldnerberatung")
    user = User(
        username="schuldner", display_name="Ali Yilmaz", organisation_id=team.organisation_id
    )
    user.set_password(PASSWORD)
    user.save()
    Membership.objects.create(
        user=user, organisation_id=team.organisation_id, team=team, role=Role.COUNSELLOR
    )
    return user


@pytest.mark.django_db(transaction=True)
async def test_every_triage_change_reaches_the_teams_inboxes_after_commit_without_content(
    channel_layer,
    org,
    counsellor,
    volunteer,
) -> None:
    conversation = await database_sync_to_async(_conversation)(
        "jugendberatung", "Möwe Blau 12", "Vertraulicher Inhalt"
    )
    label = await database_sync_to_async(Label.objects.create)(organisation=org, name="Wohnen")
    debt = await database_sync_to_async(_debt_counsellor)()
    jonas, ali, aylin = (
        await _staff_socket(counsellor),
        await _staff_socket(debt),
        await _staff_socket(volunteer),
    )
    expected = {"kind": "conversation.state", "conversation": conversation.pk}

    for change in (
        lambda: triage.take(counsellor, conversation),
        lambda: triage.set_state(counsellor, conversation, State.WAITING),
        lambda: triage.add_label(counsellor, conversation, label),
    ):
        await database_sync_to_async(change)()
        assert await _events(jonas) == [{"type": "event", "payload": expected}]
    assert await _events(ali) == []  # not his team (yet)

    def rolled_back() -> None:
        from django.db import transaction

        try:
            with transaction.atomic():
                triage.remove_label(counsellor, conversation, label)
                raise RuntimeError("rollback")
        except RuntimeError:
            pass

    await database_sync_to_async(rolled_back)()
    assert await _events(jonas) == []

    await database_sync_to_async(
        lambda: triage.transfer(
            counsellor,
            conversation,
            Team.objects.get(slug="schuldnerberatung"),
            "Es geht um Schulden",
            expected_team=conversation.team_id,
        )
    )()
    # The old team's inboxes drop it, the new team's show it; Streetwork hears nothing.
    assert await _events(jonas) == [{"type": "event", "payload": expected}]
    assert await _events(ali) == [{"type": "event", "payload": expected}]
    assert await _events(aylin) == []
    for socket in (jonas, ali, aylin):
        await socket.disconnect()
