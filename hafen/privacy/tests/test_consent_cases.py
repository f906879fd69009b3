"""Consent on a case file: counsellors record the client's consent to documentation and
to a referral against a version of the text, and its withdrawal; the case page shows
the state; nobody else can, and nothing is ever deleted.

Personas (``hafen.cases.tests.conftest``): Jonas (``counsellor``) of Jugendberatung
writes the case; Lena (``colleague``), his teammate, may too; Kai (``other_team``) of
Schuldnerberatung, the volunteer, the DPO, leadership and ``outsider`` may not.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from hafen.accounts.models import Team
from hafen.cases.models import CaseSettings
from hafen.cases.tests.conftest import make_counsellor, open_case
from hafen.conftest import login_client
from hafen.privacy.consent import actions, queries
from hafen.privacy.consent.models import ConsentKind, ConsentRecord, ConsentText
from hafen.privacy.consent.subjects import LabelSubject
from hafen.privacy.models import AuditEntry


@pytest.fixture
def youth(org) -> Team:
    return Team.objects.select_related("facility").get(slug="jugendberatung")


@pytest.fixture
def colleague(org):
    return make_counsellor("jugendberatung", "lena", "Lena Vogt")


@pytest.fixture
def other_team(org):
    return make_counsellor("schuldnerberatung", "kai", "Kai Brandt")


@pytest.fixture
def case(counsellor, youth):
    return open_case(counsellor, youth, pseudonym="Leon K.", name="Leon Krause")


def _urls(case, slug="dokumentation"):
    base = f"/datenschutz/einwilligungen/fall/{case.pk}/{slug}/"
    return base + "erfassen/", base + "widerrufen/"


def _page(browser, case) -> str:
    return browser.get(f"/faelle/{case.pk}/").content.decode()


def _publish(dpo, kind=ConsentKind.DOCUMENTATION, body="Zweite Fassung der Einwilligung."):
    return actions.publish_version(dpo, kind, title="Einwilligung", body_de=body)


def _today() -> str:
    return timezone.localdate().isoformat()


def _day(days_ago: int) -> str:
    return (timezone.localdate() - timedelta(days=days_ago)).isoformat()


def _german(day: str) -> str:
    year, month, date = day.split("-")
    return f"{date}.{month}.{year}"


# -- recording and withdrawing ------------------------------------------------------------


def test_without_a_record_the_case_page_says_none_is_recorded(org, counsellor, case):
    page = _page(login_client(counsellor), case)

    assert "Einwilligung zur Dokumentation: keine erfasst" in page
    assert "Einwilligung zur Vermittlung an eine Partnerorganisation: keine erfasst" in page


def test_a_counsellor_records_written_consent_against_the_current_version(
    org, counsellor, dpo, case
):
    actions.version_for_use(org.pk, ConsentKind.DOCUMENTATION)  # version 1: the default
    _publish(dpo)
    browser = login_client(counsellor)
    record_url, _ = _urls(case)

    response = browser.post(record_url, {"number": "2", "method": "written", "given_on": _today()})

    assert response.status_code == 302
    assert response["Location"] == f"/faelle/{case.pk}/#einwilligungen"
    record = ConsentRecord.objects.select_related("version").get(case=case)
    assert (record.version.number, record.method, record.recorded_by) == (2, "written", counsellor)
    page = _page(browser, case)
    assert (
        f"Einwilligung zur Dokumentation: erteilt am {_german(_today())}, Fassung 2, schriftlich"
        in page
    )
    entry = AuditEntry.objects.get(action="consent.recorded")
    assert entry.actor_id == counsellor.pk and entry.object_id == str(record.pk)
    assert entry.details == {
        "kind": "documentation",
        "number": 2,
        "method": "written",
        "case": case.pk,
    }


def test_the_case_form_offers_the_versions_with_the_one_in_force_first(org, counsellor, dpo, case):
    actions.version_for_use(org.pk, ConsentKind.DOCUMENTATION)
    _publish(dpo)
    page = _page(login_client(counsellor), case)

    assert page.index('value="2" selected') < page.index('value="1"')
    assert "Fassung 2 vom" in page and "gültig" in page


def test_verbal_consent_to_a_referral_against_hafens_default_stores_it_as_version_1(
    org, colleague, case
):
    record_url, _ = _urls(case, "vermittlung")

    response = login_client(colleague).post(
        record_url, {"number": "1", "method": "verbal", "given_on": _today()}
    )

    assert response.status_code == 302
    record = ConsentRecord.objects.select_related("version").get(case=case)
    assert record.version.kind == ConsentKind.REFERRAL and record.version.is_default
    assert "Vermittlung an eine Partnerorganisation: erteilt am" in _page(
        login_client(colleague), case
    )
    assert "mündlich" in _page(login_client(colleague), case)


def test_a_withdrawal_keeps_the_record_and_the_page_says_withdrawn(org, counsellor, case):
    browser = login_client(counsellor)
    record_url, withdraw_url = _urls(case)
    browser.post(record_url, {"number": "1", "method": "written", "given_on": _day(10)})

    response = browser.post(withdraw_url, {"withdrawn_on": _day(2)})

    assert response.status_code == 302
    record = ConsentRecord.objects.get(case=case)  # still there
    assert record.withdrawn_on == timezone.localdate() - timedelta(days=2)
    assert record.withdrawal_recorded_by == counsellor and record.recorded_by == counsellor
    assert queries.current_consent(ConsentKind.DOCUMENTATION, case) is None
    page = _page(browser, case)
    assert f"Einwilligung zur Dokumentation: widerrufen am {_german(_day(2))}" in page
    entry = AuditEntry.objects.get(action="consent.withdrawn")
    assert entry.actor_id == counsellor.pk and entry.details["case"] == case.pk


def test_a_withdrawal_twice_says_so_and_changes_nothing(org, counsellor, case):
    browser = login_client(counsellor)
    record_url, withdraw_url = _urls(case)
    browser.post(record_url, {"number": "1", "method": "written", "given_on": _day(10)})
    browser.post(withdraw_url, {"withdrawn_on": _day(2)})

    again = browser.post(withdraw_url, {"withdrawn_on": _today()})

    assert again.status_code == 400
    assert "Es gibt keine bestehende Einwilligung zum Widerrufen" in again.content.decode()
    assert ConsentRecord.objects.get(case=case).withdrawn_on == (
        timezone.localdate() - timedelta(days=2)
    )
    assert AuditEntry.objects.filter(action="consent.withdrawn").count() == 1


def test_after_a_withdrawal_the_client_may_agree_again(org, counsellor, case):
    with translation.override("en"):
        actions.record_consent(
            counsellor, "documentation", case, method="written", given_on=timezone.localdate()
        )
        actions.withdraw_consent(
            counsellor, "documentation", case, withdrawn_on=timezone.localdate()
        )
        again = actions.record_consent(
            counsellor, "documentation", case, method="verbal", given_on=timezone.localdate()
        )

    assert ConsentRecord.objects.filter(case=case).count() == 2
    assert queries.current_consent(ConsentKind.DOCUMENTATION, case) == again
    assert queries.consent_state(ConsentKind.DOCUMENTATION, case).state == "given"


def test_the_same_consent_twice_is_recorded_once(org, counsellor, case):
    browser = login_client(counsellor)
    record_url, _ = _urls(case)
    data = {"number": "1", "method": "written", "given_on": _today()}
    browser.post(record_url, data)

    again = browser.post(record_url, data)

    assert again.status_code == 400
    assert "Diese Einwilligung (Fassung 1) ist bereits erfasst." in again.content.decode()
    assert ConsentRecord.objects.filter(case=case).count() == 1


# -- hostile input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"number": "7"}, "Diese Fassung des Textes gibt es nicht."),
        ({"number": "abc"}, "Diese Fassung des Textes gibt es nicht."),
        ({"number": "-1"}, "Diese Fassung des Textes gibt es nicht."),
        ({"method": "door"}, "Bitte geben Sie an, wie die Einwilligung erteilt wurde."),
        ({"method": ""}, "Bitte geben Sie an, wie die Einwilligung erteilt wurde."),
        ({"given_on": "2999-01-01"}, "Das Datum darf nicht in der Zukunft liegen."),
        ({"given_on": "gestern"}, "Bitte ein gültiges Datum eingeben."),
        ({"given_on": "9" * 5000}, "Bitte ein gültiges Datum eingeben."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_records_nothing(
    org, counsellor, case, data, message
):
    record_url, _ = _urls(case)
    valid = {"number": "1", "method": "written", "given_on": _today()}

    response = login_client(counsellor).post(record_url, {**valid, **data})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ConsentRecord.objects.exists()


def test_a_consent_dated_before_its_version_was_published_is_refused(org, counsellor, dpo, case):
    version = _publish(dpo)
    record_url, _ = _urls(case)

    response = login_client(counsellor).post(
        record_url, {"number": str(version.number), "method": "written", "given_on": _day(1)}
    )

    assert response.status_code == 400
    assert "davor konnte niemand in sie einwilligen" in response.content.decode()
    assert not ConsentRecord.objects.exists()


def test_a_withdrawal_dated_before_the_consent_or_in_the_future_is_refused(org, counsellor, case):
    browser = login_client(counsellor)
    record_url, withdraw_url = _urls(case)
    browser.post(record_url, {"number": "1", "method": "written", "given_on": _day(5)})

    early = browser.post(withdraw_url, {"withdrawn_on": _day(6)})
    future = browser.post(withdraw_url, {"withdrawn_on": "2999-12-31"})

    assert early.status_code == future.status_code == 400
    assert "sie kann nicht vorher widerrufen worden sein" in early.content.decode()
    assert "Das Datum darf nicht in der Zukunft liegen." in future.content.decode()
    assert ConsentRecord.objects.get(case=case).withdrawn_on is None


def test_a_consent_dated_before_the_last_withdrawal_is_refused(org, counsellor, case):
    browser = login_client(counsellor)
    record_url, withdraw_url = _urls(case)
    browser.post(record_url, {"number": "1", "method": "written", "given_on": _day(10)})
    browser.post(withdraw_url, {"withdrawn_on": _day(5)})

    response = browser.post(record_url, {"number": "1", "method": "verbal", "given_on": _day(7)})

    assert response.status_code == 400
    assert "ebenfalls widerrufen" in response.content.decode()
    assert ConsentRecord.objects.filter(case=case).count() == 1


def test_withdrawing_without_a_consent_says_so(org, counsellor, case):
    _, withdraw_url = _urls(case)

    response = login_client(counsellor).post(withdraw_url, {"withdrawn_on": _today()})

    assert response.status_code == 400
    assert "Es gibt keine bestehende Einwilligung zum Widerrufen" in response.content.decode()


def test_kinds_that_are_not_recorded_on_case_files_are_not_found(org, counsellor, case):
    browser = login_client(counsellor)
    for slug in ("datenschutzhinweis", "fotos", "kekse"):
        record_url, withdraw_url = _urls(case, slug)
        data = {"number": "1", "method": "written", "given_on": _today()}
        assert browser.post(record_url, data).status_code == 404
        assert browser.post(withdraw_url, {"withdrawn_on": _today()}).status_code == 404
    assert not ConsentRecord.objects.exists()


# -- who may -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["other_team", "dpo", "leader", "comms", "admin_user", "volunteer", "outsider"]
)
def test_who_may_not_see_the_case_gets_404_and_changes_nothing(org, case, persona, request):
    browser = login_client(request.getfixturevalue(persona))
    record_url, withdraw_url = _urls(case)

    for url in (record_url, withdraw_url):
        assert browser.get(url).status_code == 404
    response = browser.post(record_url, {"number": "1", "method": "written", "given_on": _today()})
    assert response.status_code == 404
    assert browser.post(withdraw_url, {"withdrawn_on": _today()}).status_code == 404
    assert not ConsentRecord.objects.exists()


def test_a_volunteer_who_reads_the_case_sees_the_state_but_records_nothing(
    org, counsellor, volunteer, youth
):
    street = Team.objects.get(slug="streetwork")
    case = open_case(counsellor, street, pseudonym="Mia")
    CaseSettings.objects.update_or_create(organisation=org, defaults={"volunteers_see_cases": True})
    browser = login_client(volunteer)
    record_url, _ = _urls(case)

    page = _page(browser, case)
    assert "Einwilligung zur Dokumentation: keine erfasst" in page
    assert record_url not in page
    response = browser.post(record_url, {"number": "1", "method": "written", "given_on": _today()})
    assert response.status_code == 403
    assert not ConsentRecord.objects.exists()


def test_the_action_refuses_who_may_not_write_the_case(org, case, other_team, dpo):
    for person in (other_team, dpo):
        with pytest.raises(PermissionDenied):
            actions.record_consent(
                person, "documentation", case, method="written", given_on=timezone.localdate()
            )
    assert not ConsentRecord.objects.exists()


def test_a_case_of_another_organisation_cannot_take_this_organisations_version(
    org, counsellor, case, outsider
):
    """Versions are looked up in the case's own organisation: a number names no other."""
    from hafen.accounts.models import Membership, Role

    Membership.objects.create(user=outsider, organisation=outsider.organisation, role=Role.DPO)
    foreign = _publish(outsider)
    _publish(outsider, body="Noch eine.")
    with translation.override("en"), pytest.raises(ValidationError):
        actions.record_consent(
            counsellor,
            "documentation",
            case,
            method="written",
            given_on=timezone.localdate(),
            number=2,
        )
    record = actions.record_consent(
        counsellor, "documentation", case, method="written", given_on=timezone.localdate()
    )
    assert record.version.organisation_id == org.pk and record.version != foreign


