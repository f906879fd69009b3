"""Triage in the team inbox through the real HTTP stack: taking and assigning, transfers,
states, labels, canned replies and the seam for case files.

Two counsellors (or two tabs) acting at once never overwrite each other: one wins,
the other is told; doing the same thing twice changes nothing the second time. Every
change is audited without content.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils.html import format_html

from hafen.accounts.models import Facility, Membership, Organisation, Role, Team, User
from hafen.conftest import PASSWORD, login_client
from hafen.conversations import actions, triage
from hafen.conversations.models import CannedReply, Conversation, Label, State, Transfer
from hafen.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
REASON = "Es geht vor allem um Mietschulden und eine drohende Räumung"


def _conversation(slug: str = "jugendberatung", *bodies: str) -> Conversation:
    new = actions.start_conversation(Team.objects.get(slug=slug))
    for number, body in enumerate(bodies or ("Hallo, ist da jemand?",)):
        actions.post_client_message(new.conversation.pk, body, f"client-{number:04d}")
    return Conversation.objects.select_related("team__facility").get(pk=new.conversation.pk)


def _staff(slug: str, username: str, display_name: str, role: Role = Role.COUNSELLOR) -> User:
    team = Team.objects.get(slug=slug)
    user = User(username=username, display_name=display_name, organisation_id=team.organisation_id)
    user.set_password(PASSWORD)
    user.save()
    Membership.objects.create(user=user, organisation_id=team.organisation_id, team=team, role=role)
    return user


def _fresh(conversation: Conversation) -> Conversation:
    return Conversation.objects.get(pk=conversation.pk)


def _said(response) -> str:
    """The flash messages of a followed response."""
    return " ".join(str(message) for message in response.context["messages"])


def _audited(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


@pytest.fixture
def conversation(org) -> Conversation:
    return _conversation()


@pytest.fixture
def colleague(org) -> User:
    """A second counsellor of the Jugendberatung."""
    return _staff("jugendberatung", "kollegin", "Lea Kraus")


# -- taking and assigning -----------------------------------------------------------------


def test_two_counsellors_taking_the_same_conversation_one_wins_the_other_is_told(
    conversation, counsellor, colleague
) -> None:
    jonas, lea = login_client(counsellor), login_client(colleague)
    take = f"/posteingang/{conversation.pk}/uebernehmen/"
    # Both see the conversation unassigned, with a button to take it.
    for browser in (jonas, lea):
        assert take in browser.get(f"/posteingang/{conversation.pk}/").content.decode()

    first = jonas.post(take, follow=True, **EN)
    second = lea.post(take, follow=True, **EN)

    assert "You took" in _said(first)
    assert "Jonas Weber has already taken this conversation." in _said(second)
    fresh = _fresh(conversation)
    assert fresh.assigned_to_id == counsellor.pk
    assert fresh.state == State.OPEN  # somebody is on it now
    taken = _audited("conversation.taken")
    assert [entry.actor_id for entry in taken] == [counsellor.pk]


def test_taking_twice_in_two_tabs_changes_nothing_the_second_time(conversation, counsellor) -> None:
    tab_one, tab_two = login_client(counsellor), login_client(counsellor)

    tab_one.post(f"/posteingang/{conversation.pk}/uebernehmen/")
    again = tab_two.post(f"/posteingang/{conversation.pk}/uebernehmen/", follow=True, **EN)

    assert "This conversation is already yours." in _said(again)
    assert len(_audited("conversation.taken")) == 1


@pytest.mark.django_db(transaction=True)
def test_taking_at_the_same_instant_lets_exactly_one_win(org, counsellor) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "threads cannot share the in-memory SQLite test database; "
            "set HAFEN_TEST_SQLITE_NAME to run this on SQLite"
        )
    conversation = _conversation()
    people = [counsellor] + [_staff("jugendberatung", f"k{i}", f"Kollegin {i}") for i in range(5)]
    start = threading.Barrier(len(people))
    outcomes: dict[int, str] = {}

    def attempt(person: User) -> None:
        try:
            start.wait()
            triage.take(person, Conversation.objects.get(pk=conversation.pk))
            outcomes[person.pk] = "won"
        except triage.AlreadyTaken:
            outcomes[person.pk] = "told"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["told"] * 5 + ["won"]
    winner = next(pk for pk, outcome in outcomes.items() if outcome == "won")
    assert _fresh(conversation).assigned_to_id == winner
    assert [entry.actor_id for entry in _audited("conversation.taken")] == [winner]


def test_a_counsellor_assigns_a_colleague_of_the_team(conversation, counsellor, colleague) -> None:
    browser = login_client(counsellor)

    response = browser.post(
        f"/posteingang/{conversation.pk}/zuweisen/",
        {"assignee": colleague.pk, "expected": ""},
        follow=True,
        **EN,
    )

    assert "Assigned to Lea Kraus." in _said(response)
    assert _fresh(conversation).assigned_to_id == colleague.pk
    (entry,) = _audited("conversation.assigned")
    assert entry.actor_id == counsellor.pk
    assert entry.details == {"assignee": colleague.pk, "previous": None}


def test_only_colleagues_who_may_see_the_team_can_be_assigned(
    conversation, counsellor, volunteer, leader, outsider
) -> None:
    browser = login_client(counsellor)
    page = browser.get(f"/posteingang/{conversation.pk}/").content.decode()
    offered = page.split('name="assignee"', 1)[1].split("</select>", 1)[0]
    assert f'value="{counsellor.pk}"' in offered
    for stranger in (volunteer, leader, outsider):  # Streetwork, leadership, elsewhere
        assert f'value="{stranger.pk}"' not in offered

    for stranger in (volunteer, leader, outsider):
        response = browser.post(
            f"/posteingang/{conversation.pk}/zuweisen/",
            {"assignee": stranger.pk, "expected": ""},
            follow=True,
            **EN,
        )
        assert "Please choose a colleague from the list." in _said(response)
    assert _fresh(conversation).assigned_to_id is None
    assert not _audited("conversation.assigned")


def test_assigning_from_a_stale_page_is_refused_with_who_changed_it(
    conversation, counsellor, colleague
) -> None:
    jonas = login_client(counsellor)
    jonas.get(f"/posteingang/{conversation.pk}/")  # the page shows: nobody assigned
    login_client(colleague).post(f"/posteingang/{conversation.pk}/uebernehmen/")

    response = jonas.post(
        f"/posteingang/{conversation.pk}/zuweisen/",
        {"assignee": counsellor.pk, "expected": ""},
        follow=True,
        **EN,
    )

    assert "Meanwhile the conversation was assigned to Lea Kraus." in _said(response)
    assert _fresh(conversation).assigned_to_id == colleague.pk
    assert not _audited("conversation.assigned")


def test_giving_a_conversation_back_leaves_it_unassigned(conversation, volunteer) -> None:
    streetwork = _conversation("streetwork")
    browser = login_client(volunteer)
    browser.post(f"/posteingang/{streetwork.pk}/uebernehmen/")

    response = browser.post(f"/posteingang/{streetwork.pk}/zurueckgeben/", follow=True, **EN)

    assert "back to the team" in _said(response)
    assert _fresh(streetwork).assigned_to_id is None
    again = browser.post(f"/posteingang/{streetwork.pk}/zurueckgeben/", follow=True, **EN)
    assert "This conversation is not assigned to you." in _said(again)


# -- transfers ----------------------------------------------------------------------------


def _transfer(browser: Client, conversation: Conversation, team_slug: str, reason: str, **extra):
    return browser.post(
        f"/posteingang/{conversation.pk}/weitergeben/",
        {
            "team": Team.objects.get(slug=team_slug).pk,
            "reason": reason,
            "expected_team": extra.pop("expected_team", conversation.team_id),
        },
        **extra,
    )


def test_a_transfer_needs_a_reason_of_ten_characters(conversation, counsellor) -> None:
    browser = login_client(counsellor)

    for reason, message in [
        ("", "Please say why the conversation goes to another team."),
        ("  \x00\x07 ", "Please say why the conversation goes to another team."),
        ("Schulden", "Please give a reason of at least 10 characters."),
        ("x" * 501, "at most 500 characters"),
    ]:
        response = _transfer(browser, conversation, "schuldnerberatung", reason, **EN)
        assert response.status_code == 400, reason
        assert message in response.content.decode(), reason

    assert _fresh(conversation).team.slug == "jugendberatung"
    assert not Transfer.objects.exists()
    assert not _audited("conversation.transferred")


def test_a_transfer_goes_only_to_a_team_of_the_same_organisation(
    conversation, counsellor, outsider
) -> None:
    foreign = Team.objects.get(slug="suchtberatung")
    browser = login_client(counsellor)

    response = browser.post(
        f"/posteingang/{conversation.pk}/weitergeben/",
        {"team": foreign.pk, "reason": REASON, "expected_team": conversation.team_id},
        **EN,
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert _fresh(conversation).team.slug == "jugendberatung"


def test_after_a_transfer_the_old_team_no_longer_sees_it_and_the_new_team_does(
    conversation, counsellor
) -> None:
    debt = _staff("schuldnerberatung", "schuldner", "Ali Yilmaz")
    browser = login_client(counsellor)
    browser.post(f"/posteingang/{conversation.pk}/uebernehmen/")

    response = _transfer(browser, conversation, "schuldnerberatung", REASON, follow=True, **EN)

    # Jonas is not in the debt counselling team: back to his inbox, where it is gone.
    assert response.redirect_chain[-1][0] == "/posteingang/"
    assert "went to Schuldnerberatung" in _said(response)
    assert conversation.pseudonym not in response.content.decode().split('id="inbox-list"')[1]
    assert browser.get(f"/posteingang/{conversation.pk}/").status_code == 404
    fresh = _fresh(conversation)
    assert fresh.team.slug == "schuldnerberatung"
    assert fresh.assigned_to_id is None and fresh.state == State.NEW
    record = Transfer.objects.get()
    assert record.reason == REASON
    assert b"Mietschulden" not in bytes(record.reason_sealed)
    (entry,) = _audited("conversation.transferred")
    assert entry.actor_id == counsellor.pk
    assert entry.details == {
        "from_team": Team.objects.get(slug="jugendberatung").pk,
        "to_team": Team.objects.get(slug="schuldnerberatung").pk,
        "assignment_cleared": True,
    }
    new_team = login_client(debt)
    assert conversation.pseudonym in new_team.get("/posteingang/").content.decode()
    page = new_team.get(f"/posteingang/{conversation.pk}/").content.decode()
    assert REASON in page


def test_a_transfer_keeps_the_assignee_who_works_in_the_new_team_too(
    conversation, counsellor
) -> None:
    browser = login_client(counsellor)  # Jonas works in the Jugendberatung and Streetwork
    browser.post(f"/posteingang/{conversation.pk}/uebernehmen/")

    response = _transfer(browser, conversation, "streetwork", REASON, follow=True)

    assert response.redirect_chain[-1][0] == f"/posteingang/{conversation.pk}/"
    fresh = _fresh(conversation)
    assert fresh.team.slug == "streetwork"
    assert fresh.assigned_to_id == counsellor.pk and fresh.state == State.OPEN


def test_a_transfer_from_a_stale_page_changes_nothing(conversation, counsellor) -> None:
    browser = login_client(counsellor)
    stale_team = conversation.team_id
    _transfer(browser, conversation, "streetwork", REASON)

    response = _transfer(
        browser,
        conversation,
        "schuldnerberatung",
        REASON,
        expected_team=stale_team,
        follow=True,
        **EN,
    )

    assert "This conversation was transferred meanwhile." in _said(response)
    assert _fresh(conversation).team.slug == "streetwork"
    assert Transfer.objects.count() == 1


# -- states -------------------------------------------------------------------------------


def test_staff_close_mark_waiting_and_reopen_a_conversation(conversation, counsellor) -> None:
    browser = login_client(counsellor)
    url = f"/posteingang/{conversation.pk}/status/"

    for state in ("waiting", "closed", "open"):
        browser.post(url, {"state": state})
        assert _fresh(conversation).state == state

    changes = [entry.details for entry in _audited("conversation.state_changed")]
    assert changes == [
        {"previous": "new", "state": "waiting"},
        {"previous": "waiting", "state": "closed"},
        {"previous": "closed", "state": "open"},
    ]


def test_closing_twice_from_two_tabs_is_harmless_and_says_so(conversation, counsellor) -> None:
    tab_one, tab_two = login_client(counsellor), login_client(counsellor)
    url = f"/posteingang/{conversation.pk}/status/"

    tab_one.post(url, {"state": "closed"})
    response = tab_two.post(url, {"state": "closed"}, follow=True, **EN)

    assert "Nothing changed: the conversation already was Closed." in _said(response)
    assert len(_audited("conversation.state_changed")) == 1


def test_states_that_cannot_be_set_by_hand_are_refused(conversation, counsellor) -> None:
    browser = login_client(counsellor)

    for state in ("new", "deleted", "<script>", ""):
        response = browser.post(
            f"/posteingang/{conversation.pk}/status/", {"state": state}, follow=True, **EN
        )
        assert response.status_code == 200
        assert "This state cannot be set by hand." in _said(response)
    assert _fresh(conversation).state == State.NEW
    assert not _audited("conversation.state_changed")


# -- labels -------------------------------------------------------------------------------


def test_labels_are_added_and_removed_once(org, conversation, counsellor) -> None:
    label = Label.objects.create(organisation=org, name="Wohnen")
    browser = login_client(counsellor)
    url = f"/posteingang/{conversation.pk}/schlagwort/"

    browser.post(url, {"label": label.pk, "op": "add"})
    twice = browser.post(url, {"label": label.pk, "op": "add"}, follow=True, **EN)
    assert "already has the label" in _said(twice)
    assert list(_fresh(conversation).labels.all()) == [label]

    browser.post(url, {"label": label.pk, "op": "remove"})
    assert not _fresh(conversation).labels.exists()
    assert [e.details for e in _audited("conversation.label_added")] == [{"label": label.pk}]
    assert [e.details for e in _audited("conversation.label_removed")] == [{"label": label.pk}]


def test_a_label_of_another_organisation_cannot_be_used(conversation, counsellor, outsider) -> None:
    foreign = Label.objects.create(organisation=outsider.organisation, name="Fremd")
    browser = login_client(counsellor)

    for data in ({"label": foreign.pk, "op": "add"}, {"label": "x", "op": "add"}, {"op": "add"}):
        response = browser.post(
            f"/posteingang/{conversation.pk}/schlagwort/", data, follow=True, **EN
        )
        assert "Please choose a label from the list." in _said(response)
    assert not _fresh(conversation).labels.exists()


def test_leadership_manages_the_label_list(org, leader, conversation) -> None:
    browser = login_client(leader)

    created = browser.post("/posteingang/schlagworte/", {"name": "  Schulden  "})
    duplicate = browser.post("/posteingang/schlagworte/", {"name": "schulden"}, **EN)
    empty = browser.post("/posteingang/schlagworte/", {"name": "\x00 "}, **EN)

    assert created.status_code == 302
    assert duplicate.status_code == 400
    assert "A label with this name exists already." in duplicate.content.decode()
    assert empty.status_code == 400
    assert "Please give the label a name." in empty.content.decode()
    label = Label.objects.get()
    assert label.name == "Schulden"
    conversation.labels.add(label)

    browser.post(f"/posteingang/schlagworte/{label.pk}/", {"name": "Geld"})
    assert Label.objects.get().name == "Geld"
    browser.post(f"/posteingang/schlagworte/{label.pk}/loeschen/")
    assert not Label.objects.exists()
    assert not _fresh(conversation).labels.exists()
    actions_logged = [e.action for e in AuditEntry.objects.filter(action__startswith="label.")]
    assert actions_logged == ["label.created", "label.renamed", "label.deleted"]


def test_only_leadership_and_admins_manage_labels(org, counsellor, volunteer, outsider) -> None:
    label = Label.objects.create(organisation=org, name="Wohnen")

    for person in (counsellor, volunteer):
        browser = login_client(person)
        assert browser.get("/posteingang/schlagworte/").status_code == 403
        assert browser.post("/posteingang/schlagworte/", {"name": "Neu"}).status_code == 403
    # An admin of another organisation: our label does not exist for them.
    foreign = login_client(outsider)
    assert foreign.get("/posteingang/schlagworte/").status_code == 200
    assert "Wohnen" not in foreign.get("/posteingang/schlagworte/").content.decode()
    assert foreign.post(f"/posteingang/schlagworte/{label.pk}/", {"name": "X"}).status_code == 404
    assert foreign.post(f"/posteingang/schlagworte/{label.pk}/loeschen/").status_code == 404
    assert [label.name for label in Label.objects.all()] == ["Wohnen"]


# -- canned replies -----------------------------------------------------------------------


def test_a_canned_reply_prefills_the_answer_without_javascript(conversation, counsellor) -> None:
    browser = login_client(counsellor)
    browser.post(
        "/posteingang/vorlagen/",
        {"title": "Begrüßung", "body": "Hallo, schön dass du schreibst. Wie kann ich helfen?"},
    )
    reply = CannedReply.objects.get()
    assert reply.owner_id == counsellor.pk

    page = browser.get(f"/posteingang/{conversation.pk}/?vorlage={reply.pk}").content.decode()

    composer = page.split('id="composer"', 1)[1].split("</form>", 1)[0]
    assert "Hallo, schön dass du schreibst. Wie kann ich helfen?</textarea>" in composer


def test_nobody_uses_a_colleagues_personal_or_a_foreign_canned_reply(
    org, conversation, counsellor, colleague, outsider
) -> None:
    private = CannedReply.objects.create(
        organisation=org, owner=colleague, title="Privat", body="Nur für Lea"
    )
    foreign = CannedReply.objects.create(
        organisation=outsider.organisation, owner=None, title="Fremd", body="Fremder Text"
    )
    browser = login_client(counsellor)

    for value in (private.pk, foreign.pk, "abc", "9" * 30):
        response = browser.get(f"/posteingang/{conversation.pk}/?vorlage={value}", **EN)
        page = response.content.decode()
        assert response.status_code == 200
        assert "This canned reply does not exist (any more)." in page
        assert "Nur für Lea" not in page and "Fremder Text" not in page


def test_shared_canned_replies_are_managed_by_leadership_and_used_by_everybody(
    org, leader, counsellor, volunteer, conversation
) -> None:
    login_client(leader).post(
        "/posteingang/vorlagen/",
        {"title": "Datenschutz", "body": "Deine Nachrichten sind verschlüsselt.", "shared": "on"},
    )
    # A counsellor cannot make a shared one: the box is not even offered; sent anyway, ignored.
    jonas = login_client(counsellor)
    assert 'name="shared"' not in jonas.get("/posteingang/vorlagen/").content.decode()
    jonas.post("/posteingang/vorlagen/", {"title": "Meins", "body": "Mein Text", "shared": "on"})

    shared = CannedReply.objects.get(owner__isnull=True)
    assert shared.title == "Datenschutz"
    assert CannedReply.objects.get(title="Meins").owner_id == counsellor.pk
    streetwork = _conversation("streetwork")
    page = login_client(volunteer).get(f"/posteingang/{streetwork.pk}/").content.decode()
    assert "Deine Nachrichten sind verschl\\u00fcsselt." in page  # in the JSON for inbox.js
    assert "Mein Text" not in page
    # Only leadership and admins change the shared one.
    assert jonas.get(f"/posteingang/vorlagen/{shared.pk}/").status_code == 404
    assert jonas.post(f"/posteingang/vorlagen/{shared.pk}/loeschen/").status_code == 404
    assert CannedReply.objects.filter(pk=shared.pk).exists()
    created = [e.details for e in _audited("canned_reply.created")]
    assert created == [{"shared": True}, {"shared": False}]


def test_personal_canned_replies_belong_to_their_owner_only(
    org, counsellor, colleague, outsider, leader
) -> None:
    mine = CannedReply.objects.create(
        organisation=org, owner=counsellor, title="Meins", body="Mein Text"
    )

    for person in (colleague, leader, outsider):
        browser = login_client(person)
        assert browser.get(f"/posteingang/vorlagen/{mine.pk}/").status_code == 404
        assert (
            browser.post(
                f"/posteingang/vorlagen/{mine.pk}/", {"title": "X", "body": "Y"}
            ).status_code
            == 404
        )
        assert browser.post(f"/posteingang/vorlagen/{mine.pk}/loeschen/").status_code == 404
        assert "Mein Text" not in browser.get("/posteingang/vorlagen/").content.decode()

    owner = login_client(counsellor)
    owner.post(f"/posteingang/vorlagen/{mine.pk}/", {"title": "Meins", "body": "Neuer Text"})
    assert CannedReply.objects.get().body == "Neuer Text"
    owner.post(f"/posteingang/vorlagen/{mine.pk}/loeschen/")
    assert not CannedReply.objects.exists()
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="canned_reply.")] == [
        "canned_reply.changed",
        "canned_reply.deleted",
    ]


def test_a_canned_reply_needs_a_title_and_a_text(counsellor) -> None:
    browser = login_client(counsellor)

    response = browser.post("/posteingang/vorlagen/", {"title": " ", "body": "x" * 4001}, **EN)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Please give the canned reply a title." in page
    assert "A canned reply has at most 4000 characters." in page
    assert not CannedReply.objects.exists()


# -- the seam for case files --------------------------------------------------------------


@pytest.fixture
def case_linker() -> Iterator[list[tuple[User, Conversation]]]:
    calls: list[tuple[User, Conversation]] = []

    def render(user: User, conversation: Conversation) -> str:
        calls.append((user, conversation))
        return format_html('<p class="case-link">Fallakte 2026-{}</p>', conversation.pk)

    linker = triage.CaseLinker("cases", render)
    triage.CASE_LINKERS.append(linker)
    yield calls
    triage.CASE_LINKERS.remove(linker)


def test_without_a_case_linker_the_page_says_nothing_about_cases(conversation, counsellor) -> None:
    page = login_client(counsellor).get(f"/posteingang/{conversation.pk}/").content.decode()

    assert 'id="case-heading"' not in page


def test_a_registered_case_linker_joins_the_conversation_page(
    conversation, counsellor, leader, case_linker
) -> None:
    page = login_client(counsellor).get(f"/posteingang/{conversation.pk}/").content.decode()

    assert 'id="case-heading"' in page
    assert f'<p class="case-link">Fallakte 2026-{conversation.pk}</p>' in page
    assert [(user.pk, c.pk) for user, c in case_linker] == [(counsellor.pk, conversation.pk)]
    # Asked only for people who may read the conversation.
    assert login_client(leader).get(f"/posteingang/{conversation.pk}/").status_code == 404
    assert len(case_linker) == 1


def test_a_second_organisation_is_not_affected_by_ours(org, outsider) -> None:
    """Smoke check of the fixtures: the outsider's organisation has its own team."""
    assert Organisation.objects.count() == 2
    assert Facility.objects.get(slug="haus-sued").organisation == outsider.organisation
