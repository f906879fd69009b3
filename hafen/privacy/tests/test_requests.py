"""The DSB records a data-subject request by file number, sees its deadline, extends it
once and closes it; everybody else finds nothing, and bad input changes nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from hafen.accounts.models import Team
from hafen.cases import actions as case_actions
from hafen.conftest import login_client
from hafen.privacy.models import AuditEntry
from hafen.privacy.requests import actions, queries
from hafen.privacy.requests.models import SubjectRequest
from hafen.privacy.tests.requests_world import IDENTITY, NOTES, browser, full_case, record

NEW = "/datenschutz/anfragen/neu/"
LIST = "/datenschutz/anfragen/"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def case(counsellor):
    return full_case(counsellor)


@pytest.fixture
def dpo_browser(dpo):
    return browser(dpo)


def form(case, **changes):
    data = {
        "kind": "erasure",
        "file_number": case.reference,
        "received_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "identity_check": IDENTITY,
        "notes": NOTES,
        "form_token": "tok-" + "a" * 20,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# -- recording -----------------------------------------------------------------------------


def test_the_dpo_records_a_request_by_file_number_and_sees_its_deadline(case, dpo, dpo_browser):
    received = timezone.localdate() - timedelta(days=2)
    response = dpo_browser.post(
        NEW, form(case, file_number=case.reference.lower(), received_on=received.isoformat())
    )

    assert response.status_code == 302
    made = SubjectRequest.objects.get()
    assert response["Location"] == f"/datenschutz/anfragen/{made.pk}/"
    assert (made.kind, made.case_id, made.received_on) == ("erasure", case.pk, received)
    assert made.organisation_id == case.organisation_id and made.created_by == dpo
    page = dpo_browser.get(response["Location"]).content.decode()
    assert "The request is recorded." in page
    assert case.reference in page
    assert made.due_on.strftime("%m/%d/%Y") in page
    entry = AuditEntry.objects.get(action="subject_request.recorded")
    assert (entry.actor_id, entry.object_id, entry.details["kind"]) == (
        dpo.pk,
        str(made.pk),
        "erasure",
    )


def test_the_same_form_sent_twice_records_one_request(case, dpo_browser):
    first = dpo_browser.post(NEW, form(case))
    second = dpo_browser.post(NEW, form(case))
    assert first["Location"] == second["Location"]
    assert SubjectRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"file_number": "F-1999-9999"}, "There is no case file with the file number F-1999-9999"),
        ({"file_number": ""}, "This field is required."),
        ({"kind": "everything"}, "Select a valid choice."),
        ({"identity_check": ""}, "This field is required."),
        ({"received_on": None}, "This field is required."),
        ({"received_on": "gestern"}, "Enter a valid date."),
        ({"received_on": "2099-01-01"}, "Received on cannot be in the future."),
        ({"notes": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_bad_input_gets_a_clear_message_and_records_nothing(case, dpo_browser, changes, message):
    response = dpo_browser.post(NEW, form(case, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SubjectRequest.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="subject_request.").exists()


def test_a_case_of_another_organisation_is_not_found_by_its_file_number(
    case, dpo_browser, outsider
):
    addiction = Team.objects.get(slug="suchtberatung")
    case_actions.open_case(outsider, addiction, pseudonym="Jan")
    # F-…-0002: our organisation has no such number, the other one has.
    foreign = case_actions.open_case(outsider, addiction, pseudonym="Mia")
    response = dpo_browser.post(NEW, form(case, file_number=foreign.reference))
    assert response.status_code == 400
    assert "There is no case file with the file number" in response.content.decode()
    assert not SubjectRequest.objects.exists()


def test_the_dpo_gets_the_message_in_german(case, dpo):
    response = browser(dpo, "de").post(NEW, form(case, file_number="F-1999-9999"))
    assert response.status_code == 400
    assert "Ihrer Organisation" in response.content.decode()


@pytest.mark.parametrize("persona", ["counsellor", "leader", "admin_user", "comms", "outsider"])
def test_nobody_but_the_dpo_finds_the_request_pages(case, dpo, persona, request):
    made = record(dpo, case, "access")
    browser = login_client(request.getfixturevalue(persona))
    for url in (LIST, NEW, f"{LIST}{made.pk}/"):
        assert browser.get(url).status_code == 404, url
    assert browser.post(NEW, form(case)).status_code == 404
    assert (
        browser.post(f"{LIST}{made.pk}/abschliessen/", {"outcome": "withdrawn"}).status_code == 404
    )
    assert SubjectRequest.objects.get().is_open


def test_an_anonymous_visitor_is_sent_to_the_login(case):
    from django.test import Client

    assert Client().get(LIST)["Location"].startswith("/konto/anmelden/")


def test_recording_directly_checks_the_role_too(case, counsellor):
    with pytest.raises(PermissionDenied):
        actions.record_request(
            counsellor, kind="access", file_number=case.reference, received_on=timezone.localdate()
        )
    assert not SubjectRequest.objects.exists()


# -- the deadline --------------------------------------------------------------------------


@pytest.fixture
def on_24_november(time_machine):
    time_machine.move_to(
        datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")), tick=False
    )


def test_the_list_shows_open_requests_by_deadline_with_overdue_and_soon_marked(
    case, dpo, dpo_browser, on_24_november, outsider
):
    calm = record(dpo, case, "access", received_on=date(2026, 11, 20))  # due 20 Dec
    late = record(dpo, case, "erasure", received_on=date(2026, 10, 14))  # due 14 Nov
    soon = record(dpo, case, "restriction", received_on=date(2026, 10, 27))  # due 27 Nov
    done = record(dpo, case, "rectification", received_on=date(2026, 9, 1))
    actions.close_request(dpo, done, outcome="fulfilled")

    rows = queries.open_requests(case.organisation_id)
    assert [row.request.pk for row in rows] == [late.pk, soon.pk, calm.pk]
    assert [row.urgency for row in rows] == ["overdue", "soon", ""]
    assert [row.due_on for row in rows] == [
        date(2026, 11, 14),
        date(2026, 11, 27),
        date(2026, 12, 20),
    ]
    assert queries.open_requests(outsider.organisation_id) == []

    html = dpo_browser.get(LIST).content.decode()
    open_part, done_part = html.split("<h2>Done</h2>")
    assert open_part.index(f"Request no. {late.pk}") < open_part.index(f"Request no. {soon.pk}")
    assert open_part.index(f"Request no. {soon.pk}") < open_part.index(f"Request no. {calm.pk}")
    assert "overdue by 10 days" in open_part
    assert "due in 3 days" in open_part
    assert f"Request no. {done.pk}" in done_part and f"Request no. {done.pk}" not in open_part


def test_the_deadline_is_extended_once_with_its_reason(case, dpo, dpo_browser, on_24_november):
    made = record(dpo, case, "access", received_on=date(2026, 10, 31))
    assert made.due_on == date(2026, 11, 30)
    url = f"{LIST}{made.pk}/frist/"

    response = dpo_browser.post(
        url, {"months": "2", "reason": "Sehr umfangreiche Akte mit 400 Einträgen"}
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert (made.extension_months, made.due_on) == (2, date(2027, 1, 31))
    assert made.extension_reason == "Sehr umfangreiche Akte mit 400 Einträgen"

    again = dpo_browser.post(
        url, {"months": "1", "reason": "Noch mehr Zeit gebraucht"}, follow=True
    )
    assert "extended already" in again.content.decode()
    made.refresh_from_db()
    assert (made.extension_months, made.due_on) == (2, date(2027, 1, 31))
    extended = AuditEntry.objects.filter(action="subject_request.extended")
    assert [entry.details["months"] for entry in extended] == [2]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"months": "3", "reason": "Sehr umfangreiche Akte"}, "Select a valid choice."),
        ({"months": "-1", "reason": "Sehr umfangreiche Akte"}, "Select a valid choice."),
        ({"months": "1", "reason": ""}, "This field is required."),
    ],
)
def test_an_extension_beyond_three_months_or_without_reason_is_refused(
    case, dpo, dpo_browser, data, message
):
    made = record(dpo, case, "access")
    response = dpo_browser.post(f"{LIST}{made.pk}/frist/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    made.refresh_from_db()
    assert made.extension_months == 0


def test_the_deadline_cannot_be_extended_after_the_first_month(case, dpo, on_24_november):
    made = record(dpo, case, "access", received_on=date(2026, 10, 23))  # due 23 November
    with pytest.raises(ValidationError, match="within the first month"):
        actions.extend_deadline(dpo, made, months=1, reason="Sehr umfangreiche Akte")
    made.refresh_from_db()
    assert made.extension_months == 0


@pytest.mark.parametrize(
    ("months", "reason", "message"),
    [
        (3, "Sehr umfangreiche Akte", "three months in all at most"),
        (0, "Sehr umfangreiche Akte", "three months in all at most"),
        ("zwei", "Sehr umfangreiche Akte", "three months in all at most"),
        (1, "kurz", "at least 10 characters"),
    ],
)
def test_the_action_refuses_what_the_form_would_not_let_through(case, dpo, months, reason, message):
    made = record(dpo, case, "access")
    with pytest.raises(ValidationError, match=message):
        actions.extend_deadline(dpo, made, months=months, reason=reason)
    made.refresh_from_db()
    assert made.extension_months == 0


# -- closing -------------------------------------------------------------------------------


def test_a_request_is_closed_once_with_its_outcome(case, dpo, dpo_browser):
    made = record(dpo, case, "rectification")
    url = f"{LIST}{made.pk}/abschliessen/"
    response = dpo_browser.post(
        url, {"outcome": "fulfilled", "note": "Adresse berichtigt"}, follow=True
    )
    assert "The request is closed." in response.content.decode()
    made.refresh_from_db()
    assert (made.outcome, made.closed_by) == ("fulfilled", dpo)
    assert queries.open_requests(case.organisation_id) == []

    again = dpo_browser.post(url, {"outcome": "withdrawn"}, follow=True)
    assert "This request is closed already." in again.content.decode()
    made.refresh_from_db()
    assert made.outcome == "fulfilled"


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("access", {"outcome": "fulfilled"}, "not fulfilled yet"),
        ("erasure", {"outcome": "fulfilled"}, "not fulfilled yet"),
        ("access", {"outcome": "refused"}, "Please give the reasons"),
        ("access", {"outcome": "maybe"}, "Select a valid choice."),
    ],
)
def test_a_request_is_not_closed_as_fulfilled_before_its_step_nor_refused_without_reasons(
    case, dpo, dpo_browser, kind, data, message
):
    made = record(dpo, case, kind)
    response = dpo_browser.post(f"{LIST}{made.pk}/abschliessen/", data, follow=True)
    assert message in response.content.decode()
    made.refresh_from_db()
    assert made.is_open


def test_audit_entries_never_carry_the_requesters_words(case, dpo):
    made = record(dpo, case, "access")
    actions.extend_deadline(dpo, made, months=1, reason="Rückfrage beim Vormund nötig")
    actions.close_request(dpo, made, outcome="withdrawn", note="Mutter zieht zurück")
    entries = AuditEntry.objects.filter(action__startswith="subject_request.")
    assert entries.count() == 3
    written = " ".join(str(entry.details) + entry.object_id for entry in entries)
    for words in (IDENTITY, NOTES, "Rückfrage", "Mutter zieht", "L01X00T47"):
        assert words not in written


def test_the_list_needs_the_same_queries_for_three_requests_as_for_thirty(case, dpo, dpo_browser):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_of_the_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert dpo_browser.get(LIST).status_code == 200
        return len(captured)

    for _ in range(3):
        record(dpo, case, "access")
    few = queries_of_the_list()
    for _ in range(27):
        record(dpo, case, "erasure")
    assert queries_of_the_list() == few