# -- the API other parts call ------------------------------------------------------------


def test_photo_consents_are_recorded_for_a_label_by_communications(org, comms, counsellor):
    subject = LabelSubject(org.pk, "  Sommerfest 2026,   Person links ")

    record = actions.record_consent(
        comms, "photos", subject, method="written", given_on=timezone.localdate()
    )

    assert record.subject_label == "Sommerfest 2026, Person links"
    assert queries.current_consent(ConsentKind.PHOTOS, subject) == record
    entry = AuditEntry.objects.get(action="consent.recorded")
    assert "Sommerfest" not in str(entry.details)  # a label may name a person
    with pytest.raises(PermissionDenied):
        actions.record_consent(
            counsellor, "photos", subject, method="written", given_on=timezone.localdate()
        )
    actions.withdraw_consent(comms, "photos", subject, withdrawn_on=timezone.localdate())
    assert queries.current_consent(ConsentKind.PHOTOS, subject) is None
    assert ConsentRecord.objects.filter(subject_label=record.subject_label).count() == 1


def test_kinds_and_subjects_that_do_not_belong_together_are_refused(org, counsellor, comms, case):
    with translation.override("en"):
        with pytest.raises(ValidationError):
            actions.record_consent(
                counsellor, "photos", case, method="written", given_on=timezone.localdate()
            )
        with pytest.raises(ValidationError):
            actions.record_consent(
                comms,
                "documentation",
                LabelSubject(org.pk, "Person"),
                method="written",
                given_on=timezone.localdate(),
            )
        with pytest.raises(ValidationError):
            actions.record_consent(
                comms,
                "photos",
                LabelSubject(org.pk, "   "),
                method="written",
                given_on=timezone.localdate(),
            )
    assert not ConsentRecord.objects.exists()


