"""Access and portability (Art. 15, 20 DSGVO): the DSB downloads the case as a ZIP of JSON and
PDF, without entries entrusted to one person or from third parties; every export is a
recorded disclosure, and nobody exports without a request of the DSB's own organisation."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.utils import translation

from hafen.cases.models import Case, Disclosure
from hafen.cases.tests.test_pdf import pdf_text
from hafen.conftest import login_client
from hafen.privacy.consent import actions as consent_actions
from hafen.privacy.models import AuditEntry
from hafen.privacy.requests import actions
from hafen.privacy.retention import actions as retention_actions
from hafen.privacy.tests.requests_world import (
    CORRECTED,
    ENTRUSTED,
    FIRST,
    MESSAGE,
    PDF,
    THIRD_PARTY,
    browser,
    full_case,
    record,
    stored_files,
)

# Client messages are compared whole: the team must be in its office hours, or the
# door's automatic away reply (with emergency numbers) joins the conversation.
pytestmark = pytest.mark.usefixtures("during_office_hours")


LIST = "/datenschutz/anfragen/"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def case(counsellor) -> Case:
    return full_case(counsellor)


@pytest.fixture
def dpo_browser(dpo):
    return browser(dpo)


def export_url(request) -> str:
    return f"{LIST}{request.pk}/export/"


def unzip(response) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_dpo_downloads_the_case_as_json_and_pdf_without_restricted_entries(
    case, dpo, dpo_browser
):
    from datetime import date

    retention_actions.set_birth_date(dpo, case, date(2010, 5, 1))
    made = record(dpo, case, "access")

    response = dpo_browser.post(export_url(made))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    files = unzip(response)
    assert files["case.pdf"].startswith(b"%PDF")
    data = json.loads(files["case.json"])
    assert data["case"]["file_number"] == case.reference
    assert data["case"]["name"] == "Leon Krause"
    [entry] = data["entries"]
    assert [v["text"] for v in entry["versions"]] == [FIRST, CORRECTED]
    assert entry["versions"][1]["reason_for_correction"] == "Tippfehler beim Abschluss"
    [attachment] = entry["attachments"]
    assert attachment["name"] == "bescheid.pdf"
    assert files[attachment["file"]] == PDF
    assert {item["confidentiality"]: item["entries"] for item in data["left_out"]} == {
        "entrusted": 1,
        "third_party": 1,
    }
    assert all("§" in item["reason"] for item in data["left_out"])
    everything = b"".join(content for name, content in files.items() if name != "case.pdf")
    for secret in (ENTRUSTED, THIRD_PARTY):
        assert secret.encode() not in everything
    [plan] = data["plans"]
    assert plan["title"] == "Hilfeplan Leon"
    assert plan["goals"][0]["wording"] == "Leon schafft den Abschluss"
    assert plan["goals"][0]["measures"][0]["text"] == "Nachhilfe zweimal pro Woche"
    assert len(plan["reviews"]) == 1
    [conversation] = data["conversations"]
    assert [m["text"] for m in conversation["messages"]] == [MESSAGE]
    assert data["retention"]["date_of_birth"] == "2010-05-01"
    assert data["information"], "the Art. 15 information from the register"


def test_every_export_is_recorded_as_a_disclosure(case, dpo, dpo_browser):
    made = record(dpo, case, "portability")
    dpo_browser.post(export_url(made))
    dpo_browser.post(export_url(made))

    disclosures = Disclosure.objects.filter(case=case, kind="export")
    assert disclosures.count() == 2
    assert {d.by_id for d in disclosures} == {dpo.pk}
    assert f"no. {made.pk}" in disclosures.first().reason
    entries = AuditEntry.objects.filter(action="case.disclosed")
    assert [(e.actor_id, e.object_id, e.details["request"]) for e in entries] == [
        (dpo.pk, str(case.pk), made.pk)
    ] * 2
    made.refresh_from_db()
    assert made.exports == 2


def test_no_file_is_written_for_an_export(case, dpo, dpo_browser, settings, tmp_path):
    made = record(dpo, case, "access")
    before = stored_files(settings)
    temporary = set(tmp_path.rglob("*"))
    assert dpo_browser.post(export_url(made)).status_code == 200
    assert stored_files(settings) == before
    assert set(tmp_path.rglob("*")) == temporary


@pytest.mark.parametrize("persona", ["counsellor", "leader", "admin_user", "outsider"])
def test_nobody_but_the_dpo_exports_even_who_may_read_the_case(case, dpo, persona, request):
    made = record(dpo, case, "access")
    response = login_client(request.getfixturevalue(persona)).post(export_url(made))
    assert response.status_code == 404
    assert not Disclosure.objects.exists()
    assert not AuditEntry.objects.filter(action="case.disclosed").exists()


def test_the_dpo_of_another_organisation_finds_no_request(case, dpo, outsider):
    from hafen.accounts.models import Membership, Role

    Membership.objects.create(user=outsider, organisation=outsider.organisation, role=Role.DPO)
    made = record(dpo, case, "access")
    response = login_client(outsider).post(export_url(made))
    assert response.status_code == 404
    assert login_client(outsider).get(f"{LIST}{made.pk}/").status_code == 404
    assert not Disclosure.objects.exists()


def test_an_erasure_request_gets_no_export(case, dpo, dpo_browser):
    made = record(dpo, case, "erasure")
    response = dpo_browser.post(export_url(made), follow=True)
    assert "Only requests for access or data portability get an export." in (
        response.content.decode()
    )
    assert not Disclosure.objects.exists()


def test_a_closed_request_or_an_erased_case_exports_nothing(case, dpo, dpo_browser):
    made = record(dpo, case, "access")
    actions.close_request(dpo, made, outcome="withdrawn")
    response = dpo_browser.post(export_url(made), follow=True)
    assert "This request is closed already." in response.content.decode()

    other = record(dpo, case, "access")
    eraser = record(dpo, case, "erasure")
    assert actions.erase_for_request(dpo, eraser).erased
    response = dpo_browser.post(export_url(other), follow=True)
    assert "no longer exists" in response.content.decode()
    assert not Disclosure.objects.exists()


def test_the_bundle_holds_the_clients_consents_with_the_words_agreed_to(
    case, dpo, counsellor, dpo_browser
):
    consent_actions.record_consent(
        counsellor, "documentation", case, method="written", given_on=case.opened_on
    )
    consent_actions.withdraw_consent(counsellor, "documentation", case, withdrawn_on=case.opened_on)
    files = unzip(dpo_browser.post(export_url(record(dpo, case, "access"))))
    [consent] = json.loads(files["case.json"])["consents"]
    assert consent["kind"] == "documentation" and consent["version"] == 1
    assert consent["given_on"] == case.opened_on.isoformat() and consent["withdrawn_on"]
    assert consent["text"]
    assert "withdrawn on" in pdf_text(files["case.pdf"])
