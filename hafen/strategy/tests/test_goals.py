"""The goals in force against their figures, in the annual report: counts brought to the
goal's period, small numbers kept hidden, figures not computed yet said so."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hafen.accounts.models import Facility
from hafen.strategy import goals
from hafen.strategy.demo import create_demo_strategy
from hafen.strategy.figures import report
from hafen.strategy.figures.period import Period, Scope
from hafen.strategy.models import Goal

pytestmark = pytest.mark.django_db


def _goal(**values) -> Goal:
    return Goal(text="x", metric="posts_published", period="month", **values)


def test_direction_decides_whether_a_goal_is_reached():
    assert goals.reached(_goal(direction="at_least", target=Decimal(4)), 4.0) is True
    assert goals.reached(_goal(direction="at_least", target=Decimal(4)), 3.9) is False
    assert goals.reached(_goal(direction="at_most", target=Decimal(24)), 30.0) is False
    assert goals.reached(_goal(direction="at_most", target=Decimal(24)), None) is None


def test_the_annual_report_shows_each_goal_against_its_figure(org, leader):
    create_demo_strategy(org)
    made = report.build(Scope(org), 2026)
    _heading, (table,) = next(extra for extra in made.extra if extra[1][0].key == "strategy_goals")
    labels = [row.label for row in table.rows]
    assert "Wir berichten regelmäßig über unsere Angebote" in labels
    assert any("Jugendhaus Nord" in label for label in labels)  # the facility's addition
    # No data in an empty year: a count is 0 (not reached), a median not measurable.
    posts = table.cell("Wir berichten regelmäßig über unsere Angebote", "Measured")
    assert posts.value == 0
    first = table.cell("Wir antworten schnell auf die erste Nachricht", "Measured")
    assert first.value is None
    results = {result.goal.text: result for result in goals.results(Scope(org), Period.year(2026))}
    assert results["Wir berichten regelmäßig über unsere Angebote"].reached is False
    assert results["Wir antworten schnell auf die erste Nachricht"].reached is None


def test_counts_are_brought_to_the_goals_period_and_small_ones_stay_hidden():
    per = goals._count(24)
    assert per(1, 12).value == 2  # 24 a year are 2 a month
    assert per(3, 12).value == 6
    hidden = goals._count(3)(12, 12)
    assert hidden.value is None and hidden.text == "< 5"


def test_another_facilitys_report_leaves_out_a_facilitys_goals(org, leader):
    create_demo_strategy(org)
    other = Facility.objects.get(organisation=org, slug="beratungsstelle-mitte")
    found = goals.results(Scope(org, facility=other), Period.year(2026))
    assert all(result.goal.facility_id is None for result in found)
    assert len(found) == 3


def test_without_a_signed_strategy_the_report_has_no_goals_section(org):
    assert goals.report_section(Scope(org), Period.year(2026)) is None


def test_the_report_page_and_pdf_carry_the_goals(org, leader):
    from hafen.conftest import login_client

    create_demo_strategy(org)
    client = login_client(leader)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/zahlen/jahresbericht/?jahr=2026")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="strategy_goals"' in html and "Wir berichten regelmäßig" in html
    pdf = client.get("/zahlen/jahresbericht/?jahr=2026&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_every_declared_figure_is_measured():
    from hafen.strategy.metrics import METRICS

    assert set(goals.READERS) == set(METRICS)


def test_the_share_of_planned_posts_published_and_the_time_to_first_answer(
    org, comms, leader, time_machine
):
    from datetime import date, datetime, timedelta
    from zoneinfo import ZoneInfo

    from hafen.publishing.actions import delivering
    from hafen.publishing.tests.conftest import approved, draft, news_channel

    now = datetime(2026, 11, 10, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    time_machine.move_to(now, tick=True)
    news_channel(comms)
    soon = now + timedelta(minutes=5)
    approved(comms, leader, planned_at=soon)
    approved(comms, leader, planned_at=soon)
    draft(comms, planned_at=soon)  # planned, never approved
    delivering.publish_due(now=soon + timedelta(minutes=1))

    figures = goals._Figures(Scope(org), Period(date(2026, 11, 1), date(2026, 11, 1)))
    share = goals.READERS["posts_published_share"](figures)
    assert isinstance(share, goals.Measured)
    assert share.value == pytest.approx(200 / 3)
    p90 = goals.READERS["first_response_p90_hours"](figures)
    assert isinstance(p90, goals.Measured) and p90.value is None  # nothing answered yet


def test_the_figures_page_of_goals(org, leader):
    from hafen.conftest import login_client

    client = login_client(leader)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    empty = client.get("/zahlen/ziele/?von=2026-01&bis=2026-11")
    assert empty.status_code == 200
    assert "once leadership has signed the strategy" in empty.content.decode()

    create_demo_strategy(org)
    page = client.get("/zahlen/ziele/?von=2026-01&bis=2026-11").content.decode()
    assert 'id="strategy_goals"' in page
    assert "Wir berichten regelmäßig über unsere Angebote" in page
    csv = client.get("/zahlen/ziele/strategy_goals.csv?von=2026-01&bis=2026-11")
    assert csv.status_code == 200 and "Wir antworten schnell" in csv.content.decode("utf-8-sig")
