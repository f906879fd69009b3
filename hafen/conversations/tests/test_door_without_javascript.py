"""The client door as an old phone without JavaScript uses it: forms and reloads."""

from __future__ import annotations

import re

from django.test import Client

from hafen.conftest import login_client
from hafen.conversations import codes
from hafen.conversations.models import Conversation, Message, Sender, State
from hafen.conversations.tests.conftest import DOOR, start_conversation
from hafen.privacy.models import AuditEntry, DataKey


def test_the_door_asks_for_nothing_personal_and_sets_no_session_before_starting(org) -> None:
    browser = Client()
    response = browser.get(DOOR)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Jugendberatung" in page
    assert 'name="agree"' in page and 'name="passphrase"' in page
    for personal in ("email", "phone", 'name="name"', 'tel"'):
        assert f'type="{personal}' not in page
    assert "sessionid" not in response.cookies
    assert "no-store" in response["Cache-Control"]


def test_starting_without_agreeing_to_the_notice_changes_nothing(org) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(f"{DOOR}start/", {"passphrase": ""})

    assert response.status_code == 400
    assert "Please confirm that you have read the notice." in response.content.decode()
    assert Conversation.objects.count() == 0


def test_a_new_conversation_gets_a_pseudonym_and_a_code_shown_until_noted(door_client) -> None:
    conversation = door_client.conversation

    assert codes.normalise(door_client.code) == door_client.code
    assert conversation.code_hash == codes.code_hash(door_client.code)
    assert door_client.code not in conversation.code_hash
    assert conversation.state == State.NEW and conversation.origin == "door"
    assert AuditEntry.objects.filter(action="conversation.started").count() == 1

    door_client.browser.post("/gespraech/code-notiert/")
    page = door_client.browser.get("/gespraech/").content.decode()
    assert door_client.code not in page
    assert conversation.pseudonym in page


def test_a_message_is_stored_encrypted_and_shown_back_as_text(door_client) -> None:
    body = "Hallo, ich habe <b>Stress</b> mit dem Jobcenter & weiß nicht weiter"

    response = door_client.send(body)

    assert response.status_code == 302
    message = Message.objects.get()
    assert message.sender == Sender.CLIENT and message.seq == 1
    assert b"Jobcenter" not in bytes(message.body_sealed)
    assert message.body == body
    page = door_client.browser.get("/gespraech/").content.decode()
    assert "&lt;b&gt;Stress&lt;/b&gt; mit dem Jobcenter &amp; weiß" in page
    assert "<b>Stress</b>" not in page


def test_a_double_click_stores_the_message_once(door_client) -> None:
    first = door_client.send("Bist du da?", client_id="same-id-123")
    second = door_client.send("Bist du da?", client_id="same-id-123")

    assert first.status_code == second.status_code == 302
    assert Message.objects.filter(sender=Sender.CLIENT).count() == 1


