"""The client door in German, Einfache Sprache and English; staff pages in German and English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils.translation import to_locale

from hafen import languages
from hafen.conftest import login_client
from hafen.conversations import hours
from hafen.conversations.models import Conversation, Message, Sender
from hafen.conversations.tests.conftest import DOOR, start_conversation
from hafen.privacy.models import AuditEntry

LOCALE = Path(settings.BASE_DIR) / "locale"


def _switch(browser: Client, language: str, next_url: str = DOOR):
    return browser.post("/sprache/", {"language": language, "next": next_url})


def _offered(page: str) -> list[str]:
    """The languages the door's switcher offers, in order."""
    footer = page[page.index('<footer class="door-footer">') :]
    return re.findall(r'name="language" value="([^"]+)"', footer)


def _never_open() -> None:
    """The demo team without office hours: every message gets the away answer."""
    from hafen.accounts.models import Team

    door = hours.door_of(Team.objects.get(slug="jugendberatung").pk)
    door.office_hours = {}
    door.save(update_fields=["office_hours"])


def _away_text(conversation: Conversation) -> str:
    return Message.objects.get(conversation=conversation, sender=Sender.SYSTEM).body


def test_the_door_is_german_by_default_and_offers_three_languages(org) -> None:
    page = Client().get(DOOR).content.decode()

    assert '<html lang="de" dir="ltr">' in page
    assert "Schreib an Jugendberatung" in page and "Gespräch beginnen" in page
    assert _offered(page) == ["de", "de-ls", "en"]
    assert ">Deutsch<" in page and ">Einfache Sprache<" in page and ">English<" in page
    assert 'value="de" lang="de" aria-current="true"' in page


def test_a_client_switches_the_door_to_english_without_javascript(org) -> None:
    browser = Client()

    response = _switch(browser, "en")

    assert response.status_code == 302 and response["Location"] == DOOR
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en" and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert not cookie["max-age"]  # ends with the browser
    page = browser.get(DOOR).content.decode()
    assert '<html lang="en" dir="ltr">' in page
    assert "Write to Jugendberatung" in page and "How we protect you" in page
    assert "Schreib an" not in page


def test_a_client_switches_the_door_to_einfache_sprache(org) -> None:
    browser = Client()
    _switch(browser, "de-ls")

    page = browser.get(DOOR).content.decode()

    assert '<html lang="de-ls" dir="ltr">' in page
    assert "Ein Gespräch anfangen" in page
    assert "Ein Code ist wie ein Schlüssel." in page
    assert "Du musst uns deinen Namen nicht sagen." in page
    assert "Ein Gespräch beginnen" not in page  # not the plain German sentence
    # The pages after the door too.
    assert "Am Anfang hast du einen Code bekommen." in browser.get("/zurueck/").content.decode()


def test_a_browser_asking_for_english_gets_english(org) -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").get(DOOR).content.decode()

    assert '<html lang="en"' in page and "Start conversation" in page


def test_untranslated_languages_are_not_served_as_german_under_another_name(org) -> None:
    # Arabic is prepared but not translated: an Arabic browser that also reads English
    # gets English, left to right, not German text marked as Arabic.
    page = Client(HTTP_ACCEPT_LANGUAGE="ar,en;q=0.5").get(DOOR).content.decode()

    assert '<html lang="en" dir="ltr">' in page
    for code in ("tr", "ar", "uk", "ru"):
        assert (LOCALE / code / "LC_MESSAGES" / "django.po").exists()
        assert code not in _offered(page)


def test_an_arabic_door_is_written_right_to_left(org, settings) -> None:
    # What switching Arabic on (hafen/languages.py) gives: the direction comes from Django.
    settings.LANGUAGES = [*settings.LANGUAGES, ("ar", "Arabic")]
    settings.HAFEN_DOOR_LANGUAGES = [*settings.HAFEN_DOOR_LANGUAGES, "ar"]

    page = Client(HTTP_ACCEPT_LANGUAGE="ar").get(DOOR).content.decode()

    assert '<html lang="ar" dir="rtl">' in page
    assert _offered(page) == ["de", "de-ls", "en", "ar"]
    assert ">العربيّة<" in page


def test_the_away_message_arrives_in_the_language_the_client_started_in(org) -> None:
    _never_open()
    english = Client()
    _switch(english, "en")
    english.post(f"{DOOR}start/", {"agree": "on"})
    conversation = Conversation.objects.get()

    english.post("/gespraech/senden/", {"body": "Hello?", "client_id": "lang-test-1"})

    assert conversation.language == "en"
    text = _away_text(conversation)
    assert text.startswith("Thank you for your message. The team will answer as soon as it can.")
    assert "If you need help now, you can call free of charge:" in text


