"""The editorial calendar: month and week, filters, every state, without JavaScript."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hafen.publishing.actions import approval, delivering, posts
from hafen.publishing.tests.conftest import approved, browser, draft, submitted

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
CALENDAR = "/oeffentlichkeit/kalender/"


@pytest.fixture
def november(time_machine):
    time_machine.move_to(datetime(2026, 11, 2, 9, 0, tzinfo=BERLIN), tick=False)


def _at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=BERLIN)


def test_the_month_shows_planned_waiting_scheduled_published_and_failed(
    comms, leader, news, november, monkeypatch
):
    draft(comms, title="Geplant", planned_at=_at(10))
    submitted(comms, title="Wartend", planned_at=_at(11))
    approved(comms, leader, title="Terminiert", planned_at=_at(12))
    published = approved(comms, leader, title="Veröffentlicht")
    delivering.publish_due()
    from hafen.publishing import delivery as seam

    def broken(item):
        raise seam.DeliveryError("down", retryable=False)

    failed = approved(comms, leader, title="Gescheitert")
    monkeypatch.setattr(seam, "deliver", broken)
    delivering.publish_due()

    page = browser(comms).get(f"{CALENDAR}?date=2026-11-01").content.decode()

    for title, label in [
        ("Geplant", "Planned"),
        ("Wartend", "Waiting for approval"),
        ("Terminiert", "Scheduled"),
        ("Veröffentlicht", "Published"),
        ("Gescheitert", "Failed"),
    ]:
        assert title in page, title
        assert label in page, label
    assert "<table" in page and "<caption>" in page
    assert published.pk and failed.pk


def test_the_week_view_lists_only_that_week(comms, news, november):
    draft(comms, title="Diese Woche", planned_at=_at(4))
    draft(comms, title="Nächste Woche", planned_at=_at(10))
    page = browser(comms).get(f"{CALENDAR}?view=week&date=2026-11-03").content.decode()
    assert "Diese Woche" in page and "Nächste Woche" not in page
    assert "02.11.2026 \N{EN DASH} 08.11.2026" in page


def test_the_calendar_filters_by_channel_and_campaign(comms, news, by_hand, november):
    campaign = posts.create_campaign(comms, "Spendenaufruf")
    draft(comms, title="Nur Nachrichten", channels=[news], planned_at=_at(5))
    post = draft(comms, title="Von Hand", channels=[by_hand], planned_at=_at(6))
    posts.edit_post(
        comms,
        post,
        base_version_id=post.current_version_id,
        title=post.title,
        text=post.current_version.text,
        channels=[by_hand],
        planned_at=_at(6),
        campaign=campaign,
    )
    staff = browser(comms)
    by_channel = staff.get(f"{CALENDAR}?date=2026-11-01&channel={news.pk}").content.decode()
    assert "Nur Nachrichten" in by_channel and "Von Hand" not in by_channel
    by_campaign = staff.get(f"{CALENDAR}?date=2026-11-01&campaign={campaign.pk}").content.decode()
    assert "Von Hand" in by_campaign and "Nur Nachrichten" not in by_campaign


def test_nonsense_parameters_show_the_current_month(comms, news, november):
    response = browser(comms).get(f"{CALENDAR}?date=gestern&channel=abc&campaign=99999999999")
    assert response.status_code == 200


def test_the_calendar_shows_nothing_of_another_organisation(comms, news, outsider, november):
    draft(comms, title="Unser Geheimnis", planned_at=_at(5))
    page = browser(outsider).get(f"{CALENDAR}?date=2026-11-01").content.decode()
    assert "Unser Geheimnis" not in page


def test_volunteers_have_no_calendar(volunteer):
    assert browser(volunteer).get(CALENDAR).status_code == 403


def test_approval_uses_the_version_id_of_the_page(comms, leader, news):
    post = submitted(comms)
    with pytest.raises(approval.PublishingError):
        approval.approve(leader, post, version_id=None)
