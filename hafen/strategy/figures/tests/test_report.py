"""The network's figures and the annual report (HTML and PDF) on hand-built data."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.utils import translation

from hafen.accounts.models import Team
from hafen.cases.tests.conftest import open_case
from hafen.conftest import login_client
from hafen.network import actions as network_actions
from hafen.network.models import ReferralOutcome
from hafen.strategy.figures import compute, report
from hafen.strategy.figures.period import Period, Scope
from hafen.strategy.figures.tests.conftest import at

YEAR = Period.year(2026)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def referrals(org, counsellor, youth):
    """Six referrals to the debt counselling (four accepted), two to the youth office."""
    debt = network_actions.create_partner(counsellor, name="Schuldnerberatung Nord")
    office = network_actions.create_partner(counsellor, name="Jugendamt Mitte")
    made = []
    with time_machine.travel(at("2026-10-20", "10:00"), tick=False):
        for number in range(8):
            case = open_case(counsellor, youth, pseudonym=f"K{number}", opened_on=date(2026, 9, 1))
            made.append(
                network_actions.refer(
                    counsellor,
                    case,
                    debt if number < 6 else office,
                    passed_on="Name und Telefonnummer",
                    referred_on=date(2026, 10, 20),
                    consent_method="verbal",
                    consent_given_on=date(2026, 10, 20),
                )
            )
        for referral in made[:4]:
            network_actions.set_outcome(
                counsellor,
                referral,
                outcome=ReferralOutcome.ACCEPTED,
                outcome_on=date(2026, 10, 20),
            )
    return made


def test_referrals_per_partner_with_small_numbers_hidden(org, referrals):
    table = compute.network(Scope(org), YEAR).referrals
    rows = {row.label: [cell.text for cell in row.cells] for row in table.rows}
    assert rows["Jugendamt Mitte"] == ["< 5", "0", "< 5"]
    # 8 in all, 2 hidden for the youth office: the debt counselling's 6 is hidden too.
    assert rows["Schuldnerberatung Nord"] == ["*", "< 5", "< 5"]
    assert rows["All partners"] == ["8", "< 5", "< 5"]


def test_the_annual_report_as_a_page_and_as_a_pdf(org, leader, answered, october, referrals):
    client = login_client(leader)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/zahlen/jahresbericht/?jahr=2026")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"Annual report 2026 · {org.name}" in html
    made = report.build(Scope(org), 2026)
    for table in (made.sections[1][1][0], made.sections[-1][1][0]):
        assert f'id="{table.key}"' in html
    new = next(item for item in made.highlights if item.label == "New conversations")
    assert new.text == "7"
    assert "Hallo" not in html and "Name und Telefonnummer" not in html

    document = client.get("/zahlen/jahresbericht/?jahr=2026&format=pdf")
    assert document.status_code == 200
    assert document["Content-Type"] == "application/pdf"
    assert document.content.startswith(b"%PDF")
    assert b"Name und Telefonnummer" not in document.content


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("jahr=1999", "Please choose a year from 2000 to this year"),
        ("jahr=2999", "Please choose a year from 2000 to this year"),
        ("jahr=zwanzig", "Please give a year"),
        ("jahr=2026&einrichtung=999999", "This facility is not one of your organisation"),
    ],
)
def test_a_bad_year_or_facility_gets_a_message(org, leader, query, message):
    client = login_client(leader)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get(f"/zahlen/jahresbericht/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_empty_year_makes_a_report_too(org, leader):
    client = login_client(leader)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.get("/zahlen/jahresbericht/?jahr=2001").status_code == 200
    document = client.get("/zahlen/jahresbericht/?jahr=2001&format=pdf")
    assert document.status_code == 200 and document.content.startswith(b"%PDF")


def test_a_facility_report_counts_only_its_teams(org, october):
    street = Team.objects.get(slug="streetwork")
    made = report.build(Scope(org, facility=street.facility), 2026)
    assert made.scope.facility == street.facility
    reach = made.sections[0][1][0]
    assert all(street.facility.name in row.label for row in reach.rows[:-1])
