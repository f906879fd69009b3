"""Minutes through the real HTTP stack: team meetings and case conferences, cases named by
file number only, action items in the owner's to-do list on the start page until done,
plan reviews due soon in the same list, templates — and outsiders refused."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from hafen.cases import access, actions
from hafen.cases.models import ActionItem, Meeting, MeetingKind, PlanKind, TemplateKind
from hafen.cases.tests.conftest import open_case
from hafen.cases.validation import today
from hafen.conftest import login_client
from hafen.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
DE = {"HTTP_ACCEPT_LANGUAGE": "de"}
START = "/start/counsellor/"


def _said(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


def _conference(counsellor, youth, case, **fields) -> Meeting:
    made = actions.create_meeting(
        counsellor,
        youth,
        kind=MeetingKind.CASE_CONFERENCE,
        held_on=fields.pop("held_on", today() - timedelta(days=1)),
        agenda="1. Fallbesprechung",
        decisions="Schulbegleitung beantragen.",
        attendees=fields.pop("attendees", [counsellor]),
        case_references=[case.reference],
        **fields,
    )
    return access.access_meeting(counsellor, made.pk)


@pytest.fixture
def conference(counsellor, youth, case) -> Meeting:
    return _conference(counsellor, youth, case)


def _form(team, case=None, **fields) -> dict:
    data = {
        "team": team.pk,
        "kind": MeetingKind.CASE_CONFERENCE,
        "held_on": today().isoformat(),
        "agenda": "1. Fälle",
        "decisions": "Weiter wie besprochen.",
        "guests": "Frau Schmidt (Jugendamt)",
    }
    if case is not None:
        data["cases"] = [case.reference]
    data.update(fields)
    return data


# -- writing minutes -----------------------------------------------------------------------


def test_a_case_conference_names_cases_by_file_number_only(
    case, counsellor, colleague, youth, leader
) -> None:
    jonas = login_client(counsellor)
    form = jonas.get("/faelle/besprechungen/neu/", **EN).content.decode()
    assert f'value="{case.reference}"' in form
    assert "Leon" not in form  # neither pseudonym nor name: the number only

    response = jonas.post(
        "/faelle/besprechungen/neu/",
        _form(
            youth, case, attendees=[counsellor.pk, colleague.pk, leader.pk], form_token="tok-000001"
        ),
    )
    meeting = Meeting.objects.get()
    assert response["Location"] == f"/faelle/besprechungen/{meeting.pk}/"
    assert list(meeting.cases.values_list("reference", flat=True)) == [case.reference]
    assert set(meeting.attendees.all()) == {counsellor, colleague, leader}
    assert b"Weiter wie" not in bytes(meeting.decisions_sealed)

    page = jonas.get(f"/faelle/besprechungen/{meeting.pk}/", **EN).content.decode()
    assert case.reference in page and "Leon" not in page
    assert "Weiter wie besprochen." in page and "Frau Schmidt (Jugendamt)" in page
    assert "Lena Vogt" in page
    assert AuditEntry.objects.filter(action="meeting.read", actor_id=counsellor.pk).exists()
    listing = jonas.get("/faelle/besprechungen/", **EN).content.decode()
    assert f'href="/faelle/besprechungen/{meeting.pk}/"' in listing and "Case conference" in listing


def test_only_cases_the_writer_may_see_can_be_named(case, counsellor, youth, other_team) -> None:
    debts = open_case(other_team, other_team.memberships.get().team, pseudonym="Schulden")
    jonas = login_client(counsellor)
    for reference in (debts.reference, "F-1999-9999", "<script>"):
        response = jonas.post("/faelle/besprechungen/neu/", _form(youth, cases=[reference]), **EN)
        assert response.status_code == 400
        assert "Select a valid choice." in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_minutes_template_prefills_the_agenda(counsellor, admin_user) -> None:
    template = actions.create_template(
        admin_user, kind=TemplateKind.MINUTES, title="Teamsitzung", body="1. Begrüßung\n2. Fälle"
    )
    plan_template = actions.create_template(
        admin_user, kind=TemplateKind.PLAN, title="Hilfeplan", body="Ausgangslage:"
    )
    jonas = login_client(counsellor)
    page = jonas.get(f"/faelle/besprechungen/neu/?vorlage={template.pk}", **EN).content.decode()
    assert "1. Begrüßung\n2. Fälle</textarea>" in page
    wrong = jonas.get(f"/faelle/besprechungen/neu/?vorlage={plan_template.pk}", **EN)
    assert "This template does not exist (any more)." in _said(wrong)
    assert "Ausgangslage:" not in wrong.content.decode()


def test_the_minutes_can_be_completed_later(conference, counsellor, colleague, case) -> None:
    jonas = login_client(counsellor)
    edit = f"/faelle/besprechungen/{conference.pk}/bearbeiten/"
    assert "Schulbegleitung beantragen." in jonas.get(edit).content.decode()
    response = jonas.post(
        edit,
        {
            "agenda": "1. Fallbesprechung",
            "decisions": "Schulbegleitung beantragen. Termin im Januar.",
            "guests": "",
            "attendees": [counsellor.pk, colleague.pk],
            "cases": [case.reference],
        },
    )
    assert response.status_code == 302
    conference.refresh_from_db()
    assert conference.decisions == "Schulbegleitung beantragen. Termin im Januar."
    assert set(conference.attendees.all()) == {counsellor, colleague}
    assert AuditEntry.objects.filter(action="meeting.changed", actor_id=counsellor.pk).exists()


def test_html_and_huge_texts_in_minutes(counsellor, youth) -> None:
    jonas = login_client(counsellor)
    script = "<script>alert(1)</script>"
    jonas.post(
        "/faelle/besprechungen/neu/",
        _form(youth, agenda=script, decisions=script, guests=script, kind="team_meeting"),
    )
    meeting = Meeting.objects.get()
    jonas.post(
        f"/faelle/besprechungen/{meeting.pk}/aufgaben/",
        {"text": script, "owner": counsellor.pk},
    )
    page = jonas.get(f"/faelle/besprechungen/{meeting.pk}/").content.decode()
    assert script not in page and page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 4
    start = jonas.get(START).content.decode()
    assert script not in start and "&lt;script&gt;alert(1)&lt;/script&gt;" in start

    huge = jonas.post("/faelle/besprechungen/neu/", _form(youth, agenda="x" * 60_000), **EN)
    assert huge.status_code == 400
    assert "at most 50000 characters" in huge.content.decode()
    assert Meeting.objects.count() == 1


def test_minutes_and_action_items_posted_twice_are_made_once(counsellor, youth) -> None:
    jonas = login_client(counsellor)
    fields = _form(youth, form_token="tok-twice-01")
    assert (
        jonas.post("/faelle/besprechungen/neu/", fields)["Location"]
        == jonas.post("/faelle/besprechungen/neu/", fields)["Location"]
    )
    meeting = Meeting.objects.get()
    item = {"text": "Anrufen", "owner": counsellor.pk, "form_token": "tok-twice-02"}
    jonas.post(f"/faelle/besprechungen/{meeting.pk}/aufgaben/", item)
    jonas.post(f"/faelle/besprechungen/{meeting.pk}/aufgaben/", item)
    assert ActionItem.objects.count() == 1


# -- action items and the to-do list -------------------------------------------------------


def test_an_action_item_shows_in_the_owners_to_do_list_until_done(
    conference, counsellor, colleague
) -> None:
    jonas, lena = login_client(counsellor), login_client(colleague)
    due = today() + timedelta(days=3)
    response = jonas.post(
        f"/faelle/besprechungen/{conference.pk}/aufgaben/",
        {"text": "Jugendamt anrufen", "owner": colleague.pk, "due_on": due.isoformat()},
    )
    assert response.status_code == 302
    item = ActionItem.objects.get()

    todo = lena.get(START, **EN).content.decode()
    assert "Jugendamt anrufen" in todo
    assert f'href="/faelle/besprechungen/{conference.pk}/#aufgabe-{item.pk}"' in todo
    assert "Jugendamt anrufen" not in jonas.get(START, **EN).content.decode()  # not his

    done = lena.post(
        f"/faelle/besprechungen/aufgaben/{item.pk}/erledigt/", {"next": START}, follow=True, **EN
    )
    assert done.redirect_chain[-1][0] == START
    assert "Done: the action item is off the to-do list." in _said(done)
    assert "Jugendamt anrufen" not in done.content.decode()
    item.refresh_from_db()
    assert item.done_at is not None and item.done_by == colleague

    again = lena.post(f"/faelle/besprechungen/aufgaben/{item.pk}/erledigt/", follow=True, **EN)
    assert "This action item was done already." in _said(again)
    # An address elsewhere in "next" is not followed.
    away = lena.post(
        f"/faelle/besprechungen/aufgaben/{item.pk}/erledigt/", {"next": "https://evil.example/"}
    )
    assert away["Location"].startswith("/faelle/besprechungen/")


def test_the_to_do_list_says_when_there_is_nothing_to_do(counsellor, volunteer) -> None:
    for person, start in ((counsellor, START), (volunteer, "/start/volunteer/")):
        page = login_client(person).get(start, **EN).content.decode()
        assert "Nothing to do: no open action items" in page


def test_a_review_due_soon_shows_in_the_to_do_list_and_links_to_the_plan(
    case, counsellor, colleague, other_team
) -> None:
    plan = actions.create_plan(counsellor, case, kind=PlanKind.HELP_PLAN, title="Hilfeplan")
    soon = actions.schedule_review(counsellor, plan, today() + timedelta(days=5))
    later = actions.schedule_review(counsellor, plan, today() + timedelta(days=40))
    page = login_client(counsellor).get(START, **EN).content.decode()
    assert f"Review of the plan for {case.reference}" in page
    assert f'href="/faelle/plaene/{plan.pk}/#termin-{soon.pk}"' in page
    assert f"#termin-{later.pk}" not in page
    # Jonas opened the case and is responsible for it: the reminder is his, not the
    # whole team's, and never another team's.
    assert f"#termin-{soon.pk}" not in login_client(colleague).get(START).content.decode()
    assert case.reference not in login_client(other_team).get(START).content.decode()

    actions.record_review(counsellor, soon, held_on=today(), ratings={})
    assert f"#termin-{soon.pk}" not in login_client(counsellor).get(START).content.decode()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (EN, "Due on cannot be before the meeting"),
        (DE, "Fällig am darf nicht vor der Sitzung liegen"),
    ],
)
def test_an_action_item_due_before_the_meeting_is_refused(
    conference, counsellor, language, message
) -> None:
    response = login_client(counsellor).post(
        f"/faelle/besprechungen/{conference.pk}/aufgaben/",
        {
            "text": "Zu spät",
            "owner": counsellor.pk,
            "due_on": (conference.held_on - timedelta(days=1)).isoformat(),
        },
        **language,
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and 'id="id_due_on_error"' in page
    assert not ActionItem.objects.exists()


# -- who may -------------------------------------------------------------------------------


def test_another_teams_meeting_id_is_not_found_and_nothing_changes(
    conference, counsellor, other_team, dpo, leader, outsider
) -> None:
    item = actions.add_action_item(counsellor, conference, text="Anrufen", owner=counsellor)
    decisions = bytes(conference.decisions_sealed)
    for person in (other_team, dpo, outsider):
        client = login_client(person)
        assert client.get(f"/faelle/besprechungen/{conference.pk}/").status_code == 404
        assert client.get(f"/faelle/besprechungen/{conference.pk}/bearbeiten/").status_code == 404
        edit = client.post(
            f"/faelle/besprechungen/{conference.pk}/bearbeiten/", {"decisions": "Übernommen"}
        )
        assert edit.status_code == 404
        add = client.post(
            f"/faelle/besprechungen/{conference.pk}/aufgaben/",
            {"text": "Fremd", "owner": person.pk},
        )
        assert add.status_code == 404
        done = client.post(f"/faelle/besprechungen/aufgaben/{item.pk}/erledigt/")
        assert done.status_code == 404
        listing = client.get("/faelle/besprechungen/").content.decode()
        assert f"/faelle/besprechungen/{conference.pk}/" not in listing
    conference.refresh_from_db()
    item.refresh_from_db()
    assert bytes(conference.decisions_sealed) == decisions
    assert item.done_at is None and ActionItem.objects.count() == 1
    assert not AuditEntry.objects.filter(
        action="meeting.read", actor_id__in=[other_team.pk, dpo.pk, outsider.pk]
    ).exists()
    # Leadership that did not attend sees no minutes either.
    assert login_client(leader).get(f"/faelle/besprechungen/{conference.pk}/").status_code == 404


def test_a_volunteer_writes_no_minutes(volunteer, street) -> None:
    aylin = login_client(volunteer)
    assert aylin.get("/faelle/besprechungen/neu/").status_code == 403
    response = aylin.post("/faelle/besprechungen/neu/", _form(street))
    assert response.status_code == 403
    assert not Meeting.objects.exists()
    listing = aylin.get("/faelle/besprechungen/", **EN).content.decode()
    assert "No minutes yet." in listing and "Write new minutes" not in listing


def test_a_counsellor_cannot_write_minutes_for_another_team(counsellor, other_team) -> None:
    debts_team = other_team.memberships.get().team
    response = login_client(counsellor).post("/faelle/besprechungen/neu/", _form(debts_team), **EN)
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert not Meeting.objects.exists()


def test_an_attendee_from_leadership_reads_the_minutes_but_not_the_case(
    counsellor, youth, case, leader
) -> None:
    meeting = _conference(counsellor, youth, case, attendees=[counsellor, leader])
    anna = login_client(leader)
    assert anna.get(f"/faelle/besprechungen/{meeting.pk}/").status_code == 200
    assert anna.get(f"/faelle/{case.pk}/").status_code == 404


# -- cost ----------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_the_minutes_and_the_to_do_list_cost_the_same_however_long(
    conference, counsellor, colleague, youth, case
) -> None:
    jonas = login_client(counsellor)
    for url in ("/faelle/besprechungen/", START):
        jonas.get(url)
    before = {
        url: _queries(jonas, url)
        for url in ("/faelle/besprechungen/", f"/faelle/besprechungen/{conference.pk}/", START)
    }
    for number in range(5):
        more = _conference(counsellor, youth, case, attendees=[counsellor, colleague])
        actions.add_action_item(counsellor, more, text=f"Aufgabe {number}", owner=counsellor)
        actions.add_action_item(counsellor, conference, text=f"Noch {number}", owner=colleague)
    after = {url: _queries(jonas, url) for url in before}
    assert after == before


def test_an_attendee_who_cannot_see_a_named_case_completes_the_minutes_without_touching_it(
    counsellor, youth, case, other_team
) -> None:
    meeting = _conference(counsellor, youth, case, attendees=[counsellor, other_team])
    kai = login_client(other_team)
    form = kai.get(f"/faelle/besprechungen/{meeting.pk}/bearbeiten/", **EN).content.decode()
    assert "some of them are not open to you" in form and 'name="cases"' not in form
    response = kai.post(
        f"/faelle/besprechungen/{meeting.pk}/bearbeiten/",
        {
            "decisions": "Schuldnerberatung übernimmt den Kontakt.",
            "attendees": [counsellor.pk, other_team.pk],
            "cases": [],  # ignored: he cannot remove what he cannot see
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.decisions == "Schuldnerberatung übernimmt den Kontakt."
    assert list(meeting.cases.values_list("reference", flat=True)) == [case.reference]


def test_a_case_closed_since_stays_choosable_in_the_minutes_it_is_named_in(
    conference, counsellor, case
) -> None:
    actions.update_case(counsellor, case, status="closed", closed_on=today())
    form = login_client(counsellor).get(f"/faelle/besprechungen/{conference.pk}/bearbeiten/")
    box = re.search(
        rf'<input[^>]*name="cases"[^>]*value="{case.reference}"[^>]*>', form.content.decode()
    )
    assert box is not None and "checked" in box.group(0)
