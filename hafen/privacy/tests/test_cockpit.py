"""The DPO's cockpit: the chain's state, retention runs, break-glass and restricted
readings; the audit log search; the access report of one case file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from hafen.accounts.models import Team
from hafen.cases import actions as case_actions
from hafen.cases.tests.conftest import entry, make_counsellor, open_case
from hafen.conftest import login_client as _login
from hafen.conversations import actions as conversation_actions
from hafen.privacy import audit
from hafen.privacy.models import AuditEntry
from hafen.privacy.requests import actions as request_actions
from hafen.privacy.retention import actions as retention_actions
from hafen.privacy.retention import engine
from hafen.privacy.tasks import verify_audit_chain

SECRET = "Leon erzählt vom Streit mit dem Vater"


def login_client(user):
    client = _login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def case(counsellor):
    youth = Team.objects.get(slug="jugendberatung")
    made = open_case(counsellor, youth, name="Leon Krause")
    entry(counsellor, made, SECRET)
    return made


def _cockpit(dpo) -> str:
    response = login_client(dpo).get(reverse("privacy:cockpit"))
    assert response.status_code == 200
    return response.content.decode()


def test_only_the_dpo_opens_the_cockpit(counsellor, leader, comms, admin_user, dpo):
    for person in (counsellor, leader, comms, admin_user):
        browser = login_client(person)
        assert browser.get(reverse("privacy:cockpit")).status_code == 403
        assert browser.get(reverse("privacy:audit_log")).status_code == 403
    assert login_client(dpo).get(reverse("privacy:cockpit")).status_code == 200


def test_the_cockpit_shows_the_last_verification_of_the_chain(dpo):
    assert "Not verified yet." in _cockpit(dpo)
    verify_audit_chain.call()
    page = _cockpit(dpo)
    assert "Intact at the last check" in page
    checked = AuditEntry.objects.filter(action="audit.verified").get().details["checked"]
    assert f"{checked} entries verified" in page


def test_a_tampered_chain_shows_as_broken(dpo, case):
    victim = AuditEntry.objects.filter(action="case.opened").get()
    with connection.cursor() as cursor:  # what an attacker with database access would do
        cursor.execute(
            "UPDATE privacy_auditentry SET actor_label = %s WHERE seq = %s", ["niemand", victim.seq]
        )
    assert verify_audit_chain.call() is False
    assert "BROKEN at the last check" in _cockpit(dpo)


def test_the_cockpit_lists_break_glass_restricted_reads_and_runs(dpo, counsellor, case):
    kai = make_counsellor("schuldnerberatung", "kai", "Kai Brandt")
    case_actions.break_glass_case(kai, case.reference, "Krise am Wochenende, Team nicht da")
    retention_actions.restrict_processing(dpo, case, "Richtigkeit wird bestritten")
    retention_actions.open_restricted(counsellor, case, "Anfrage des Familiengerichts")
    engine.apply_run()
    page = _cockpit(dpo)
    assert "Krise am Wochenende, Team nicht da" in page and "Kai Brandt" in page
    assert "Anfrage des Familiengerichts" in page and case.reference in page
    assert "schedule" in page  # the run, started by the schedule
    assert SECRET not in page and "Leon Krause" not in page


def _search(dpo, **query) -> tuple[int, str]:
    response = login_client(dpo).get(reverse("privacy:audit_log"), query)
    return response.status_code, response.content.decode()


def test_the_audit_search_finds_who_read_a_case_by_its_file_number(dpo, counsellor, case):
    other = open_case(counsellor, case.team, pseudonym="Mia")
    login_client(counsellor).get(reverse("cases:case", args=[case.pk]))
    status, page = _search(dpo, record_kind="case", record=case.reference.lower())
    assert status == 200
    assert "case.read" in page and "case.opened" in page
    found = AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).count()
    assert f"{found} entries" in page
    assert f"cases.case {other.pk}<" not in page
    assert SECRET not in page


def test_the_audit_search_narrows_by_person_action_and_day(dpo, counsellor, leader, case):
    today = timezone.localdate().isoformat()
    status, page = _search(dpo, actor=leader.pk, action="case", since=today, until=today)
    assert status == 200 and "No entry matches." in page
    status, page = _search(dpo, actor=counsellor.pk, action="case")
    mine = AuditEntry.objects.filter(actor_id=counsellor.pk, action__startswith="case").count()
    assert status == 200 and f"{mine} entries" in page and mine > 0


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"record_kind": "case", "record": "F-1999-9999"}, "no case file with this number"),
        ({"record_kind": "conversation", "record": "abc"}, "is a whole number"),
        ({"record_kind": "case"}, "give the number of the record"),
        ({"record": "F-2026-0001"}, "whether this is a file or a conversation"),
        ({"since": "2026-12-03", "until": "2026-12-01"}, "The end lies before the start."),
        ({"since": "gestern"}, "Enter a valid date."),
        ({"actor": "999999"}, "Select a valid choice."),
    ],
)
def test_a_bad_search_says_what_is_wrong(dpo, case, query, message):
    status, page = _search(dpo, **query)
    assert status == 400 and message in page


def test_the_search_never_shows_another_organisation(dpo, outsider):
    other_team = Team.objects.get(slug="suchtberatung")
    started = conversation_actions.start_conversation(other_team).conversation
    audit.record("test.foreign", target=started, organisation_id=outsider.organisation_id)
    status, page = _search(dpo, record_kind="conversation", record=str(started.pk))
    assert status == 400 and "no conversation with this number" in page
    status, page = _search(dpo)
    assert "test.foreign" not in page


def test_the_access_report_names_every_reader_and_the_emergency_accesses(dpo, counsellor, case):
    kai = make_counsellor("schuldnerberatung", "kai", "Kai Brandt")
    case_actions.break_glass_case(kai, case.reference, "Krise am Wochenende, Team nicht da")
    for _ in range(2):
        login_client(counsellor).get(reverse("cases:case", args=[case.pk]))
    login_client(kai).get(reverse("cases:case", args=[case.pk]))
    response = login_client(dpo).get(reverse("privacy:case_access", args=[case.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Krise am Wochenende, Team nicht da" in page
    rows = [line for line in page.splitlines() if "<tr><td>" in line and "</td><td>" in line]
    assert any(f">{counsellor.username}<" in row and "<td>2</td>" in row for row in rows)
    assert any(f">{kai.username}<" in row and "<td>1</td>" in row for row in rows)
    assert SECRET not in page


def test_the_access_report_of_another_organisation_is_not_found(dpo, outsider, case):
    outsider.memberships.create(organisation=outsider.organisation, role="dpo")
    response = login_client(outsider).get(reverse("privacy:case_access", args=[case.pk]))
    assert response.status_code == 404
    leader_view = login_client(dpo).get(reverse("privacy:case_access", args=[10**12]))
    assert leader_view.status_code == 404


def test_the_cockpit_shows_open_requests_most_urgent_first(dpo, case):
    late = request_actions.record_request(
        dpo,
        kind="erasure",
        file_number=case.reference,
        received_on=timezone.localdate() - timedelta(days=40),
        identity_check="Personalausweis vorgelegt",
    )
    fresh = request_actions.record_request(
        dpo,
        kind="access",
        file_number=case.reference,
        received_on=timezone.localdate(),
        identity_check="Personalausweis vorgelegt",
    )
    page = _cockpit(dpo)
    assert "1 overdue" in page
    assert page.index(f"Request no. {late.pk}<") < page.index(f"Request no. {fresh.pk}<")
