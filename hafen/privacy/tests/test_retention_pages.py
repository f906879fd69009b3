"""The DSB's retention pages: rules, the dry run and "delete now", holds, restrictions,
birth dates and statutory minimums, through the HTTP client; hostile input changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from hafen.accounts.models import Team
from hafen.cases.models import Case, CaseCategory, CaseStatus
from hafen.cases.tests.conftest import entry, open_case
from hafen.conftest import login_client as _login
from hafen.conversations import actions as conversation_actions
from hafen.conversations.models import Conversation
from hafen.privacy.models import AuditEntry
from hafen.privacy.retention.models import (
    CategoryStatute,
    DeletionLog,
    LegalHold,
    ProcessingRestriction,
    RetentionFacts,
    RetentionRule,
    RetentionRun,
    Statute,
)


def login_client(user, language: str = "en"):
    """Logged in, asking for pages in ``language`` (English: the source strings)."""
    client = _login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def youth(org) -> Team:
    return Team.objects.get(slug="jugendberatung")


def closed_case(counsellor, youth, *, years_ago: int, **fields) -> Case:
    closed = timezone.localdate() - timedelta(days=365 * years_ago + 3)
    case = open_case(counsellor, youth, opened_on=closed - timedelta(days=200), **fields)
    entry(counsellor, case, "Abschlussgespräch", occurred_on=closed - timedelta(days=1))
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_on=closed)
    return Case.objects.get(pk=case.pk)


def old_conversation(youth, days: int) -> Conversation:
    made = conversation_actions.start_conversation(youth).conversation
    conversation_actions.post_client_message(made.pk, "Hallo?", "aaaaaaaa-0001")
    then = timezone.now() - timedelta(days=days)
    Conversation.objects.filter(pk=made.pk).update(last_activity_at=then)
    return made


# -- rules -------------------------------------------------------------------------------


def test_the_dpo_sets_a_rule_and_it_is_in_force_and_audited(dpo):
    browser = login_client(dpo)
    page = browser.get(reverse("privacy:retention")).content.decode()
    assert "90 days" in page and "default" in page
    response = browser.post(
        reverse("privacy:retention_rule", args=["conversation"]),
        {"period_days": "30", "legal_basis": "Art. 17 DSGVO, Beschluss der Leitung"},
    )
    assert response.status_code == 302
    rule = RetentionRule.objects.get(organisation=dpo.organisation, kind="conversation")
    assert rule.period_days == 30 and rule.updated_by == dpo
    assert AuditEntry.objects.filter(action="retention.rule_set", object_id=str(rule.pk)).exists()
    assert "30 days" in browser.get(reverse("privacy:retention")).content.decode()


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ("dreißig", "whole number of days"),
        ("-5", "at least one day"),
        ("0", "at least one day"),
        ("99999999", "more than 200 years"),
        ("", "This field is required"),
    ],
)
def test_a_nonsense_period_is_refused_with_a_message(dpo, days, message):
    response = login_client(dpo).post(
        reverse("privacy:retention_rule", args=["case"]),
        {"period_days": days, "legal_basis": "§ 84 SGB X"},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RetentionRule.objects.exists()


def test_a_rule_shorter_than_a_statutory_minimum_is_refused(dpo, org):
    category = CaseCategory.objects.create(organisation=org, name="Suchtberatung")
    CategoryStatute.objects.create(category=category, statute=Statute.BGB_630F)
    response = login_client(dpo).post(
        reverse("privacy:retention_rule", args=["case"]),
        {"period_days": "365", "legal_basis": "Zweck erfüllt"},
    )
    assert response.status_code == 400
    assert "at least 10 years" in response.content.decode()
    assert not RetentionRule.objects.exists()


def test_the_german_page_speaks_german(dpo):
    response = login_client(dpo, "de").post(
        reverse("privacy:retention_rule", args=["case"]),
        {"period_days": "zehn", "legal_basis": "§ 84 SGB X"},
    )
    assert response.status_code == 400
    assert "ganze Zahl" in response.content.decode()


def test_staff_without_the_role_cannot_set_rules(counsellor, comms, admin_user):
    for person in (counsellor, comms, admin_user):
        browser = login_client(person)
        assert browser.get(reverse("privacy:retention")).status_code == 403
        response = browser.post(
            reverse("privacy:retention_rule", args=["conversation"]),
            {"period_days": "1", "legal_basis": "weg damit"},
        )
        assert response.status_code == 404
    assert not RetentionRule.objects.exists()


# -- the dry run and "delete now" -----------------------------------------------------------


def test_the_dry_run_lists_what_is_due_and_deletes_nothing(dpo, counsellor, youth):
    due = closed_case(counsellor, youth, years_ago=11)
    kept = closed_case(counsellor, youth, years_ago=2)
    chat = old_conversation(youth, days=100)
    page = login_client(dpo).get(reverse("privacy:retention_preview")).content.decode()
    assert due.reference in page and kept.reference not in page
    assert f"#{chat.pk}" in page
    assert Case.objects.filter(pk=due.pk).exists() and not DeletionLog.objects.exists()


def test_delete_now_needs_the_confirmation(dpo, counsellor, youth):
    due = closed_case(counsellor, youth, years_ago=11)
    response = login_client(dpo).post(reverse("privacy:retention_preview"), {})
    assert response.status_code == 400
    assert "Please confirm" in response.content.decode()
    assert Case.objects.filter(pk=due.pk).exists() and not RetentionRun.objects.exists()


def test_delete_now_deletes_what_was_listed_and_records_the_run(dpo, counsellor, youth):
    due = closed_case(counsellor, youth, years_ago=11)
    kept = closed_case(counsellor, youth, years_ago=2)
    browser = login_client(dpo)
    response = browser.post(reverse("privacy:retention_preview"), {"confirm": "on"}, follow=True)
    assert "1 records deleted" in response.content.decode()
    assert not Case.objects.filter(pk=due.pk).exists()
    assert Case.objects.filter(pk=kept.pk).exists()
    run = RetentionRun.objects.get()
    assert (run.started_by, run.deleted_cases, run.failed) == (dpo, 1, 0)
    assert DeletionLog.objects.get().record_id == str(due.pk)


# -- one case: holds, restrictions, birth date --------------------------------------------


def test_a_hold_placed_on_the_page_keeps_a_due_case(dpo, counsellor, youth):
    due = closed_case(counsellor, youth, years_ago=11)
    browser = login_client(dpo)
    found = browser.get(reverse("privacy:find_case"), {"reference": due.reference.lower()})
    assert found.status_code == 302 and found["Location"] == reverse("privacy:case", args=[due.pk])
    response = browser.post(
        reverse("privacy:case_change", args=[due.pk, "sperre"]),
        {"hold-reason": "Verfahren vor dem Sozialgericht anhängig"},
    )
    assert response.status_code == 302
    page = browser.get(reverse("privacy:case", args=[due.pk])).content.decode()
    assert "A legal hold (Löschsperre) is in place." in page
    browser.post(reverse("privacy:retention_preview"), {"confirm": "on"})
    assert Case.objects.filter(pk=due.pk).exists()


def test_lifting_a_hold_twice_changes_nothing_the_second_time(dpo, counsellor, youth):
    due = closed_case(counsellor, youth, years_ago=11)
    browser = login_client(dpo)
    browser.post(
        reverse("privacy:case_change", args=[due.pk, "sperre"]),
        {"hold-reason": "Verfahren vor dem Sozialgericht anhängig"},
    )
    hold = LegalHold.objects.get(case=due)
    url = reverse("privacy:lift", args=["sperre", hold.pk])
    first = browser.post(url, follow=True).content.decode()
    second = browser.post(url, follow=True).content.decode()
    assert "The legal hold is lifted." in first and "That had already ended." in second
    assert AuditEntry.objects.filter(action="retention.hold_lifted").count() == 1


def test_a_reason_that_is_too_short_places_nothing(dpo, counsellor, youth):
    due = closed_case(counsellor, youth, years_ago=11)
    browser = login_client(dpo)
    for what, field in (("sperre", "hold-reason"), ("einschraenkung", "restrict-reason")):
        response = browser.post(reverse("privacy:case_change", args=[due.pk, what]), {field: "x"})
        assert response.status_code == 400
        assert "at least 10 characters" in response.content.decode()
    assert not LegalHold.objects.exists() and not ProcessingRestriction.objects.exists()


def test_a_birth_date_in_the_future_is_refused(dpo, counsellor, youth):
    due = closed_case(counsellor, youth, years_ago=11)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = login_client(dpo).post(
        reverse("privacy:case_change", args=[due.pk, "geburtsdatum"]),
        {"birth-birth_date": tomorrow.isoformat()},
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    assert not RetentionFacts.objects.exists()


def test_a_file_of_youth_welfare_shows_why_it_is_kept(dpo, counsellor, youth, org):
    category = CaseCategory.objects.create(organisation=org, name="Hilfe zur Erziehung")
    browser = login_client(dpo)
    response = browser.post(
        reverse("privacy:retention_category", args=[category.pk]), {"statute": Statute.SGB_VIII_9B}
    )
    assert response.status_code == 302
    assert CategoryStatute.objects.get(category=category).statute == Statute.SGB_VIII_9B
    due = closed_case(counsellor, youth, years_ago=11, category=category)
    page = browser.get(reverse("privacy:case", args=[due.pk])).content.decode()
    assert "100th birthday" in page and "date of birth is not recorded" in page


def test_an_unknown_statute_is_refused(dpo, org):
    category = CaseCategory.objects.create(organisation=org, name="Hilfe zur Erziehung")
    response = login_client(dpo).post(
        reverse("privacy:retention_category", args=[category.pk]),
        {"statute": "gilt_nicht"},
        follow=True,
    )
    assert "Please choose a statute from the list." in response.content.decode()
    assert not CategoryStatute.objects.exists()


def test_files_of_another_organisation_are_not_found(dpo, outsider, counsellor, youth):
    due = closed_case(counsellor, youth, years_ago=11)
    hold_reason = {"hold-reason": "Verfahren vor dem Sozialgericht anhängig"}
    login_client(dpo).post(reverse("privacy:case_change", args=[due.pk, "sperre"]), hold_reason)
    hold = LegalHold.objects.get()
    # The outsider is staff of another organisation; give them its DPO role as well.
    outsider.memberships.create(organisation=outsider.organisation, role="dpo")
    browser = login_client(outsider)
    assert browser.get(reverse("privacy:case", args=[due.pk])).status_code == 404
    assert (
        browser.post(
            reverse("privacy:case_change", args=[due.pk, "sperre"]), hold_reason
        ).status_code
        == 404
    )
    assert browser.post(reverse("privacy:lift", args=["sperre", hold.pk])).status_code == 404
    found = browser.get(reverse("privacy:find_case"), {"reference": due.reference})
    assert found.status_code == 400 and "no case file with this number" in found.content.decode()
    assert LegalHold.objects.filter(lifted_at__isnull=True).count() == 1
