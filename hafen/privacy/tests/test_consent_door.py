"""The client door shows the organisation's privacy notice and records the version a
conversation was started under: in the client's language, without JavaScript, and
without storing anything about the client's device."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from hafen.accounts.models import Team
from hafen.conversations.models import Conversation
from hafen.conversations.tests.conftest import DOOR, start_conversation
from hafen.privacy.consent import actions, queries
from hafen.privacy.consent.models import ConsentKind, ConsentMethod, ConsentRecord, ConsentText
from hafen.privacy.models import AuditEntry

START = DOOR + "start/"


@pytest.fixture(autouse=True)
def _office_hours(during_office_hours):
    """The door takes new conversations only when it is open."""


def _notice_of(conversation: Conversation) -> ConsentRecord:
    return ConsentRecord.objects.select_related("version").get(conversation=conversation)


def _publish(dpo, **changes):
    fields = {
        "title": "Datenschutzhinweis",
        "body_de": "Unser eigener Hinweis auf Deutsch.",
        "body_en": "Our own notice in English.",
        "body_easy": "",
    }
    return actions.publish_version(dpo, ConsentKind.DOOR_NOTICE, **{**fields, **changes})


def _shown_number(page: str) -> str:
    match = re.search(r'name="notice" value="(\d+)"', page)
    assert match, "the start form carries the version it shows"
    return match.group(1)


def test_the_door_shows_the_current_notice_in_german_without_javascript(org, dpo):
    _publish(dpo)
    _publish(dpo, body_de="Die zweite Fassung unseres Hinweises.")

    page = Client().get(DOOR).content.decode()

    assert "Der vollständige Datenschutzhinweis (Fassung 2)" in page
    assert "<details" in page and "<summary>" in page  # opens without JavaScript
    assert "Die zweite Fassung unseres Hinweises." in page
    assert "Unser eigener Hinweis" not in page
    assert "<script>" not in page and "onclick" not in page  # nothing inline for the CSP
    assert _shown_number(page) == "2"


def test_an_english_client_reads_the_english_notice(org, dpo):
    _publish(dpo)
    browser = Client()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = browser.get(DOOR).content.decode()

    assert "The full privacy notice (version 1)" in page
    assert "Our own notice in English." in page and "auf Deutsch" not in page


def test_without_a_translation_the_client_reads_the_german_notice_marked_as_german(org, dpo):
    _publish(dpo)  # no Easy German text
    browser = Client()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "de-ls"

    page = browser.get(DOOR).content.decode()

    assert "Alles über deine Daten (Version 1)" in page
    assert 'data-testid="privacy-notice" lang="de"' in page
    assert "Unser eigener Hinweis auf Deutsch." in page


def test_before_anything_is_published_the_door_shows_hafens_default_and_stores_nothing(org):
    page = Client().get(DOOR).content.decode()

    assert "Datenschutzhinweis der Anlaufstelle" in page
    assert "Verantwortlich für diesen Chat ist Beispiel-Träger e.V." in page
    assert _shown_number(page) == "1"
    assert not ConsentText.objects.exists()


def test_the_easy_german_default_is_shown_to_clients_who_chose_it(org):
    browser = Client()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "de-ls"

    page = browser.get(DOOR).content.decode()

    assert "Dieser Chat gehört zu Beispiel-Träger e.V." in page


def test_starting_a_conversation_records_the_notice_version_it_was_started_under(org, dpo):
    _publish(dpo)
    _publish(dpo, body_de="Zweite Fassung.")

    client = start_conversation()

    record = _notice_of(client.conversation)
    assert (record.version.kind, record.version.number) == (ConsentKind.DOOR_NOTICE, 2)
    assert (record.method, record.recorded_by, record.withdrawn_on) == (
        ConsentMethod.DOOR,
        None,
        None,
    )
    entry = AuditEntry.objects.get(action="consent.recorded")
    assert entry.actor_id is None
    assert entry.details == {
        "kind": "door_notice",
        "number": 2,
        "method": "door",
        "conversation": client.conversation.pk,
    }


def test_the_first_conversation_stores_the_default_notice_as_version_1(org):
    client = start_conversation()

    record = _notice_of(client.conversation)
    assert record.version.number == 1 and record.version.is_default
    second = start_conversation()
    assert _notice_of(second.conversation).version == record.version
    assert ConsentText.objects.count() == 1


def test_the_version_the_page_showed_is_recorded_even_if_a_new_one_came_meanwhile(org, dpo):
    _publish(dpo)
    browser = Client()
    shown = _shown_number(browser.get(DOOR).content.decode())
    _publish(dpo, body_de="Neu, während die Seite offen war.")

    response = browser.post(START, {"agree": "on", "notice": shown})

    assert response.status_code == 302
    conversation = Conversation.objects.get(pk=browser.session["door_conversation"])
    assert _notice_of(conversation).version.number == 1


@pytest.mark.parametrize("forged", ["7", "0", "-1", "abc", "1e3", "²", "9" * 40, ""])
def test_a_forged_notice_number_records_the_current_version_and_never_turns_a_client_away(
    org, dpo, forged
):
    _publish(dpo)
    _publish(dpo, body_de="Zweite Fassung.")
    browser = Client()

    response = browser.post(START, {"agree": "on", "notice": forged})

    assert response.status_code == 302
    conversation = Conversation.objects.get(pk=browser.session["door_conversation"])
    assert _notice_of(conversation).version.number == 2


def test_the_notice_of_another_organisation_is_never_recorded(org, dpo, outsider):
    from hafen.accounts.models import Membership, Role

    Membership.objects.create(user=outsider, organisation=outsider.organisation, role=Role.DPO)
    foreign = _publish(outsider)
    foreign_two = _publish(outsider, body_de="Zweite Fassung des anderen Trägers.")
    assert foreign_two.number == 2

    browser = Client()
    browser.post(START, {"agree": "on", "notice": "2"})

    conversation = Conversation.objects.get(pk=browser.session["door_conversation"])
    version = _notice_of(conversation).version
    assert version.organisation_id == org.pk and version not in (foreign, foreign_two)


def test_the_record_holds_no_ip_address_and_no_user_agent(org):
    browser = Client(HTTP_USER_AGENT="Mozilla/5.0 (Klient-Handy)", REMOTE_ADDR="203.0.113.7")
    browser.post(START, {"agree": "on"})

    fields = {field.name for field in ConsentRecord._meta.get_fields()}
    assert not fields & {"ip", "ip_address", "user_agent", "remote_addr"}
    stored = [str(value) for value in ConsentRecord.objects.values().get().values()]
    assert not any("203.0.113.7" in value or "Klient-Handy" in value for value in stored)
    details = [str(e.details) for e in AuditEntry.objects.all()]
    assert not any("203.0.113.7" in d or "Klient-Handy" in d for d in details)


def test_a_refused_start_records_nothing(org):
    response = Client().post(START, {"notice": "1"})  # the box is not ticked

    assert response.status_code == 400
    assert "Der vollständige Datenschutzhinweis (Fassung 1)" in response.content.decode()
    assert not ConsentRecord.objects.exists() and not ConsentText.objects.exists()


def test_a_client_deleting_the_conversation_deletes_its_notice_record_too(org):
    client = start_conversation()

    client.browser.post("/gespraech/loeschen/", {"confirm": "yes"})

    assert not Conversation.objects.exists()
    assert not ConsentRecord.objects.exists()
    assert ConsentText.objects.count() == 1  # the text stays


def test_a_handover_link_shows_the_notice_and_records_it(org, counsellor):
    from hafen.bridge import actions as bridge_actions

    team = Team.objects.get(slug="jugendberatung")
    handover = bridge_actions.create_handover(counsellor, team=team, channel="instagram")
    browser = Client()
    landing = f"/b/{handover.token}/"
    page = browser.get(landing).content.decode()
    assert "Der vollständige Datenschutzhinweis (Fassung 1)" in page

    browser.post(landing, {"agree": "on"})

    conversation = Conversation.objects.get(pk=browser.session["door_conversation"])
    assert _notice_of(conversation).version.number == 1


def test_the_notice_cannot_be_withdrawn(org, dpo):
    from django.core.exceptions import ValidationError

    client = start_conversation()
    with pytest.raises(ValidationError):
        actions.withdraw_consent(
            dpo, ConsentKind.DOOR_NOTICE, client.conversation, withdrawn_on=None
        )
    assert _notice_of(client.conversation).withdrawn_on is None


def test_the_dpo_sees_the_conversations_started_under_a_version_by_number_only(org, dpo):
    client = start_conversation()
    from hafen.conftest import login_client

    page = login_client(dpo).get("/datenschutz/einwilligungen/datenschutzhinweis/1/erteilt/")

    text = page.content.decode()
    assert f"Gespräch Nr. {client.conversation.pk}" in text
    assert client.conversation.pseudonym not in text
    assert "in der Anlaufstelle" in text and "die Klientin / der Klient" in text
    assert queries.counts_of(_notice_of(client.conversation).version).given == 1