def test_bad_messages_are_explained_and_change_nothing(door_client) -> None:
    too_long = "x" * 4001
    cases = {
        "": "Please write a message.",
        "   \n\t ": "Please write a message.",
        "\x07\x1b": "Please write a message.",
        "a\x00b": "Null characters are not allowed.",
        too_long: "at most 4000 characters, this one has 4001",
    }
    for body, expected in cases.items():
        response = door_client.send(body, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400, body
        # In the form's error line, not just somewhere on the page (door.js's texts).
        errors = re.findall(r'<p class="error"[^>]*>([^<]*)</p>', response.content.decode())
        assert any(expected in error for error in errors), (body, errors)
    response = door_client.send("ok", client_id="<script>")
    assert response.status_code == 400
    assert Message.objects.count() == 0


def test_control_characters_and_bidi_overrides_are_removed(door_client) -> None:
    door_client.send("Hallo\x07 \u202eWelt\r\nzweite Zeile")

    assert Message.objects.get().body == "Hallo Welt\nzweite Zeile"


def test_the_client_returns_with_the_code_from_another_device(door_client) -> None:
    door_client.send("Erste Nachricht")
    other_phone = Client()

    response = other_phone.post("/zurueck/", {"code": f"  {door_client.code.upper()} "})

    assert response.status_code == 302 and response["Location"] == "/gespraech/"
    assert "Erste Nachricht" in other_phone.get("/gespraech/").content.decode()
    assert AuditEntry.objects.filter(action="conversation.client_returned").count() == 1


def test_a_code_typed_with_spaces_instead_of_dashes_works(door_client) -> None:
    response = Client().post("/zurueck/", {"code": door_client.code.replace("-", " ")})

    assert response.status_code == 302


def test_wrong_codes_get_one_answer_and_are_throttled(door_client) -> None:
    stranger = Client()
    wrong = ["anker-anker-anker-anker", "kein code", "x" * 500, "", "' OR 1=1 --"]
    answers = set()
    for code in wrong:
        response = stranger.post("/zurueck/", {"code": code}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        assert "door_conversation" not in stranger.session
        page = response.content.decode()
        answers.add(
            "We could not open a conversation with this code." in page
            or "This field is required." in page
        )
    assert answers == {True}
    for _ in range(10):
        stranger.post("/zurueck/", {"code": "anker-anker-anker-anker"})

    # Even the right code is refused while this address is locked out.
    response = stranger.post("/zurueck/", {"code": door_client.code}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "please wait 15 minutes" in response.content.decode()
    assert "door_conversation" not in stranger.session


def test_a_passphrase_is_needed_together_with_the_code(org) -> None:
    client = start_conversation(passphrase="Leuchtturm-7")

    without = Client().post("/zurueck/", {"code": client.code})
    wrong = Client().post("/zurueck/", {"code": client.code, "passphrase": "falsch-123"})
    unknown = Client().post("/zurueck/", {"code": "anker-anker-anker-anker", "passphrase": "x"})
    right = Client().post("/zurueck/", {"code": client.code, "passphrase": "Leuchtturm-7"})

    assert without.status_code == wrong.status_code == unknown.status_code == 400
    # The same page whether the code, the passphrase or both were wrong (typed values aside).
    pages = [_without_values(r.content.decode()) for r in (without, wrong, unknown)]
    assert pages[0] == pages[1] == pages[2]
    assert right.status_code == 302


def test_the_client_downloads_the_own_conversation(door_client, counsellor) -> None:
    door_client.send("Meine Frage")
    staff = login_client(counsellor)
    staff.post(
        f"/posteingang/{door_client.conversation.pk}/antworten/",
        {"body": "Unsere Antwort", "client_id": "staff-answer-1"},
    )

    response = door_client.browser.get("/gespraech/herunterladen/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode()
    assert "Meine Frage" in text and "Unsere Antwort" in text
    assert "Jonas Weber" not in text  # the client sees the team, not staff names


def test_deleting_shreds_the_key_and_the_code_stops_working(door_client) -> None:
    door_client.send("Bitte alles löschen")
    conversation = door_client.conversation
    key_id = conversation.data_key_id

    unconfirmed = door_client.browser.post("/gespraech/loeschen/", {})
    assert unconfirmed.status_code == 400
    assert Conversation.objects.filter(pk=conversation.pk).exists()

    response = door_client.browser.post("/gespraech/loeschen/", {"confirm": "yes"})

    assert response.status_code == 200
    assert not Conversation.objects.filter(pk=conversation.pk).exists()
    assert Message.objects.count() == 0
    key = DataKey.objects.get(pk=key_id)
    assert key.is_shredded and key.wrapped is None
    assert AuditEntry.objects.filter(action="conversation.deleted_by_client").count() == 1
    assert Client().post("/zurueck/", {"code": door_client.code}).status_code == 400
    assert door_client.browser.get("/gespraech/").status_code == 302


def test_quick_exit_ends_the_session_and_leaves_for_a_neutral_page(door_client, settings) -> None:
    door_client.browser.post("/sprache/", {"language": "en", "next": "/gespraech/"})
    assert door_client.browser.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    response = door_client.browser.post("/verlassen/")

    assert response.status_code == 302
    assert response["Location"] == settings.HAFEN_QUICK_EXIT_URL
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""  # deleted
    assert door_client.browser.get("/gespraech/").status_code == 302


def test_outside_office_hours_an_automatic_answer_names_emergency_numbers(
    org, time_machine
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    # A Sunday night: the demo teams answer Monday to Friday, 9 to 17 o'clock.
    time_machine.move_to(datetime(2026, 11, 29, 23, 0, tzinfo=ZoneInfo("Europe/Berlin")))
    door_client = start_conversation()
    door_client.send("Mir geht es nicht gut", client_id="night-id-01")
    door_client.send("Hallo?", client_id="night-id-02")

    assert Message.objects.filter(sender=Sender.CLIENT).count() == 2
    system = Message.objects.filter(sender=Sender.SYSTEM)
    assert system.count() == 1  # once, not after every message
    text = system.get().body
    assert "0800 111 0 111" in text and "116 111" in text
    assert "30.11. 09:00" in text
    page = door_client.browser.get("/gespraech/").content.decode()
    assert "0800 111 0 111" in page


def test_an_unknown_door_is_a_friendly_404(org) -> None:
    response = Client().get("/k/gibt-es-nicht/")

    assert response.status_code == 404
    assert "Traceback" not in response.content.decode()


def test_conversation_pages_need_a_conversation(org) -> None:
    browser = Client()

    assert browser.get("/gespraech/").status_code == 302
    assert (
        browser.post("/gespraech/senden/", {"body": "x", "client_id": "abcdefgh"}).status_code
        == 302
    )
    assert browser.get("/gespraech/herunterladen/").status_code == 404
    assert browser.post("/gespraech/loeschen/", {"confirm": "yes"}).status_code == 404
    assert Message.objects.count() == 0


def _without_values(page: str) -> str:
    import re

    return re.sub(r'value="[^"]*"', "", page)
