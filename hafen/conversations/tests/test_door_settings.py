"""Leadership and administrators set up their teams' client doors; nobody else can."""

from __future__ import annotations

import re
from typing import Any

import pytest
import segno
from django.conf import settings
from django.test import Client

from hafen.conftest import login_client
from hafen.conversations import door_settings, hours
from hafen.conversations.models import DoorSettings
from hafen.privacy.models import AuditEntry

EDIT = "/anlaufstellen/jugendberatung/"


def _form_data(**changes: str) -> dict[str, str]:
    """What the page sends when a person saves the demo team's door unchanged."""
    data: dict[str, str] = {"is_open": "on", "welcome": "", "away_text": ""}
    for day in range(1, 8):
        for slot in (1, 2):
            data[f"day{day}_from{slot}"] = ""
            data[f"day{day}_to{slot}"] = ""
    for day in range(1, 6):
        data[f"day{day}_from1"], data[f"day{day}_to1"] = "09:00", "17:00"
    for row in range(door_settings.MAX_EMERGENCY_NUMBERS):
        for part in ("name", "number", "hours"):
            data[f"number{row}_{part}"] = ""
    data["number0_name"], data["number0_number"], data["number0_hours"] = (
        "Telefonseelsorge",
        "0800 111 0 111",
        "24/7",
    )
    data.update(changes)
    return data


def _door() -> DoorSettings:
    return DoorSettings.objects.get(team__slug="jugendberatung")


def _snapshot() -> dict[str, Any]:
    door = hours.door_of(_door_team_id())
    return {field: getattr(door, field) for field in door_settings.EDITABLE}


def _door_team_id() -> int:
    from hafen.accounts.models import Team

    return Team.objects.get(slug="jugendberatung").pk


def _errors(page: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", error).strip()
        for error in re.findall(r'<p class="error">(.*?)</p>', page, re.S)
    ]


# --- who may -----------------------------------------------------------------------------


