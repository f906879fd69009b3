"""Minutes of team meetings and case conferences: encrypted texts, cases named by file
number only, action items in the owner's to-do list until done; templates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from hafen.cases import access, actions, queries
from hafen.cases.models import ActionItem, EntryKind, Meeting, MeetingKind, TemplateKind
from hafen.cases.tests.conftest import open_case
from hafen.cases.validation import today
from hafen.privacy import crypto
from hafen.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference(case, youth, counsellor, leader) -> Meeting:
    made = actions.create_meeting(
        counsellor,
        youth,
        kind=MeetingKind.CASE_CONFERENCE,
        held_on=today() - timedelta(days=1),
        agenda="1. Fallbesprechung",
        decisions="Schulbegleitung beantragen.",
        guests="Frau Schmidt (Jugendamt)",
        attendees=[counsellor, leader],
        case_references=[case.reference.lower()],
    )
    return access.access_meeting(counsellor, made.pk)


def test_a_case_conference_names_cases_by_file_number_only(conference, case, leader) -> None:
    page = queries.meeting_page(leader, conference)  # an attendee

    assert page.case_references == [case.reference]
    assert page.decisions == "Schulbegleitung beantragen."
    assert page.guests == "Frau Schmidt (Jugendamt)"
    assert "Leon" not in repr(page)
    assert AuditEntry.objects.filter(action="meeting.read", actor_id=leader.pk).exists()
    stored = Meeting.objects.get(pk=conference.pk)
    assert b"Schulbegleitung" not in bytes(stored.decisions_sealed)
    # Attending the conference does not open the case file.
    with pytest.raises(Http404):
        access.access_case(leader, case.pk)


def test_minutes_can_only_name_cases_the_writer_may_see(youth, counsellor, other_team) -> None:
    foreign = open_case(other_team, other_team.memberships.get().team, pseudonym="Schulden")

    for reference in (foreign.reference, "F-2099-0001", "<script>"):
        with pytest.raises(ValidationError) as refused:
            actions.create_meeting(
                counsellor,
                youth,
                kind=MeetingKind.CASE_CONFERENCE,
                held_on=today(),
                case_references=[reference],
            )
        assert "No case file that you can open has the number" in refused.value.messages[0]
    assert not Meeting.objects.exists()


def test_who_may_read_and_write_minutes(conference, colleague, other_team, volunteer, dpo):
    assert queries.meeting_page(colleague, conference).agenda == "1. Fallbesprechung"
    assert access.meetings_visible_to(colleague).filter(pk=conference.pk).exists()
    for person in (other_team, volunteer, dpo):
        with pytest.raises(Http404):
            access.access_meeting(person, conference.pk)
        with pytest.raises(Http404):
            actions.add_action_item(person, conference, text="x", owner=person)
        assert not access.meetings_visible_to(person).filter(pk=conference.pk).exists()
    with pytest.raises(PermissionDenied):
        actions.create_meeting(
            other_team,
            conference.team,
            kind=MeetingKind.TEAM_MEETING,
            held_on=today(),
        )


def test_action_items_stay_in_the_owners_to_do_list_until_done(
    conference, counsellor, colleague
) -> None:
    later = actions.add_action_item(
        counsellor,
        conference,
        text="Antrag an das Jugendamt",
        owner=colleague,
        due_on=today() + timedelta(days=7),
    )
    undated = actions.add_action_item(
        counsellor, conference, text="Raum für Fachtag anfragen", owner=colleague
    )
    urgent = actions.add_action_item(
        counsellor, conference, text="Schule anrufen", owner=colleague, due_on=today()
    )

    todo = queries.open_action_items(colleague)
    assert [(i.id, i.text) for i in todo] == [
        (urgent.pk, "Schule anrufen"),
        (later.pk, "Antrag an das Jugendamt"),
        (undated.pk, "Raum für Fachtag anfragen"),
    ]
    assert queries.open_action_items(counsellor) == []

    item = access.access_action_item(colleague, urgent.pk)
    assert actions.complete_action_item(colleague, item)
    assert not actions.complete_action_item(colleague, item)  # a second click changes nothing

    assert [i.id for i in queries.open_action_items(colleague)] == [later.pk, undated.pk]
    done = ActionItem.objects.get(pk=urgent.pk)
    assert done.done_by == colleague and done.done_at is not None


def test_an_action_item_due_before_its_meeting_is_refused(conference, counsellor) -> None:
    with pytest.raises(ValidationError, match="cannot be before the meeting"):
        actions.add_action_item(
            counsellor,
            conference,
            text="Rückwirkend",
            owner=counsellor,
            due_on=conference.held_on - timedelta(days=1),
        )
    with pytest.raises(ValidationError):
        actions.add_action_item(counsellor, conference, text="", owner=counsellor)
    assert not ActionItem.objects.exists()


def test_an_owner_outside_the_organisation_is_refused(conference, counsellor, outsider):
    with pytest.raises(ValidationError):
        actions.add_action_item(counsellor, conference, text="Fremd", owner=outsider)
    with pytest.raises(Http404):
        access.access_action_item(outsider, 1)


def test_correcting_minutes_is_audited_by_field(conference, counsellor) -> None:
    changed = actions.update_meeting(
        counsellor, conference, decisions="Schulbegleitung beantragt.", agenda=actions.KEEP
    )

    assert changed == ["decisions"]
    fresh = access.access_meeting(counsellor, conference.pk)
    assert queries.meeting_page(counsellor, fresh).decisions == "Schulbegleitung beantragt."
    assert AuditEntry.objects.get(action="meeting.changed").details["fields"] == "decisions"


def test_a_shredded_meeting_reads_as_gone(conference, counsellor) -> None:
    crypto.shred(conference.data_key)

    page = queries.meeting_page(counsellor, access.access_meeting(counsellor, conference.pk))

    assert page.agenda is None and page.decisions is None
    with pytest.raises(ValidationError, match="has been erased"):
        actions.add_action_item(counsellor, conference, text="Neu", owner=counsellor)


# -- templates ------------------------------------------------------------------------------


def test_the_organisation_defines_templates_and_counsellors_start_from_them(
    admin_user, counsellor, outsider
) -> None:
    template = actions.create_template(
        admin_user,
        kind=TemplateKind.ENTRY,
        title="Hausbesuch",
        body="Anwesend:\n\nBeobachtungen:\n",
        entry_kind=EntryKind.HOME_VISIT,
    )

    draft = actions.apply_template(counsellor, template.pk, kind=TemplateKind.ENTRY)

    assert draft.text == "Anwesend:\n\nBeobachtungen:" and draft.entry_kind == EntryKind.HOME_VISIT
    with pytest.raises(Http404):
        actions.apply_template(counsellor, template.pk, kind=TemplateKind.PLAN)
    with pytest.raises(Http404):
        actions.apply_template(outsider, template.pk, kind=TemplateKind.ENTRY)
    with pytest.raises(Http404):
        actions.apply_template(counsellor, "nope", kind=TemplateKind.ENTRY)
    with pytest.raises(PermissionDenied):
        actions.create_template(counsellor, kind=TemplateKind.ENTRY, title="Meins", body="x")
    with pytest.raises(ValidationError, match="exists already"):
        actions.create_template(admin_user, kind=TemplateKind.ENTRY, title="hausbesuch", body="x")

    actions.update_template(admin_user, template, title="Hausbesuch", body="x", is_active=False)
    with pytest.raises(Http404):
        actions.apply_template(counsellor, template.pk, kind=TemplateKind.ENTRY)
