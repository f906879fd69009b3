"""Each figure on a hand-built data set with known answers (the world of ``conftest``,
plus handovers from Instagram and Facebook here), and the small-number rule on every page.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import time_machine

from hafen.accounts.models import Team
from hafen.bridge import actions as bridge_actions
from hafen.conftest import login_client
from hafen.conversations.models import Conversation
from hafen.strategy.figures import compute
from hafen.strategy.figures.period import Period, Scope
from hafen.strategy.figures.tests.conftest import (
    AUTUMN,
    NOTHING,
    SEPTEMBER,
    at,
    client_writes,
    new_conversation,
    team_answers,
)


def test_reachability_counts_when_clients_write_against_office_hours(org, october):
    figure = compute.reachability(Scope(org), AUTUMN)

    teams = figure.by_team
    youth_row = next(r for r in teams.rows if r.label.endswith("Jugendberatung")).cells
    assert [c.text for c in youth_row] == ["16", "10", "62 %"]
    street_row = next(r for r in teams.rows if r.label.endswith("Streetwork")).cells
    # Two messages, in office hours: the count and the share are hidden.
    assert [c.text for c in street_row] == ["< 5", "0", "< 5"]
    assert figure.messages == 18 and figure.outside == 10

    hours = figure.by_hour
    tuesday = hours.rows[1].cells
    assert tuesday[10].text == "6"
    assert tuesday[14].text == "< 5"  # Streetwork's two
    # With Tuesday's total (13) shown, the hidden 2 would be 13 - 6 - 5: the smaller
    # shown count (20 o'clock: 5) is hidden as well.
    assert tuesday[20].text == "*"
    assert tuesday[24].text == "13"
    assert hours.rows[5].cells[11].text == "5" and hours.rows[5].cells[24].text == "5"
    assert all(cell.text in ("0", NOTHING) for cell in hours.rows[0].cells)


def test_the_scope_of_one_team_counts_only_its_messages(org, october, street):
    figure = compute.reachability(Scope(org, team=street), AUTUMN)
    assert [row.label for row in figure.by_team.rows] == [str(street), "All teams"]
    assert figure.messages == 2
    assert figure.share_outside.text == "< 5"


def test_response_times_median_and_ninetieth_percentile(org, answered):
    figure = compute.responses(Scope(org), AUTUMN)

    september, october = figure.by_month.rows
    first_median, first_p90, each_median, _each_p90, answers = september.cells
    assert first_median.value == 3.0 and first_median.text == "3.0 h"
    assert first_p90.value == pytest.approx(4.6)
    # Each answer: 1, 2, 3, 4, 5 hours and 30 minutes → median 2.5 hours.
    assert each_median.value == 2.5
    assert answers.text == "6"
    assert [cell.text for cell in october.cells] == [NOTHING, NOTHING, NOTHING, NOTHING, "0"]
    assert figure.first_median.value == 3.0


def test_times_of_fewer_than_five_conversations_are_hidden(org, youth, counsellor):
    for day in ("01", "02"):
        conversation = new_conversation(youth, at(f"2026-09-{day}", "09:00"))
        client_writes(conversation, at(f"2026-09-{day}", "09:00"))
        team_answers(counsellor, conversation, at(f"2026-09-{day}", "10:00"))

    september = compute.responses(Scope(org), SEPTEMBER).by_month.rows[0]
    assert [cell.text for cell in september.cells] == ["< 5", "< 5", "< 5", "< 5", "< 5"]


def test_the_bridge_funnel_per_channel_of_origin(org, youth, counsellor):
    with time_machine.travel(at("2026-09-14", "10:00"), tick=False):
        made = [
            bridge_actions.create_handover(counsellor, team=youth, channel="instagram")
            for _ in range(6)
        ] + [
            bridge_actions.create_handover(counsellor, team=youth, channel="facebook")
            for _ in range(2)
        ]
    started = []
    with time_machine.travel(at("2026-09-14", "11:00"), tick=False):
        for handover in made[:6]:
            bridge_actions.record_opened(handover.handover)
        for handover in made[:5]:
            started.append(bridge_actions.use_handover(handover.token).conversation)
    for conversation in started:
        client_writes(conversation, at("2026-09-14", "11:05"))
        team_answers(counsellor, conversation, at("2026-09-14", "11:30"))
        client_writes(conversation, at("2026-09-14", "12:00"))

    table = compute.bridge_funnel(Scope(org), SEPTEMBER).table

    rows = {row.label: [cell.text for cell in row.cells] for row in table.rows}
    assert rows["Facebook"] == ["< 5", "0", "0", "0", "< 5"]
    # Made: 8 in all, 2 of them hidden for Facebook, so Instagram's 6 is hidden too.
    assert rows["Instagram"] == ["*", "6", "5", "5", "83 %"]
    assert rows["All channels"] == ["8", "6", "5", "5", "62 %"]


def test_volume_of_conversations_and_cases_per_month(org, youth, counsellor, answered, october):
    from hafen.cases import actions as case_actions

    for day in range(1, 6):
        case_actions.open_case(counsellor, youth, pseudonym=f"K{day}", opened_on=date(2026, 9, day))

    figure = compute.volume(Scope(org), AUTUMN)

    september, october_row = figure.by_month.rows
    assert [c.text for c in september.cells] == ["5", "5", "5", "0"]
    assert [c.text for c in october_row.cells] == ["< 5", "< 5", "0", "0"]
    origins = {row.label: [c.text for c in row.cells] for row in figure.by_origin.rows}
    assert origins["Client door"] == ["7", "100 %"]


def test_publishing_counts_drafts_with_findings_and_time_to_approval(org, comms, leader):
    from hafen.publishing.actions import approval
    from hafen.publishing.tests.conftest import draft, news_channel

    news_channel(comms)
    with time_machine.travel(at("2026-09-07", "09:00"), tick=False):
        risky = draft(comms, text="Leon Krause (15) aus der Nordstadt war heute hier.")
        draft(comms, text="Am Samstag feiern wir unser Sommerfest.")
        ok = draft(comms, text="Wir suchen Ehrenamtliche für das Sommerfest.")
    with time_machine.travel(at("2026-09-08", "09:00"), tick=False):
        approval.submit(comms, ok, version_id=ok.current_version_id)
        ok = approval.approve(leader, ok, version_id=ok.current_version_id)

    figure = compute.publishing(Scope(org), SEPTEMBER)

    [september] = figure.by_month.rows
    new_drafts, with_findings, to_approval = september.cells
    assert (new_drafts.text, with_findings.text) == ("3", "33 %")
    assert to_approval.text == "24.0 h"  # drafted on the 7th, approved on the 8th
    assert risky.versions.get().risk == "high"
    assert ok.state in ("approved", "published")


# --- the pages ------------------------------------------------------------------------------


def test_leadership_sees_the_figures_without_any_content(org, leader, october, answered):
    client = login_client(leader)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    pages = [
        client.get(f"/zahlen/{slug}/?von=2026-09&bis=2026-10")
        for slug in (
            "erreichbarkeit",
            "antwortzeiten",
            "bruecke",
            "umfang",
            "oeffentlichkeit",
            "netzwerk",
            "ziele",
        )
    ]
    assert [page.status_code for page in pages] == [200] * 7
    reach = pages[0].content.decode()
    share = compute.reachability(Scope(org), AUTUMN).share_outside.text
    assert f"<td>{share}</td>" in reach and "&lt; 5" in reach and "<svg" in reach
    pseudonyms = list(Conversation.objects.values_list("pseudonym", flat=True))
    for page in pages:
        text = page.content.decode()
        assert "Hallo" not in text and "Antwort" not in text
        assert not any(pseudonym in text for pseudonym in pseudonyms)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("von=2026-10&bis=2026-09", "The period starts after it ends"),
        ("von=2026-13", "Please give a month as year and month"),
        ("von=letzte+Woche", "Please give a month as year and month"),
        ("von=2020-01&bis=2026-10", "Please choose at most 36 months"),
        ("team=999999", "This team is not one of your organisation"),
        ("einrichtung=abc", "This facility is not one of your organisation"),
    ],
)
def test_a_bad_filter_gets_a_message_and_the_default_period(org, leader, query, message):
    client = login_client(leader)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get(f"/zahlen/umfang/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_another_organisations_team_is_refused(org, leader, outsider):
    foreign_team = Team.objects.filter(facility__organisation=outsider.organisation).first()
    assert foreign_team is not None
    client = login_client(leader)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get(f"/zahlen/umfang/?team={foreign_team.pk}")
    assert response.status_code == 400
    assert "This team is not one of your organisation" in response.content.decode()
    assert foreign_team.name not in response.content.decode().split("<main")[-1].split("option")[0]


def test_only_leadership_sees_figures(org, counsellor, comms):
    for user in (counsellor, comms):
        assert login_client(user).get("/zahlen/umfang/").status_code == 404


def test_the_csv_is_safe_to_open_in_a_spreadsheet(org, leader, youth, october):
    youth.name = '=HYPERLINK("http://evil.example")'
    youth.save()
    client = login_client(leader)
    response = client.get("/zahlen/erreichbarkeit/reachability_teams.csv?von=2026-10&bis=2026-10")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    labels = [row[0] for row in rows]
    assert not any(label.startswith(("=", "+", "-", "@")) for label in labels)
    youth_row = next(row for row in rows if "HYPERLINK" in row[0])
    assert youth_row[1:] == ["16", "10", "0,6250"]
    street_row = next(row for row in rows if row[0].endswith("Streetwork"))
    assert street_row[1:] == ["< 5", "0", "< 5"]


def test_an_unknown_figure_or_table_is_not_found(org, leader):
    client = login_client(leader)
    assert client.get("/zahlen/geheim/").status_code == 404
    assert client.get("/zahlen/umfang/nichts.csv").status_code == 404


def test_a_closed_month_is_counted_once_and_then_read(org, youth, october, time_machine):
    from hafen.strategy.figures import tally
    from hafen.strategy.figures.models import TeamMonth

    first = compute.volume(Scope(org), AUTUMN)
    assert TeamMonth.objects.filter(month__in=[date(2026, 9, 1), date(2026, 10, 1)]).exists()
    # A conversation dated into the closed October afterwards (only a test can) changes
    # nothing: the stored counts are read.
    new_conversation(youth, at("2026-10-07", "10:00"))
    again = compute.volume(Scope(org), AUTUMN)
    assert [c.text for c in again.by_month.rows[1].cells] == [
        c.text for c in first.by_month.rows[1].cells
    ]

    # An open month's kept counts serve for fifteen minutes; the worker recounts them.
    time_machine.move_to(at("2026-11-20", "10:00"), tick=True)
    november = Period(date(2026, 11, 1), date(2026, 11, 1))
    before = compute.volume(Scope(org), november).new_conversations
    for _ in range(5):
        new_conversation(youth, at("2026-11-20", "10:01"))
    assert compute.volume(Scope(org), november).new_conversations == before
    assert tally.refresh_open_months() == Team.objects.count()  # November: the one open month
    assert compute.volume(Scope(org), november).new_conversations == before + 5
    assert not TeamMonth.objects.get(team=youth, month=date(2026, 11, 1)).final
    # Without the worker, a page counts once the kept counts are older than that.
    for _ in range(5):
        new_conversation(youth, at("2026-11-20", "10:02"))
    time_machine.move_to(at("2026-11-20", "10:20"), tick=True)
    assert compute.volume(Scope(org), november).new_conversations == before + 10


def test_the_nightly_task_counts_the_months_just_closed(org, october, time_machine):
    from hafen.strategy.figures import tally
    from hafen.strategy.figures.models import TeamMonth

    time_machine.move_to(at("2026-11-15", "03:00"), tick=True)
    # The three months before November, closed two weeks after their end: August to October.
    assert tally.tally_closed_months() == Team.objects.count() * 3
    october_counts = TeamMonth.objects.get(team__slug="jugendberatung", month=date(2026, 10, 1))
    assert october_counts.data["messages"] == 16 and october_counts.data["outside"] == 10
    assert tally.tally_closed_months() == 0