def test_leadership_sets_office_hours_numbers_and_texts_of_a_team(leader) -> None:
    browser = login_client(leader)
    assert browser.get(EDIT).status_code == 200

    response = browser.post(
        EDIT,
        _form_data(
            welcome="Wir sind die Jugendberatung.\r\nSchreib uns!",
            away_text="Wir sind gerade nicht da.",
            day1_from1="9:00",
            day1_to1="12.30",
            day1_from2="13:30",
            day1_to2="18:00",
            day6_from1="10:00",
            day6_to1="14:00",
            day5_from1="",
            day5_to1="",
            number1_name="Nummer gegen Kummer",
            number1_number="116 111",
            number1_hours="Mo-Sa 14-20",
            number3_name="Hilfetelefon",
            number3_number="+49 800/116016",
            number3_hours="24/7",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == EDIT
    door = _door()
    assert door.office_hours == {
        "1": [["09:00", "12:30"], ["13:30", "18:00"]],
        "2": [["09:00", "17:00"]],
        "3": [["09:00", "17:00"]],
        "4": [["09:00", "17:00"]],
        "6": [["10:00", "14:00"]],
    }
    assert door.emergency_numbers == [
        {"name": "Telefonseelsorge", "number": "0800 111 0 111", "hours": "24/7"},
        {"name": "Nummer gegen Kummer", "number": "116 111", "hours": "Mo-Sa 14-20"},
        {"name": "Hilfetelefon", "number": "+49 800/116016", "hours": "24/7"},
    ]
    assert door.welcome == "Wir sind die Jugendberatung.\nSchreib uns!"
    assert door.away_text == "Wir sind gerade nicht da."
    assert door.is_open is True
    entry = AuditEntry.objects.get(action="door.settings_changed")
    assert entry.actor_id == leader.pk and entry.object_id == str(door.pk)
    assert entry.details["fields"] == "welcome,away_text,office_hours,emergency_numbers"
    assert "Jugendberatung" not in str(entry.details) and "116" not in str(entry.details)
    page = browser.get(EDIT).content.decode()
    assert "gespeichert" in page  # the German success message
    assert 'value="12:30"' in page and 'value="+49 800/116016"' in page


def test_the_saved_door_is_what_clients_see(admin_user) -> None:
    browser = login_client(admin_user)
    browser.post(
        EDIT,
        _form_data(
            welcome="<script>alert(1)</script> Hallo!",
            day2_from1="",
            day2_to1="",
            number0_name="Krisendienst",
            number0_number="0800 655 3000",
            number0_hours="24/7",
        ),
    )

    page = Client().get("/k/jugendberatung/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Hallo!" in page
    assert "<script>alert(1)" not in page
    assert 'href="tel:08006553000"' in page and "Krisendienst" in page
    assert "Telefonseelsorge" not in page
    monday, tuesday = hours.weekly_table(_door())[:2]
    assert monday == (1, [("09:00", "17:00")]) and tuesday == (2, [])


def test_closing_the_door_stops_new_conversations(admin_user) -> None:
    login_client(admin_user).post(EDIT, _form_data(is_open=""))

    assert _door().is_open is False
    page = Client().get("/k/jugendberatung/").content.decode()
    assert 'name="agree"' not in page
    response = Client().post("/k/jugendberatung/start/", {"agree": "on"})
    assert response.status_code == 400


def test_saving_without_a_change_writes_nothing(leader) -> None:
    browser = login_client(leader)
    browser.post(EDIT, _form_data())
    count = AuditEntry.objects.filter(action="door.settings_changed").count()

    response = browser.post(EDIT, _form_data())

    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="door.settings_changed").count() == count


@pytest.mark.parametrize("persona", ["counsellor", "volunteer", "dpo", "comms"])
def test_other_roles_of_the_organisation_cannot_open_or_change_a_door(persona, request) -> None:
    user = request.getfixturevalue(persona)
    browser = login_client(user)
    before = _snapshot()

    assert browser.get("/anlaufstellen/").status_code == 403
    assert browser.get(EDIT).status_code == 403
    assert browser.post(EDIT, _form_data(welcome="Übernommen")).status_code == 403
    assert browser.get(f"{EDIT}aushang/").status_code == 403
    assert browser.get(f"{EDIT}qr-code.png").status_code == 403
    assert _snapshot() == before
    assert not AuditEntry.objects.filter(action="door.settings_changed").exists()


def test_an_outsider_cannot_learn_that_a_door_exists(outsider, org) -> None:
    browser = login_client(outsider)
    before = _snapshot()

    for path in (EDIT, f"{EDIT}aushang/", f"{EDIT}qr-code.png"):
        assert browser.get(path).status_code == 404
    assert browser.post(EDIT, _form_data(welcome="Übernommen")).status_code == 404
    assert _snapshot() == before
    listing = browser.get("/anlaufstellen/").content.decode()
    assert "suchtberatung" in listing and "jugendberatung" not in listing


def test_anonymous_visitors_are_sent_to_the_login(org) -> None:
    for path in ("/anlaufstellen/", EDIT, f"{EDIT}aushang/", f"{EDIT}qr-code.png"):
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/konto/")
    assert Client().post(EDIT, _form_data(welcome="x")).status_code == 302


def test_the_list_shows_every_team_of_the_organisation_and_its_address(admin_user) -> None:
    login_client(admin_user).post("/anlaufstellen/streetwork/", _form_data(is_open=""))

    page = login_client(admin_user).get("/anlaufstellen/").content.decode()

    for slug in ("jugendberatung", "streetwork", "schuldnerberatung"):
        assert f"{settings.HAFEN_BASE_URL}/k/{slug}/" in page
        assert f'href="/anlaufstellen/{slug}/"' in page
    assert "pausiert" in page


def test_admin_and_leadership_start_pages_link_to_the_doors(admin_user, leader, comms) -> None:
    link = 'href="/anlaufstellen/"'

    assert link in login_client(admin_user).get("/start/admin/").content.decode()
    assert link in login_client(leader).get("/start/leadership/").content.decode()
    assert link not in login_client(comms).get("/start/communications/").content.decode()


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"day1_from1": "9 Uhr"}, "Bitte geben Sie eine Uhrzeit wie 09:00 oder 17:30 ein."),
        ({"day1_to1": "25:00"}, "Bitte geben Sie eine Uhrzeit wie 09:00 oder 17:30 ein."),
        ({"day1_to1": "12:75"}, "Bitte geben Sie eine Uhrzeit wie 09:00 oder 17:30 ein."),
        ({"day1_from1": "17:00", "day1_to1": "09:00"}, "Montag: Das Ende (09:00) muss"),
        ({"day3_from1": "12:00", "day3_to1": "12:00"}, "Mittwoch: Das Ende (12:00) muss"),
        ({"day7_from1": "10:00"}, "Sonntag: Bitte geben Sie beide Zeiten ein"),
        ({"day7_to2": "10:00"}, "Sonntag: Bitte geben Sie beide Zeiten ein"),
        (
            {"day2_from2": "16:00", "day2_to2": "18:00"},
            "Dienstag: Die beiden Zeiträume überschneiden sich.",
        ),
        ({"number0_number": "0800-111-0-111"}, "nur Ziffern, Leerzeichen, + und /"),
        ({"number0_number": "ruf mich an"}, "nur Ziffern, Leerzeichen, + und /"),
        ({"number0_number": "11"}, "vollständige Telefonnummer"),
        ({"number0_number": ""}, "Bitte geben Sie die Telefonnummer ein."),
        ({"number0_name": ""}, "Bitte geben Sie dieser Nummer einen Namen"),
        ({"number0_hours": ""}, "Bitte geben Sie an, wann diese Nummer erreichbar ist"),
        ({"number5_number": "110"}, "Bitte geben Sie dieser Nummer einen Namen"),
        ({"number0_name": "x" * 81}, "höchstens 80 Zeichen"),
        ({"welcome": "x" * 1001}, "höchstens 1000 Zeichen, er hat 1001"),
        ({"away_text": "y" * 1001}, "höchstens 1000 Zeichen, er hat 1001"),
        ({"welcome": "Hallo\x00"}, "Nullzeichen sind nicht erlaubt."),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_changes_nothing(
    admin_user, changes, message
) -> None:
    browser = login_client(admin_user)
    before = _snapshot()

    response = browser.post(EDIT, _form_data(**changes))

    assert response.status_code == 400
    page = response.content.decode()
    assert "Es wurde nichts gespeichert" in page
    assert any(message in error for error in _errors(page)), _errors(page)
    assert _snapshot() == before
    assert not AuditEntry.objects.filter(action="door.settings_changed").exists()


