"""Opening, changing and closing a case file; pseudonymous file numbers; categories;
linked conversations; disclosures with a reason; crypto-shredding."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from hafen.accounts.models import Team
from hafen.cases import access, actions, queries
from hafen.cases.models import (
    Case,
    CaseCategory,
    CaseConversationLink,
    CaseStatus,
    Confidentiality,
    DisclosureKind,
)
from hafen.cases.tests.conftest import entry, open_case
from hafen.cases.validation import today
from hafen.conversations import actions as conversation_actions
from hafen.conversations.models import Conversation
from hafen.privacy import crypto
from hafen.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


def _fresh(case: Case) -> Case:
    return Case.objects.select_related("team__facility", "data_key", "category").get(pk=case.pk)


def test_a_case_gets_the_next_file_number_of_the_year_and_its_name_is_sealed(
    counsellor, youth, street, leader
) -> None:
    category = actions.create_category(leader, "§27 SGB VIII Hilfe zur Erziehung")
    first = open_case(counsellor, youth, name="Leon Krause", category=category)
    second = open_case(counsellor, street, pseudonym="Mo")

    year = today().year
    assert (first.reference, second.reference) == (f"F-{year}-0001", f"F-{year}-0002")
    assert first.name == "Leon Krause" and second.name == ""
    assert b"Krause" not in bytes(first.name_sealed)
    assert list(first.responsible.all()) == [counsellor]
    assert first.category == category
    opened = AuditEntry.objects.filter(action="case.opened")
    assert opened.count() == 2 and "Leon" not in str(list(opened.values_list("details")))
    page = queries.case_page(counsellor, first)
    assert (page.name, page.contact) == ("Leon Krause", "")


def test_only_counsellors_of_a_team_open_cases_in_it(youth, other_team, volunteer, leader):
    for person in (other_team, volunteer, leader):
        with pytest.raises(PermissionDenied):
            actions.open_case(person, youth, pseudonym="X")
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"pseudonym": ""}, "Please fill in: Pseudonym."),
        ({"pseudonym": "x" * 81}, "Pseudonym is too long"),
        ({"name": "n" * 201}, "Name is too long"),
        ({"contact": "c" * 1001}, "Contact is too long"),
        ({"opened_on": "tomorrow"}, "Opened on cannot be in the future."),
        ({"category": "inactive"}, "Please choose one of the offered categories."),
    ],
)
def test_bad_case_data_is_refused(counsellor, youth, leader, fields, message) -> None:
    values = {"pseudonym": "Leon", **fields}
    if values.get("opened_on") == "tomorrow":
        values["opened_on"] = today() + timedelta(days=1)
    if values.get("category") == "inactive":
        category = actions.create_category(leader, "Alt")
        actions.set_category_active(leader, category, False)
        values["category"] = category

    with pytest.raises(ValidationError) as refused:
        actions.open_case(counsellor, youth, **values)

    assert message in refused.value.messages[0]
    assert not Case.objects.exists()


def test_a_form_sent_twice_opens_one_case(counsellor, youth) -> None:
    first = actions.open_case(counsellor, youth, pseudonym="Leon", form_token="open-case-form-1")
    second = actions.open_case(counsellor, youth, pseudonym="Leon", form_token="open-case-form-1")

    assert first.pk == second.pk and Case.objects.count() == 1


def test_closing_needs_a_date_in_order(case, counsellor) -> None:
    for closed_on, message in (
        (case.opened_on - timedelta(days=1), "Closed on cannot be before the opening date"),
        (today() + timedelta(days=1), "Closed on cannot be in the future."),
    ):
        with pytest.raises(ValidationError) as refused:
            actions.update_case(counsellor, case, status=CaseStatus.CLOSED, closed_on=closed_on)
        assert message in refused.value.messages[0]
    assert _fresh(case).status == CaseStatus.OPEN

    changed = actions.update_case(counsellor, case, status=CaseStatus.CLOSED)

    closed = _fresh(case)
    assert changed == ["status", "closed_on"]
    assert (closed.status, closed.closed_on) == (CaseStatus.CLOSED, today())
    actions.update_case(counsellor, closed, status=CaseStatus.OPEN)
    assert _fresh(case).closed_on is None
    with pytest.raises(ValidationError):
        actions.update_case(counsellor, case, status="archived")


def test_the_database_refuses_a_closing_date_before_the_opening(case) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(
            status=CaseStatus.CLOSED, closed_on=case.opened_on - timedelta(days=1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)


def test_changes_are_audited_by_field_name_only(case, counsellor) -> None:
    changed = actions.update_case(
        counsellor, case, name="Leon Krause-Meyer", contact="", pseudonym="Leon K."
    )

    assert changed == ["name", "contact"]
    fresh = _fresh(case)
    assert (fresh.name, fresh.contact, fresh.contact_sealed) == ("Leon Krause-Meyer", "", None)
    audit = AuditEntry.objects.get(action="case.changed")
    assert audit.details["fields"] == "name,contact"
    assert "Meyer" not in str(audit.details)
    assert actions.update_case(counsellor, fresh, name="Leon Krause-Meyer") == []


def _conversation(slug: str) -> Conversation:
    new = conversation_actions.start_conversation(Team.objects.get(slug=slug))
    return Conversation.objects.select_related("team__facility").get(pk=new.conversation.pk)


def test_conversations_are_linked_by_who_may_read_both(case, counsellor, other_team) -> None:
    chat = _conversation("jugendberatung")
    foreign = _conversation("schuldnerberatung")

    assert actions.link_conversation(counsellor, case, chat)
    assert not actions.link_conversation(counsellor, case, chat)
    with pytest.raises(ValidationError, match="cannot be linked"):
        actions.link_conversation(counsellor, case, foreign)

    page = queries.case_page(counsellor, case)
    assert [(c.id, c.pseudonym, c.may_open) for c in page.conversations] == [
        (chat.pk, chat.pseudonym, True)
    ]
    assert queries.linked_cases(counsellor, chat) == [case]
    assert queries.linked_cases(other_team, chat) == []
    assert queries.linkable_cases(counsellor, chat) == []
    assert actions.unlink_conversation(counsellor, case, chat)
    assert queries.linkable_cases(counsellor, chat) == [case]
    assert not CaseConversationLink.objects.exists()
    actions_logged = AuditEntry.objects.filter(object_id=str(case.pk)).values_list(
        "action", flat=True
    )
    assert {"case.conversation_linked", "case.conversation_unlinked"} <= set(actions_logged)


def test_restricted_entries_leave_only_with_a_recorded_reason(case, counsellor) -> None:
    entry(counsellor, case, "Anvertraut.", confidentiality=Confidentiality.ENTRUSTED)

    plain = actions.record_disclosure(
        counsellor, case, kind=DisclosureKind.EXPORT, include_restricted=False
    )
    assert [e.text for e in queries.case_export(counsellor, case, plain).entries] == [
        "Erstgespräch: Leon möchte den Hauptschulabschluss schaffen."
    ]
    with pytest.raises(ValidationError, match="Reason"):
        actions.record_disclosure(
            counsellor, case, kind=DisclosureKind.EXPORT, include_restricted=True
        )

    full = actions.record_disclosure(
        counsellor,
        case,
        kind=DisclosureKind.EXPORT,
        include_restricted=True,
        reason="Gerichtliche Anordnung vom Familiengericht",
    )

    assert len(queries.case_export(counsellor, case, full).entries) == 2
    assert full.reason == "Gerichtliche Anordnung vom Familiengericht"
    logged = AuditEntry.objects.filter(action="case.disclosed").last()
    assert logged.details["includes_restricted"] is True
    assert "Familiengericht" not in str(logged.details)


def test_a_colleagues_export_never_carries_entries_withheld_from_them(
    case, counsellor, colleague
) -> None:
    entry(counsellor, case, "Anvertraut.", confidentiality=Confidentiality.ENTRUSTED)
    disclosure = actions.record_disclosure(
        colleague,
        case,
        kind=DisclosureKind.EXPORT,
        include_restricted=True,
        reason="Hilfeplangespräch beim Jugendamt",
    )

    exported = queries.case_export(colleague, case, disclosure)

    assert [e.withheld for e in exported.entries] == [False]
    with pytest.raises(PermissionDenied):
        queries.case_export(counsellor, case, disclosure)  # somebody else's disclosure


def test_shredding_the_case_key_makes_every_text_unreadable(case, counsellor) -> None:
    actions.correct_entry(
        counsellor, case.entries.get(), text="Erstgespräch, korrigiert.", reason="Tippfehler"
    )
    plan = actions.create_plan(counsellor, case, kind="help_plan", title="Hilfeplan Leon")
    actions.add_goal(counsellor, plan, wording="Schule")

    crypto.shred(case.data_key)

    fresh = access.access_case(counsellor, case.pk)
    page = queries.case_page(counsellor, fresh)
    assert page.shredded and page.name is None
    assert [e.text for e in page.entries] == [None]
    plan_page = queries.plan_page(counsellor, access.access_plan(counsellor, plan.pk))
    assert plan_page.title is None and [g.wording for g in plan_page.goals] == [None]
    history = queries.entry_history(counsellor, access.access_entry(counsellor, page.entries[0].id))
    assert [(v.text, v.reason) for v in history] == [(None, ""), (None, None)]
    with pytest.raises(crypto.ContentShredded):
        _ = fresh.name
    assert queries.search(counsellor, "Erstgespräch").hits == []
    with pytest.raises(ValidationError, match="has been erased"):
        actions.add_entry(counsellor, fresh, text="Neu", kind="note", occurred_on=today())


def test_categories_belong_to_the_organisation(leader, counsellor, outsider) -> None:
    category = actions.create_category(leader, "Schuldnerberatung")

    with pytest.raises(ValidationError, match="exists already"):
        actions.create_category(leader, "schuldnerberatung")
    with pytest.raises(PermissionDenied):
        actions.create_category(counsellor, "Eigene Kategorie")
    with pytest.raises(PermissionDenied):
        actions.set_category_active(outsider, category, False)
    assert CaseCategory.objects.count() == 1


def test_a_refused_part_of_a_change_leaves_the_whole_case_as_it_was(
    case, counsellor, outsider
) -> None:
    with pytest.raises(ValidationError):
        actions.update_case(
            counsellor, case, status=CaseStatus.PAUSED, responsible=[counsellor, outsider]
        )

    fresh = _fresh(case)
    assert fresh.status == CaseStatus.OPEN and list(fresh.responsible.all()) == [counsellor]
    assert not AuditEntry.objects.filter(action="case.changed").exists()
