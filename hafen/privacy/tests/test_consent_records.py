"""The DPO's view of who agreed to which version when, and the figures of the overview:
subjects by conversation or file number only, never content."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hafen.accounts.models import Team
from hafen.cases.tests.conftest import open_case
from hafen.conftest import login_client
from hafen.privacy.consent import actions
from hafen.privacy.consent.models import ConsentKind

RECORDS = "/datenschutz/einwilligungen/dokumentation/{number}/erteilt/"


@pytest.fixture
def youth(org) -> Team:
    return Team.objects.select_related("facility").get(slug="jugendberatung")


def _consent(counsellor, case, days_ago=0, **kwargs):
    return actions.record_consent(
        counsellor,
        "documentation",
        case,
        method=kwargs.pop("method", "written"),
        given_on=timezone.localdate() - timedelta(days=days_ago),
        **kwargs,
    )


def test_the_dpo_sees_per_version_who_agreed_when_and_the_withdrawals(org, counsellor, dpo, youth):
    leon = open_case(counsellor, youth, pseudonym="Leon K.", name="Leon Krause")
    mia = open_case(counsellor, youth, pseudonym="Mia S.", name="Mia Sommer")
    _consent(counsellor, leon, days_ago=4)
    _consent(counsellor, mia, days_ago=2, method="verbal")
    actions.withdraw_consent(counsellor, "documentation", mia, withdrawn_on=timezone.localdate())

    page = login_client(dpo).get(RECORDS.format(number=1)).content.decode()

    assert f"Fallakte {leon.reference}" in page and f"Fallakte {mia.reference}" in page
    assert page.index(mia.reference) < page.index(leon.reference)  # newest first
    assert "schriftlich" in page and "mündlich" in page
    assert "Jonas Weber" in page  # who recorded it
    assert timezone.localdate().strftime("%d.%m.%Y") in page  # the withdrawal's date
    assert "2 Einwilligungen, 1 davon widerrufen" in page
    for content in ("Leon", "Mia", "Krause", "Sommer"):
        assert content not in page  # no pseudonym, no name


def test_each_version_lists_only_its_own_agreements(org, counsellor, dpo, youth):
    leon = open_case(counsellor, youth, pseudonym="Leon K.")
    mia = open_case(counsellor, youth, pseudonym="Mia S.")
    _consent(counsellor, leon)
    actions.publish_version(dpo, "documentation", title="Neu", body_de="Zweite Fassung.")
    _consent(counsellor, mia)
    browser = login_client(dpo)

    first = browser.get(RECORDS.format(number=1)).content.decode()
    second = browser.get(RECORDS.format(number=2)).content.decode()

    assert leon.reference in first and mia.reference not in first
    assert mia.reference in second and leon.reference not in second


def test_the_overview_and_history_count_agreements_and_withdrawals(org, counsellor, dpo, youth):
    cases = [open_case(counsellor, youth, pseudonym=f"Person {n}") for n in range(3)]
    for case in cases:
        _consent(counsellor, case)
    actions.withdraw_consent(
        counsellor, "documentation", cases[0], withdrawn_on=timezone.localdate()
    )
    browser = login_client(dpo)

    overview = browser.get("/datenschutz/einwilligungen/").content.decode()
    row = overview[overview.index("Einwilligung zur Dokumentation") :]
    row = row[: row.index("</tr>")]
    assert "<td>3</td>" in row and "<td>1</td>" in row
    history = browser.get("/datenschutz/einwilligungen/dokumentation/").content.decode()
    assert "<td>3</td>" in history and "<td>1</td>" in history


def test_the_list_of_a_version_takes_the_same_queries_for_many_records(org, counsellor, dpo, youth):
    browser = login_client(dpo)

    def queries_for(count: int) -> int:
        for n in range(count):
            _consent(counsellor, open_case(counsellor, youth, pseudonym=f"P{count}-{n}"))
        with CaptureQueriesContext(connection) as captured:
            assert browser.get(RECORDS.format(number=1)).status_code == 200
        return len(captured)

    assert queries_for(2) == queries_for(20)


def test_the_list_is_paged(org, counsellor, dpo, youth):
    from hafen.privacy.consent import views

    cases = [open_case(counsellor, youth, pseudonym=f"P{n}") for n in range(3)]
    for case in cases:
        _consent(counsellor, case)
    views.PER_PAGE, old = 2, views.PER_PAGE
    try:
        browser = login_client(dpo)
        first = browser.get(RECORDS.format(number=1)).content.decode()
        second = browser.get(RECORDS.format(number=1) + "?seite=2").content.decode()
        junk = browser.get(RECORDS.format(number=1) + "?seite=abc")
    finally:
        views.PER_PAGE = old
    assert "Seite 1 von 2" in first and "Seite 2 von 2" in second
    assert junk.status_code == 200


def test_leadership_reads_the_figures_but_not_who_agreed(org, counsellor, leader, youth):
    _consent(counsellor, open_case(counsellor, youth))
    browser = login_client(leader)

    assert browser.get(RECORDS.format(number=1)).status_code == 404
    version = browser.get("/datenschutz/einwilligungen/dokumentation/1/").content.decode()
    assert "1 Einwilligung" in version and "Wer wann eingewilligt hat" not in version


def test_a_version_without_records_says_nobody_agreed_yet(org, dpo):
    page = login_client(dpo).get(RECORDS.format(number=1)).content.decode()
    assert "In diese Fassung hat noch niemand eingewilligt." in page


def test_the_photo_kind_lists_its_labels_for_the_dpo(org, comms, dpo):
    from hafen.privacy.consent.subjects import LabelSubject

    actions.record_consent(
        comms,
        ConsentKind.PHOTOS,
        LabelSubject(org.pk, "Sommerfest, Person links"),
        method="written",
        given_on=timezone.localdate(),
    )

    page = login_client(dpo).get("/datenschutz/einwilligungen/fotos/1/erteilt/").content.decode()
    assert "Sommerfest, Person links" in page