def test_erasing_a_case_takes_its_consent_records_but_not_the_texts(org, counsellor, case):
    from hafen.privacy.retention.erase import erase_case

    actions.record_consent(
        counsellor, "documentation", case, method="written", given_on=timezone.localdate()
    )
    erase_case(case)

    assert not ConsentRecord.objects.exists()
    assert ConsentText.objects.count() == 1


def test_a_record_is_never_deleted_by_hand(org, counsellor, case):
    actions.record_consent(
        counsellor, "documentation", case, method="written", given_on=timezone.localdate()
    )
    record = ConsentRecord.objects.get(case=case)

    with pytest.raises(TypeError):
        record.delete()
    with pytest.raises(TypeError):
        ConsentRecord.objects.filter(case=case).delete()
    with pytest.raises(TypeError):
        record.version.delete()
    assert ConsentRecord.objects.filter(case=case).count() == 1


def test_the_database_holds_one_standing_record_per_version_and_subject(org, counsellor, case):
    from django.db import IntegrityError, transaction

    record = actions.record_consent(
        counsellor, "documentation", case, method="written", given_on=timezone.localdate()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentRecord.objects.create(
            version=record.version,
            case=case,
            method="verbal",
            given_on=timezone.localdate(),
            recorded_at=timezone.now(),
        )
    assert ConsentRecord.objects.filter(case=case).count() == 1