def test_the_away_message_follows_a_switch_during_the_conversation(org) -> None:
    _never_open()
    client = start_conversation()
    assert client.conversation.language == "de"

    response = _switch(client.browser, "de-ls", "/gespraech/")
    client.send("Hallo?", client_id="lang-test-2")

    assert response["Location"] == "/gespraech/"
    client.conversation.refresh_from_db()
    assert client.conversation.language == "de-ls"
    text = _away_text(client.conversation)
    assert text.startswith("Danke für deine Nachricht. Das Team antwortet so schnell es geht.")
    assert "Brauchst du jetzt sofort Hilfe? Dann ruf hier an." in text
    entry = AuditEntry.objects.get(action="conversation.language_changed")
    assert entry.object_id == str(client.conversation.pk)
    assert entry.details == {"language": "de-ls"}
    page = client.browser.get("/gespraech/").content.decode()
    assert "Dein Gespräch" in page and "Hier heißt du:" in page


def test_a_german_away_message_for_a_german_conversation(org) -> None:
    _never_open()
    client = start_conversation()

    client.send("Hallo?", client_id="lang-test-3")

    assert _away_text(client.conversation).startswith(
        "Danke für deine Nachricht. Das Team antwortet, so bald es kann."
    )


def test_switching_on_a_page_shown_after_a_form_returns_to_the_form_page(org) -> None:
    browser = Client()
    page = browser.post(f"{DOOR}start/", {}).content.decode()  # forgot to agree
    assert 'name="next" type="hidden" value="/k/jugendberatung/start/"' in page

    response = _switch(browser, "en", "/k/jugendberatung/start/")

    assert response.status_code == 302 and response["Location"] == DOOR


@pytest.mark.parametrize("language", ["ar", "fr", "xx-yy", "", "de-ls-evil", "de_LS"])
def test_a_language_the_door_does_not_offer_changes_nothing(door_client, language) -> None:
    response = _switch(door_client.browser, language, "/gespraech/")

    assert response.status_code == 302 and response["Location"] == "/gespraech/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    door_client.conversation.refresh_from_db()
    assert door_client.conversation.language == "de"
    assert not AuditEntry.objects.filter(action="conversation.language_changed").exists()


def test_the_switch_never_leads_to_another_site(org) -> None:
    response = _switch(Client(), "en", "https://evil.example/phish")

    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_the_switch_needs_a_post_with_the_pages_csrf_token(org) -> None:
    assert Client().get("/sprache/", {"language": "en", "next": DOOR}).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/sprache/", {"language": "en", "next": DOOR}).status_code == 403


def test_another_client_switching_changes_nothing_in_my_conversation(door_client) -> None:
    other = start_conversation()

    _switch(other.browser, "en", "/gespraech/")

    door_client.conversation.refresh_from_db()
    other.conversation.refresh_from_db()
    assert (door_client.conversation.language, other.conversation.language) == ("de", "en")


def test_staff_pages_offer_german_and_english_only(counsellor) -> None:
    browser = login_client(counsellor)

    page = browser.get("/start/counsellor/").content.decode()

    footer = page[page.index('<footer class="site-footer">') :]
    assert re.findall(r'<option value="([^"]+)"', footer) == ["de", "en"]
    assert "Einfache Sprache" not in footer


def test_staff_switch_to_english_still_works(counsellor) -> None:
    browser = login_client(counsellor)

    browser.post("/i18n/setlang/", {"language": "en", "next": "/start/counsellor/"})

    page = browser.get("/start/counsellor/").content.decode()
    assert '<html lang="en">' in page and '<option value="en" lang="en" selected>' in page


def _entries(po_file: Path) -> list[dict[str, object]]:
    """msgid, msgstr, flags and locations of each entry (enough of the .po format here)."""
    entries = []
    for block in po_file.read_text(encoding="utf-8").split("\n\n"):
        lines = block.strip().splitlines()
        text: dict[str, str] = {}
        current = ""
        for line in lines:
            if line.startswith(("msgid ", "msgstr", "msgctxt ", "msgid_plural ")):
                current, _, rest = line.partition(" ")
                text[current] = rest.strip()[1:-1]
            elif line.startswith('"') and current:
                text[current] += line[1:-1]
        if text.get("msgid"):
            entries.append(
                {
                    "msgid": text["msgid"],
                    "msgstr": text.get("msgstr", "") or text.get("msgstr[0]", ""),
                    "fuzzy": any(line.startswith("#,") and "fuzzy" in line for line in lines),
                    "files": " ".join(line for line in lines if line.startswith("#:")),
                }
            )
    return entries


CLIENT_FILES = re.compile(
    r"conversations/templates/conversations/"
    r"(door|door_base|chat|return|delete|deleted|_office_hours|_message)\.html"
    r"|bridge/templates/bridge/(landing|link_\w+)\.html"
)


# English is the language of the msgids: it needs no catalogue.
@pytest.mark.parametrize("language", [code for code in languages.DOOR if code != "en"])
def test_every_string_of_the_door_pages_is_translated(language) -> None:
    """A language is offered at the door only with a complete catalogue for its pages."""
    entries = _entries(LOCALE / to_locale(language) / "LC_MESSAGES" / "django.po")
    door_strings = [entry for entry in entries if CLIENT_FILES.search(str(entry["files"]))]

    # Locations are what tell door strings apart: makemessages --add-location=file keeps them.
    assert len(door_strings) > 40, "no #: locations in the catalogue?"
    missing = [e["msgid"] for e in door_strings if not e["msgstr"] or e["fuzzy"]]
    assert missing == []
