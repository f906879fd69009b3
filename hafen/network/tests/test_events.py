"""Events with who goes, and the calendar feed: a per-person secret in the address (only
its hash stored, renewable), parsed by a standard iCalendar parser; malformed requests
answer 404 or 400, never 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hafen.network import actions
from hafen.network.models import Event, FeedToken
from hafen.network.tests.conftest import browse
from hafen.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


def _event(user, title: str = "Fachtag Digitale Soziale Arbeit", days: int = 10) -> Event:
    starts = timezone.now().replace(microsecond=0) + timedelta(days=days)
    return actions.create_event(
        user,
        title=title,
        kind="conference",
        starts_at=starts,
        ends_at=starts + timedelta(hours=8),
        place="Bürgerhaus Nord",
        link="https://example.org/fachtag",
        description="Vorträge und Workshops.",
    )


def _form(**fields) -> dict[str, str]:
    return {
        "title": "Barcamp Sozialraum",
        "kind": "barcamp",
        "starts_at": "2030-05-04T10:00",
        "ends_at": "2030-05-04T16:00",
        "place": "Jugendhaus Nord",
        "link": "https://example.org/barcamp",
        "description": "",
        **fields,
    }


def test_communications_staff_add_an_event(comms) -> None:
    browser = browse(comms)
    response = browser.post("/netzwerk/veranstaltungen/neu/", _form())
    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/netzwerk/veranstaltungen/{event.pk}/"
    assert event.title == "Barcamp Sozialraum"
    assert timezone.localtime(event.starts_at).hour == 10  # in the organisation's time zone
    assert b"Barcamp Sozialraum" in browser.get("/netzwerk/veranstaltungen/").content
    assert AuditEntry.objects.filter(action="network.event_created").count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ends_at": "2030-05-04T09:00"}, b"The event cannot end before it starts."),
        ({"link": "javascript:alert(1)"}, b"starting with https://"),
        ({"title": " "}, b"Please fill in: Title."),
        ({"starts_at": "morgen"}, b"Please give date and time"),
        ({"kind": "party"}, b"Select a valid choice."),
    ],
    ids=["ends-before-start", "script-link", "no-title", "no-date", "unknown-kind"],
)
def test_bad_event_input_changes_nothing(comms, fields, message) -> None:
    response = browse(comms).post("/netzwerk/veranstaltungen/neu/", _form(**fields))
    assert response.status_code == 400
    assert message in response.content
    assert not Event.objects.exists()


def test_staff_sign_up_and_withdraw(counsellor, volunteer, outsider) -> None:
    event = _event(counsellor)
    browser = browse(volunteer)  # volunteers go to events too
    url = f"/netzwerk/veranstaltungen/{event.pk}/teilnahme/"

    assert browser.post(url, {"teilnahme": "ja"}).status_code == 302
    assert browser.post(url, {"teilnahme": "ja"}).status_code == 302  # a second click
    assert list(event.attendees.all()) == [volunteer]
    page = browser.get(f"/netzwerk/veranstaltungen/{event.pk}/")
    assert b"Aylin Demir" in page.content and b"I am not going after all" in page.content

    assert browser.post(url, {"teilnahme": "vielleicht"}).status_code == 302
    assert list(event.attendees.all()) == [volunteer]
    browser.post(url, {"teilnahme": "nein"})
    assert not event.attendees.exists()
    assert list(
        AuditEntry.objects.filter(action__startswith="network.event_").values_list(
            "action", flat=True
        )
    ) == ["network.event_created", "network.event_signed_up", "network.event_withdrawn"]

    stranger = browse(outsider)
    assert stranger.get(f"/netzwerk/veranstaltungen/{event.pk}/").status_code == 404
    assert stranger.post(url, {"teilnahme": "ja"}).status_code == 404
    assert not event.attendees.exists()


def test_volunteers_may_not_add_or_change_events(counsellor, volunteer) -> None:
    event = _event(counsellor)
    browser = browse(volunteer)
    assert browser.post("/netzwerk/veranstaltungen/neu/", _form()).status_code == 404
    assert (
        browser.post(
            f"/netzwerk/veranstaltungen/{event.pk}/bearbeiten/", _form(title="Anders")
        ).status_code
        == 404
    )
    assert Event.objects.get().title == "Fachtag Digitale Soziale Arbeit"


# -- the feed ----------------------------------------------------------------------------


def _feed_url(browser) -> str:
    response = browser.post("/netzwerk/kalender/")
    url = response.context["new_url"]
    assert url.startswith("http://testserver/netzwerk/kalender/") and url.endswith(".ics")
    return url.removeprefix("http://testserver")


def test_only_the_hash_of_the_feed_secret_is_stored_and_renewing_ends_the_old(counsellor) -> None:
    browser = browse(counsellor)
    first = _feed_url(browser)
    token = first.rsplit("/", 1)[1].removesuffix(".ics")
    stored = FeedToken.objects.get(user=counsellor)
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    assert b"fingerprint" in browser.get("/netzwerk/kalender/").content  # not shown again

    second = _feed_url(browser)
    assert second != first
    assert browser.get(first).status_code == 404
    assert FeedToken.objects.count() == 1


@pytest.mark.parametrize(
    "token",
    ["falsch", "x" * 43, "A" * 500, "%00%00", "..%2F..%2Fetc%2Fpasswd", "ä" * 30],
    ids=["short", "unknown", "huge", "nul", "traversal", "umlauts"],
)
def test_a_wrong_secret_is_not_found(counsellor, client, token) -> None:
    _event(counsellor)
    response = client.get(f"/netzwerk/kalender/{token}.ics")
    assert response.status_code == 404


def test_malformed_feed_requests_get_a_clear_answer(counsellor, client) -> None:
    url = _feed_url(browse(counsellor))
    assert client.get(url, {"nur": "alles"}).status_code == 400
    assert b"?nur=meine" in client.get(url, {"nur": "alles"}).content
    assert client.get(url, {"von": "gestern"}).status_code == 400
    assert client.post(url).status_code == 405
    counsellor.is_active = False
    counsellor.save(update_fields=["is_active"])
    assert client.get(url).status_code == 404


def test_the_feed_parses_with_a_standard_parser(counsellor, volunteer, outsider, client) -> None:
    icalendar = pytest.importorskip("icalendar")
    going = _event(counsellor, "Fachtag Digitale Soziale Arbeit")
    _event(counsellor, "Barcamp Sozialraum", days=30)
    _event(outsider, "Fremde Tagung")  # another organisation's event
    actions.sign_up(volunteer, going)
    url = _feed_url(browse(volunteer))

    response = client.get(url)  # a calendar app: no login, no cookies

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(item["SUMMARY"]): item for item in calendar.walk("VEVENT")}
    assert set(events) == {"Fachtag Digitale Soziale Arbeit", "Barcamp Sozialraum"}
    first = events["Fachtag Digitale Soziale Arbeit"]
    assert first.decoded("DTSTART") == going.starts_at
    assert str(first["LOCATION"]) == "Bürgerhaus Nord"
    # A calendar app asks in no language: the feed speaks the installation's (German).
    assert "Sie sind angemeldet." in str(first["DESCRIPTION"])
    assert len({str(item["UID"]) for item in events.values()}) == 2

    mine = icalendar.Calendar.from_ical(client.get(url, {"nur": "meine"}).content)
    assert [str(item["SUMMARY"]) for item in mine.walk("VEVENT")] == [
        "Fachtag Digitale Soziale Arbeit"
    ]
