"""The figures in a real browser (Debian's chromium, Playwright): leadership opens them from
the navigation, chooses a period and a team, sees the chart and the hidden small numbers,
moves between the figures with the filter kept, downloads a CSV and opens the annual
report. The watcher fails the test on CSP violations, console errors, failed requests
and requests to other hosts."""

from __future__ import annotations

import pytest

from hafen.browser_fixtures import (
    in_a_thread,
    logged_in,
    path_of,
    require_chromium,
    screenshot,
)
from hafen.strategy.figures.tests.conftest import fill_october

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leadership_reads_the_figures_and_the_annual_report(
    browser, live_server, leader, youth, street
) -> None:
    in_a_thread(lambda: fill_october(youth, street))  # events leave outside Playwright's loop
    base = live_server.url
    watched = logged_in(browser, base, leader.username)
    page = watched.page

    with page.expect_navigation():
        page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
            "link", name="Zahlen"
        ).click()
    assert path_of(page) == "/zahlen/erreichbarkeit/"

    page.fill("input[name=von]", "2026-10")
    page.fill("input[name=bis]", "2026-10")
    with page.expect_navigation():
        page.get_by_role("button", name="Anzeigen").click()
    teams = page.locator("table#reachability_teams")
    youth = teams.locator("tr", has_text="Jugendberatung")
    assert youth.locator("td").all_inner_texts() == ["16", "10", "62 %"]
    street = teams.locator("tr", has_text="Streetwork")
    assert street.locator("td").first.inner_text() == "< 5"
    assert page.locator("svg.figure-chart title").first.text_content()
    screenshot(page, "figures-reachability.png", full_page=True)

    # The period goes along to the next figure.
    with page.expect_navigation():
        page.get_by_role("link", name="Umfang").click()
    assert "von=2026-10" in page.url
    october_row = page.locator("table#volume_months tr", has_text="Oktober 2026")
    assert october_row.locator("td").all_inner_texts()[:2] == ["< 5", "< 5"]

    with page.expect_download() as download:
        page.locator("a[href*='volume_months.csv']").click()
    assert download.value.suggested_filename == "hafen-volume_months-2026-10-2026-10.csv"

    with page.expect_navigation():
        page.get_by_role("link", name="Jahresbericht").click()
    page.fill("input[name=jahr]", "2026")
    with page.expect_navigation():
        page.get_by_role("button", name="Bericht erstellen").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Jahresbericht 2026")
    with page.expect_download() as report:
        page.get_by_role("link", name="Als PDF herunterladen").click()
    assert report.value.suggested_filename.endswith(".pdf")
    watched.assert_clean()
