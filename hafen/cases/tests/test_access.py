"""Need-to-know for case files, for every role, through the one door (``access``).

Counsellors of the team and responsible staff read and write; volunteers read only
if the organisation allows it, and never write; leadership gets figures, not
content; the DPO, communications, admins, other teams and other organisations get
404 for every id; break-glass opens a case for a while, is audited and notifies the
DPO. Every read of a case is in the audit log.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from hafen.cases import access, actions, queries
from hafen.cases.models import Case, CaseEntry, Confidentiality, EntryKind, Notice, NoticeKind
from hafen.cases.tests.conftest import entry, open_case
from hafen.cases.validation import today
from hafen.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


def _can_read(user, case: Case) -> bool:
    try:
        access.access_case(user, case.pk)
    except Http404:
        return False
    return True


def _can_write(user, case: Case) -> bool:
    try:
        access.access_case(user, case.pk, write=True)
    except (Http404, PermissionDenied):
        return False
    return True


def _listed(user, case: Case) -> bool:
    return access.cases_visible_to(user).filter(pk=case.pk).exists()


def _try_to_write(user, case: Case) -> type[Exception] | None:
    """An entry written by ``user`` straight through the action: what stops it?"""
    try:
        actions.add_entry(user, case, text="Von außen", kind=EntryKind.NOTE, occurred_on=today())
    except (Http404, PermissionDenied) as refused:
        return type(refused)
    return None


def test_counsellors_of_the_team_read_and_write(case, counsellor, colleague) -> None:
    for person in (counsellor, colleague):
        assert _can_read(person, case) and _can_write(person, case) and _listed(person, case)
        assert access.case_rights(person, case).via == "team"

    entry(colleague, case, "Lena übernimmt die Vertretung.")

    assert case.entries.count() == 2


@pytest.mark.parametrize(
    "persona", ["other_team", "leader", "dpo", "comms", "admin_user", "outsider"]
)
def test_everybody_else_gets_not_found_and_changes_nothing(case, persona, request) -> None:
    person = request.getfixturevalue(persona)
    entries = CaseEntry.objects.count()

    assert not _can_read(person, case)
    assert not _listed(person, case)
    assert _try_to_write(person, case) is Http404
    with pytest.raises(Http404):
        queries.case_page(person, case)
    with pytest.raises(Http404):
        actions.update_case(person, case, status="closed")

    assert CaseEntry.objects.count() == entries
    assert Case.objects.get(pk=case.pk).status == "open"
    assert not AuditEntry.objects.filter(action="case.read", actor_id=person.pk).exists()


def test_ids_that_are_no_ids_are_simply_not_found(counsellor, case) -> None:
    for hostile in ("abc", None, -1, 0, 2**70, "1 OR 1=1", True, [case.pk]):
        with pytest.raises(Http404):
            access.access_case(counsellor, hostile)
    assert access.access_case(counsellor, str(case.pk)) == case


def test_responsible_staff_from_another_team_read_and_write(case, counsellor, other_team) -> None:
    actions.update_case(counsellor, case, responsible=[counsellor, other_team])

    assert _can_read(other_team, case) and _can_write(other_team, case)
    assert _listed(other_team, case)
    assert access.case_rights(other_team, case).via == "responsible"
    entry(other_team, case, "Schuldnerberatung: Überblick über Forderungen erstellt.")

    actions.update_case(counsellor, case, responsible=[counsellor])
    assert not _can_read(other_team, case)


def test_only_counsellors_and_leadership_can_be_responsible(case, counsellor, volunteer, outsider):
    for person in (volunteer, outsider):
        with pytest.raises(ValidationError):
            actions.update_case(counsellor, case, responsible=[counsellor, person])
    assert list(case.responsible.all()) == [counsellor]


def test_leadership_sees_figures_and_content_only_when_responsible(case, counsellor, leader):
    figures = {row.team_name: row for row in queries.case_figures(leader)}
    youth = next(row for name, row in figures.items() if "Jugendberatung" in name)
    assert youth.open == 1 and youth.entries_last_30_days == 1
    assert not _can_read(leader, case)
    with pytest.raises(PermissionDenied):
        queries.case_figures(counsellor)

    actions.update_case(counsellor, case, responsible=[counsellor, leader])

    assert _can_read(leader, case)


def test_volunteers_see_no_case_unless_the_organisation_allows_it(
    street_case, counsellor, volunteer, leader
) -> None:
    assert not _can_read(volunteer, street_case)
    assert not _listed(volunteer, street_case)

    actions.set_case_settings(leader, volunteers_see_cases=True)

    assert _can_read(volunteer, street_case) and _listed(volunteer, street_case)
    assert access.case_rights(volunteer, street_case).via == "volunteer"
    # Reading, not writing: case documentation is professional work.
    assert not _can_write(volunteer, street_case)
    assert _try_to_write(volunteer, street_case) is PermissionDenied
    page = queries.case_page(volunteer, street_case)
    assert [e.text for e in page.entries] == ["Kontakt am Bahnhof, sucht einen Schlafplatz."]


def test_volunteers_never_read_entrusted_entries(street_case, counsellor, volunteer, leader):
    actions.set_case_settings(leader, volunteers_see_cases=True)
    entry(
        counsellor,
        street_case,
        "Hat von einer Straftat erzählt.",
        confidentiality=Confidentiality.ENTRUSTED,
    )

    page = queries.case_page(volunteer, street_case)

    withheld = [e for e in page.entries if e.withheld]
    assert len(withheld) == 1 and withheld[0].text is None
    assert "Straftat" not in repr(page.entries)


def test_a_volunteer_of_another_team_sees_nothing_even_when_allowed(case, volunteer, leader):
    actions.set_case_settings(leader, volunteers_see_cases=True)

    assert not _can_read(volunteer, case)


def test_only_leadership_and_admins_change_the_settings(counsellor, volunteer) -> None:
    with pytest.raises(PermissionDenied):
        actions.set_case_settings(counsellor, volunteers_see_cases=True)
    assert not access.volunteers_see_cases(counsellor.organisation_id)


def test_break_glass_opens_the_case_for_a_while_audited_and_tells_the_dpo(
    case, other_team, dpo, time_machine, django_capture_on_commit_callbacks
) -> None:
    dpo.email = "dsb@example.org"
    dpo.save(update_fields=["email"])
    assert not _can_read(other_team, case)

    with pytest.raises(ValidationError):
        actions.break_glass_case(other_team, case.reference, "kurz")  # no real reason
    with pytest.raises(ValidationError):
        actions.break_glass_case(other_team, "F-1999-9999", "Vertretung bei Krisenanruf")

    with django_capture_on_commit_callbacks(execute=True):
        actions.break_glass_case(
            other_team, case.reference.lower(), "Krisenanruf, Kollege krank", minutes=30
        )

    assert _can_read(other_team, case) and _can_write(other_team, case)
    assert access.case_rights(other_team, case).via == "break_glass"
    queries.case_page(other_team, case)
    read = AuditEntry.objects.get(action="case.read", actor_id=other_team.pk)
    assert read.details["via"] == "break_glass"
    grant = AuditEntry.objects.get(action="case.break_glass")
    assert grant.object_id == str(case.pk) and grant.details["minutes"] == 30
    assert "Krisenanruf" not in str(grant.details)
    notice = Notice.objects.get(recipient=dpo)
    assert notice.kind == NoticeKind.BREAK_GLASS and notice.actor == other_team
    assert notice.case == case
    assert [message.to for message in mail.outbox] == [["dsb@example.org"]]
    assert case.reference in mail.outbox[0].body
    assert "Krisenanruf" not in mail.outbox[0].body
    assert "Leon" not in mail.outbox[0].body

    time_machine.move_to(timezone.now() + timedelta(minutes=31))

    assert not _can_read(other_team, case)
    assert not _listed(other_team, case)
    assert _try_to_write(other_team, case) is Http404


def test_break_glass_is_for_professionals_and_only_when_needed(case, counsellor, volunteer, dpo):
    with pytest.raises(PermissionDenied):
        actions.break_glass_case(volunteer, case.reference, "Ich möchte nachsehen, bitte")
    with pytest.raises(PermissionDenied):
        actions.break_glass_case(dpo, case.reference, "Ich möchte nachsehen, bitte")
    with pytest.raises(ValidationError):
        actions.break_glass_case(counsellor, case.reference, "Ich kann es ohnehin schon sehen")
    assert not Notice.objects.exists()


def test_break_glass_does_not_open_entrusted_entries(case, counsellor, other_team) -> None:
    entry(
        counsellor,
        case,
        "Anvertraut: Gewalt in der Familie.",
        confidentiality=Confidentiality.ENTRUSTED,
    )
    actions.break_glass_case(other_team, case.reference, "Krisenanruf, Kollege krank")

    page = queries.case_page(other_team, case)

    assert [e.withheld for e in page.entries].count(True) == 1
    assert "Gewalt" not in repr(page.entries)


def test_every_read_of_a_case_is_audited_without_content(case, counsellor) -> None:
    queries.case_page(counsellor, case)
    queries.case_page(counsellor, case)

    reads = AuditEntry.objects.filter(action="case.read", object_id=str(case.pk))
    assert reads.count() == 2
    assert all(r.details == {"part": "page", "via": "team"} for r in reads)
    assert all(r.actor_id == counsellor.pk for r in reads)


def test_staff_of_another_organisation_cannot_be_named_anywhere(case, counsellor, outsider):
    with pytest.raises(ValidationError):
        actions.add_entry(
            counsellor,
            case,
            text="Vertrauliches",
            kind=EntryKind.NOTE,
            occurred_on=today(),
            confidentiality=Confidentiality.ENTRUSTED,
            substitute=outsider,
        )


def test_a_deactivated_counsellor_loses_access(case, counsellor) -> None:
    counsellor.is_active = False
    counsellor.save(update_fields=["is_active"])

    assert not _can_read(counsellor, case)
    assert not _listed(counsellor, case)


def test_the_listing_and_the_door_agree_for_every_persona(
    case, street_case, counsellor, colleague, other_team, volunteer, leader, dpo, outsider
) -> None:
    open_case(other_team, other_team.memberships.get().team, pseudonym="Schulden")
    people = [counsellor, colleague, other_team, volunteer, leader, dpo, outsider]
    for person in people:
        listed = set(access.cases_visible_to(person).values_list("pk", flat=True))
        readable = {c.pk for c in Case.objects.all() if access.case_rights(person, c).read}
        assert listed == readable, person
