"""Erasure on request (Art. 17 DSGVO): the case goes for good with a logged proof, or the law
keeps it, the reasons are recorded and processing can be restricted instead."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from hafen.cases import actions as case_actions
from hafen.cases.models import (
    Case,
    CaseAttachment,
    CaseConversationLink,
    CaseEntry,
    CaseEntryVersion,
    Disclosure,
    Goal,
    Measure,
    Plan,
    Review,
)
from hafen.conftest import login_client
from hafen.conversations.models import Conversation
from hafen.privacy.models import AuditEntry, DataKey
from hafen.privacy.requests import actions
from hafen.privacy.requests.models import SubjectRequest
from hafen.privacy.retention import actions as retention_actions
from hafen.privacy.retention.models import (
    CategoryStatute,
    DeletionCause,
    DeletionLog,
    ProcessingRestriction,
    RetentionKind,
    Statute,
)
from hafen.privacy.tests.requests_world import NOTES, browser, full_case, record, stored_files

LIST = "/datenschutz/anfragen/"
CONFIRM = {"confirm": "on"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def dpo_browser(dpo):
    return browser(dpo)


def erase_url(request: SubjectRequest) -> str:
    return f"{LIST}{request.pk}/loeschen/"


def rows_of(case: Case) -> dict[str, int]:
    """How many rows of every table of case documentation hang on ``case``."""
    return {
        "cases": Case.objects.filter(pk=case.pk).count(),
        "entries": CaseEntry.objects.filter(case_id=case.pk).count(),
        "versions": CaseEntryVersion.objects.filter(entry__case_id=case.pk).count(),
        "attachments": CaseAttachment.objects.filter(entry__case_id=case.pk).count(),
        "plans": Plan.objects.filter(case_id=case.pk).count(),
        "goals": Goal.objects.filter(plan__case_id=case.pk).count(),
        "measures": Measure.objects.filter(goal__plan__case_id=case.pk).count(),
        "reviews": Review.objects.filter(plan__case_id=case.pk).count(),
        "links": CaseConversationLink.objects.filter(case_id=case.pk).count(),
        "disclosures": Disclosure.objects.filter(case_id=case.pk).count(),
    }


def test_an_erased_case_is_gone_from_every_table_while_its_log_and_the_request_remain(
    counsellor, dpo, dpo_browser, settings, django_capture_on_commit_callbacks
):
    case = full_case(counsellor, closed_on=timezone.localdate() - timedelta(days=30))
    case_actions.record_disclosure(counsellor, case, kind="export", include_restricted=False)
    made = record(dpo, case, "erasure")
    before = rows_of(case)
    assert all(before.values()), before
    files = stored_files(settings)
    assert len(files) == 1  # the PDF of the first entry
    linked = CaseConversationLink.objects.get(case=case).conversation_id

    with django_capture_on_commit_callbacks(execute=True):
        response = dpo_browser.post(erase_url(made), CONFIRM, follow=True)

    assert "The case file is erased." in response.content.decode()
    assert rows_of(case) == dict.fromkeys(before, 0)
    assert stored_files(settings) == set()
    assert DataKey.objects.get(pk=case.data_key_id).is_shredded
    log = DeletionLog.objects.get()
    assert (log.kind, log.record_id, log.data_key_id) == (
        RetentionKind.CASE,
        str(case.pk),
        case.data_key_id,
    )
    assert (log.cause, log.request_id, log.organisation_id) == (
        DeletionCause.REQUEST,
        made.pk,
        case.organisation_id,
    )
    made.refresh_from_db()
    assert made.case_id is None and made.case_record_id == str(case.pk)
    assert made.erased_at is not None and made.notes == ""
    proof = AuditEntry.objects.get(action="subject_request.case_erased")
    assert (proof.actor_id, proof.object_type, proof.object_id) == (
        dpo.pk,
        "cases.case",
        str(case.pk),
    )
    assert proof.details == {"request": made.pk}
    # The conversation follows its own rule once the case is gone.
    assert Conversation.objects.filter(pk=linked).exists()
    page = dpo_browser.get(f"{LIST}{made.pk}/").content.decode()
    assert f"erased (no. {case.pk})" in page and NOTES not in page
    assert case.reference not in page


def test_erasing_twice_erases_once(counsellor, dpo, dpo_browser):
    case = full_case(counsellor, closed_on=timezone.localdate() - timedelta(days=30))
    made = record(dpo, case, "erasure")
    dpo_browser.post(erase_url(made), CONFIRM)
    second = dpo_browser.post(erase_url(made), CONFIRM, follow=True)
    assert "has been erased already" in second.content.decode()
    assert DeletionLog.objects.count() == 1
    assert AuditEntry.objects.filter(action="subject_request.case_erased").count() == 1


def test_an_erasure_needs_the_confirmation(counsellor, dpo, dpo_browser):
    case = full_case(counsellor)
    made = record(dpo, case, "erasure")
    response = dpo_browser.post(erase_url(made), {})
    assert response.status_code == 400
    assert "Please confirm the erasure." in response.content.decode()
    assert Case.objects.filter(pk=case.pk).exists() and not DeletionLog.objects.exists()


def test_a_request_of_another_kind_erases_nothing(counsellor, dpo, dpo_browser):
    case = full_case(counsellor)
    made = record(dpo, case, "access")
    response = dpo_browser.post(erase_url(made), CONFIRM, follow=True)
    assert "Only a request for erasure erases the case file." in response.content.decode()
    assert Case.objects.filter(pk=case.pk).exists() and not DeletionLog.objects.exists()


@pytest.mark.parametrize("persona", ["counsellor", "leader", "outsider"])
def test_nobody_but_the_dpo_can_erase(counsellor, dpo, persona, request):
    case = full_case(counsellor)
    made = record(dpo, case, "erasure")
    response = login_client(request.getfixturevalue(persona)).post(erase_url(made), CONFIRM)
    assert response.status_code == 404
    assert Case.objects.filter(pk=case.pk).exists() and not DeletionLog.objects.exists()


def test_an_erasure_blocked_by_9b_sgb_viii_is_refused_with_the_reason_recorded(
    counsellor, leader, dpo, dpo_browser
):
    category = case_actions.create_category(leader, "§ 27 SGB VIII Hilfe zur Erziehung")
    CategoryStatute.objects.create(category=category, statute=Statute.SGB_VIII_9B)
    case = full_case(
        counsellor, category=category, closed_on=timezone.localdate() - timedelta(days=30)
    )
    made = record(dpo, case, "erasure")

    response = dpo_browser.post(erase_url(made), CONFIRM, follow=True)

    page = response.content.decode()
    assert "must not be erased yet" in page
    assert "§ 9b SGB VIII" in page
    assert rows_of(case)["cases"] == 1 and rows_of(case)["entries"] == 3
    assert not DataKey.objects.get(pk=case.data_key_id).is_shredded
    assert not DeletionLog.objects.exists()
    made.refresh_from_db()
    assert "§ 9b SGB VIII" in made.exceptions
    assert "date of birth is not recorded" in made.exceptions
    assert made.notes == NOTES and made.is_open
    refused = AuditEntry.objects.get(action="subject_request.erasure_refused")
    assert refused.details["reasons"] == 2
    # The page offers to restrict processing instead.
    assert f"{LIST}{made.pk}/einschraenken/" in page

    restricted = dpo_browser.post(f"{LIST}{made.pk}/einschraenken/", follow=True)
    assert "Processing of the case file is restricted." in restricted.content.decode()
    restriction = ProcessingRestriction.objects.get(case=case)
    assert f"no. {made.pk}" in restriction.reason and restriction.restricted_by == dpo
    made.refresh_from_db()
    assert made.restriction == restriction

    again = dpo_browser.post(f"{LIST}{made.pk}/einschraenken/", follow=True)
    assert "restricted already" in again.content.decode()
    assert ProcessingRestriction.objects.filter(case=case).count() == 1

    made.refresh_from_db()
    actions.close_request(dpo, made, outcome="refused")
    made.refresh_from_db()
    assert made.outcome == "refused"  # the recorded exceptions are the reasons


def test_a_legal_hold_refuses_the_erasure_too(counsellor, dpo):
    case = full_case(counsellor, closed_on=timezone.localdate() - timedelta(days=30))
    retention_actions.place_hold(dpo, case, "Klage vor dem Sozialgericht anhängig")
    made = record(dpo, case, "erasure")
    result = actions.erase_for_request(dpo, made)
    assert not result.erased
    assert any("legal hold" in reason for reason in result.exceptions)
    assert Case.objects.filter(pk=case.pk).exists()


def test_a_request_for_restriction_restricts_with_the_request_as_reference(
    counsellor, dpo, dpo_browser
):
    case = full_case(counsellor)
    made = record(dpo, case, "restriction")
    response = dpo_browser.post(f"{LIST}{made.pk}/einschraenken/", follow=True)
    assert "Processing of the case file is restricted." in response.content.decode()
    restriction = ProcessingRestriction.objects.get(case=case)
    assert restriction.reason.startswith(f"Data-subject request no. {made.pk}")
    assert AuditEntry.objects.filter(action="retention.restricted").count() == 1
    assert AuditEntry.objects.get(action="subject_request.restricted").details["restriction"] == (
        restriction.pk
    )


def test_an_access_request_restricts_nothing(counsellor, dpo, dpo_browser):
    case = full_case(counsellor)
    made = record(dpo, case, "access")
    response = dpo_browser.post(f"{LIST}{made.pk}/einschraenken/", follow=True)
    assert "Processing is restricted for a request for restriction" in response.content.decode()
    assert not ProcessingRestriction.objects.exists()


def test_the_retention_engine_still_erases_through_the_moved_functions(counsellor, dpo):
    from hafen.cases.actions import erase_case
    from hafen.conversations.actions import erase_conversation
    from hafen.privacy.retention import erase

    assert erase.erase_case is erase_case
    assert erase.erase_conversation is erase_conversation