def test_line_breaks_count_once_and_control_characters_are_removed(admin_user) -> None:
    welcome = ("a" * 9 + "\r\n") * 100  # 1000 characters with one line break each

    response = login_client(admin_user).post(
        EDIT, _form_data(welcome=welcome, away_text="Bis \u202emorgen\x07\x1b")
    )

    assert response.status_code == 302
    door = _door()
    assert len(door.welcome) == 999  # the last line break is stripped
    assert door.away_text == "Bis morgen"


def test_fields_the_page_does_not_have_are_ignored(admin_user) -> None:
    response = login_client(admin_user).post(
        EDIT,
        _form_data(
            number8_name="Extra",
            number8_number="123",
            number8_hours="24/7",
            day8_from1="09:00",
            day8_to1="10:00",
            day0_from1="09:00",
            day0_to1="10:00",
        ),
    )

    assert response.status_code == 302
    door = _door()
    assert set(door.office_hours) == {"1", "2", "3", "4", "5"}
    assert [entry["name"] for entry in door.emergency_numbers] == ["Telefonseelsorge"]


def test_an_empty_form_is_a_closed_door_without_office_hours_not_an_error(admin_user) -> None:
    response = login_client(admin_user).post(EDIT, {})

    assert response.status_code == 302
    door = _door()
    assert (door.is_open, door.office_hours, door.emergency_numbers) == (False, {}, [])
    assert hours.next_opening(door) is None


def test_a_repeated_field_does_not_break_the_page(admin_user) -> None:
    data: dict[str, object] = dict(_form_data())
    data["day1_from1"] = ["08:00", "nonsense"]

    response = login_client(admin_user).post(EDIT, data)

    assert response.status_code == 400
    assert _errors(response.content.decode())


# --- address and QR code -----------------------------------------------------------------


def test_the_page_shows_the_public_address_with_its_qr_code(leader) -> None:
    page = login_client(leader).get(EDIT).content.decode()

    address = f"{settings.HAFEN_BASE_URL}/k/jugendberatung/"
    assert f'data-testid="door-address"><a href="{address}">{address}</a>' in page
    expected = segno.make(address, error="m").svg_inline(
        scale=4, dark="#000", light="#fff", omitsize=True
    )
    assert expected in page


def test_the_qr_code_downloads_as_a_picture_of_the_address(leader) -> None:
    response = login_client(leader).get(f"{EDIT}qr-code.png")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert "hafen-jugendberatung-qr.png" in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("de", "Scanne den Code mit der Kamera deines Handys"),
        ("en", "Scan the code with the camera of your phone"),
        ("de-ls", "Mach mit deinem Handy ein Foto von dem Code."),
        ("fr", "Scanne den Code mit der Kamera deines Handys"),  # not offered: German
    ],
)
def test_the_poster_speaks_the_clients_language(leader, language, words) -> None:
    browser = login_client(leader)
    browser.post(EDIT, _form_data(day6_from1="10:00", day6_to1="14:00"))

    response = browser.get(f"{EDIT}aushang/", {"language": language})

    assert response.status_code == 200
    page = response.content.decode()
    assert words in page
    assert f"{settings.HAFEN_BASE_URL}/k/jugendberatung/" in page
    assert "<svg" in page and "10:00\u201314:00" in page
    assert f'<html lang="{language if language != "fr" else "de"}"' in page


def test_the_list_needs_the_same_queries_for_many_teams(admin_user) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hafen.accounts.models import Facility, Team

    browser = login_client(admin_user)
    browser.get("/anlaufstellen/")  # the session is warm
    with CaptureQueriesContext(connection) as few:
        browser.get("/anlaufstellen/")
    facility = Facility.objects.get(slug="beratungsstelle-mitte")
    for number in range(6):
        team = Team.objects.create(facility=facility, name=f"Team {number}", slug=f"team-{number}")
        hours.door_of(team.pk)

    with CaptureQueriesContext(connection) as many:
        page = browser.get("/anlaufstellen/").content.decode()

    assert "team-5" in page
    assert len(many) == len(few)
