"""Restricted processing (Art. 18 DSGVO, § 84 SGB X): the file stays, reading it needs a
stated purpose that is recorded, and nobody changes it until the restriction ends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from hafen.accounts.models import Team
from hafen.cases.models import CaseEntry
from hafen.cases.tests.conftest import entry, make_counsellor, open_case
from hafen.conftest import login_client as _login
from hafen.privacy.models import AuditEntry
from hafen.privacy.retention import actions
from hafen.privacy.retention.models import ProcessingRestriction, RestrictedRead

SECRET = "Leon erzählt vom Streit mit dem Vater"


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
def case(counsellor, dpo):
    youth = Team.objects.get(slug="jugendberatung")
    made = open_case(counsellor, youth, name="Leon Krause")
    entry(counsellor, made, SECRET)
    actions.restrict_processing(dpo, made, "Der Klient bestreitet die Richtigkeit (Art. 18).")
    return made


def _page(case) -> str:
    return reverse("cases:case", args=[case.pk])


def _reason_url(case) -> str:
    return reverse("privacy:restricted_read", args=[case.pk])


def test_the_team_is_asked_for_the_purpose_before_reading(case, counsellor):
    browser = login_client(counsellor)
    response = browser.get(_page(case))
    assert response.status_code == 302
    assert response["Location"] == f"{_reason_url(case)}?next=%2Ffaelle%2F{case.pk}%2F"
    form = browser.get(response["Location"])
    assert form.status_code == 200
    assert SECRET not in form.content.decode()
    assert "Der Klient bestreitet" in form.content.decode()  # the DPO's reason is shown


def test_a_stated_purpose_opens_the_file_for_an_hour_and_is_audited(case, counsellor):
    browser = login_client(counsellor)
    before = AuditEntry.objects.count()
    response = browser.post(
        _reason_url(case),
        {"reason": "Anfrage des Familiengerichts vom 2. Dezember", "next": _page(case)},
    )
    assert response.status_code == 302 and response["Location"] == _page(case)
    grant = RestrictedRead.objects.get(case=case, user=counsellor)
    assert timedelta(minutes=59) < grant.expires_at - timezone.now() <= timedelta(minutes=60)
    proof = AuditEntry.objects.filter(seq__gt=before, action="retention.restricted_read").get()
    assert proof.object_id == str(case.pk) and "Familiengericht" not in str(proof.details)
    page = browser.get(_page(case))
    assert page.status_code == 200 and SECRET in page.content.decode()


def test_nothing_can_be_changed_while_processing_is_restricted(case, counsellor):
    browser = login_client(counsellor)
    browser.post(_reason_url(case), {"reason": "Anfrage des Familiengerichts"})
    entries = CaseEntry.objects.filter(case=case).count()
    response = browser.post(
        reverse("cases:new_entry", args=[case.pk]),
        {"kind": "note", "occurred_on": "2026-12-01", "text": "Neu", "confidentiality": "normal"},
    )
    assert response.status_code == 403
    assert CaseEntry.objects.filter(case=case).count() == entries


def test_the_reading_ends_after_an_hour(case, counsellor, time_machine):
    browser = login_client(counsellor)
    browser.post(_reason_url(case), {"reason": "Anfrage des Familiengerichts"})
    time_machine.move_to(timezone.now() + timedelta(minutes=61))
    browser = login_client(counsellor)  # a new session: the old one idled out
    assert browser.get(_page(case)).status_code == 302


def test_a_short_purpose_is_refused_and_changes_nothing(case, counsellor):
    browser = login_client(counsellor)
    before = AuditEntry.objects.count()
    response = browser.post(_reason_url(case), {"reason": "  weil  "})
    assert response.status_code == 400
    assert "at least 10 characters" in response.content.decode()
    assert not RestrictedRead.objects.exists()
    assert AuditEntry.objects.count() == before


def test_who_may_not_see_the_case_learns_nothing(case, dpo, leader, outsider, org):
    other_team = make_counsellor("schuldnerberatung", "kai", "Kai Brandt")
    for person in (other_team, leader, dpo, outsider):
        browser = login_client(person)
        assert browser.get(_reason_url(case)).status_code == 404
        reason = {"reason": "Ich möchte das gerne lesen"}
        assert browser.post(_reason_url(case), reason).status_code == 404
    assert not RestrictedRead.objects.exists()


def test_search_skips_the_restricted_file_and_the_list_marks_it(case, counsellor):
    browser = login_client(counsellor)
    hits = browser.get(reverse("cases:search"), {"q": "Streit"})
    assert SECRET not in hits.content.decode()
    listing = browser.get(reverse("cases:list")).content.decode()
    assert case.reference in listing and "processing restricted" in listing


def test_after_the_restriction_ends_the_team_works_as_before(case, counsellor, dpo):
    restriction = ProcessingRestriction.objects.get(case=case)
    browser = login_client(dpo)
    response = browser.post(reverse("privacy:lift", args=["einschraenkung", restriction.pk]))
    assert response.status_code == 302
    page = login_client(counsellor).get(_page(case))
    assert page.status_code == 200 and SECRET in page.content.decode()
