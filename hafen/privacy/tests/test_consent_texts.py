"""The DPO's versioned texts: publishing, immutability, defaults, pages and who may see them.

Personas: Thomas Berg (``dpo``) publishes; Dr. Hahn (``leader``) reads; counsellors,
volunteers, communications and admins see nothing; ``outsider`` is of another
organisation and gets 404 for every address with a kind or version in it.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from hafen.accounts.models import Organisation
from hafen.conftest import login_client
from hafen.privacy.consent import actions, queries
from hafen.privacy.consent.models import MAX_BODY_CHARS, ConsentKind, ConsentText
from hafen.privacy.models import AuditEntry

OVERVIEW = "/datenschutz/einwilligungen/"
DOCUMENTATION = OVERVIEW + "dokumentation/"
PUBLISH = DOCUMENTATION + "neu/"

NEW_TEXT = {
    "title": "Einwilligung in die Falldokumentation",
    "body_de": "Ich bin einverstanden, dass eine Fallakte geführt wird.",
    "body_en": "I agree that a case file is kept.",
    "body_easy": "",
}


def _publish(user, kind=ConsentKind.DOCUMENTATION, **changes):
    return actions.publish_version(user, kind, **{**NEW_TEXT, **changes})


# -- publishing -------------------------------------------------------------------------


def test_the_dpo_publishes_a_new_version_through_the_form_prefilled_from_the_current_one(org, dpo):
    browser = login_client(dpo)
    form = browser.get(PUBLISH).content.decode()
    assert "Ich bin damit einverstanden, dass Beispiel" in form  # the default, filled in

    response = browser.post(PUBLISH, NEW_TEXT)

    assert response.status_code == 302 and response["Location"] == DOCUMENTATION + "1/"
    version = ConsentText.objects.get(organisation=org, kind=ConsentKind.DOCUMENTATION)
    assert (version.number, version.published_by, version.is_default) == (1, dpo, False)
    assert version.body_de == NEW_TEXT["body_de"]
    page = browser.get(response["Location"]).content.decode()
    assert "Fassung 1 ist veröffentlicht und gilt ab jetzt." in page
    assert "I agree that a case file is kept." in page
    assert browser.get(PUBLISH).content.decode().count(NEW_TEXT["body_de"]) == 1


def test_each_change_makes_the_next_version_and_the_history_lists_them_newest_first(org, dpo):
    for number in (1, 2, 3):
        version = _publish(dpo, body_de=f"Fassung Nummer {number} des Textes.")
        assert version.number == number
    _publish(dpo, kind=ConsentKind.REFERRAL)  # numbers count per kind

    page = login_client(dpo).get(DOCUMENTATION).content.decode()

    assert page.index(f'href="{DOCUMENTATION}3/"') < page.index(f'href="{DOCUMENTATION}1/"')
    numbers = ConsentText.objects.filter(organisation=org).values_list("kind", "number")
    assert sorted(numbers) == [
        ("documentation", 1),
        ("documentation", 2),
        ("documentation", 3),
        ("referral", 1),
    ]


def test_publishing_is_audited_without_the_text(org, dpo):
    version = _publish(dpo, title="Geheimer Titel", body_de="Ein sehr besonderer Wortlaut.")

    entry = AuditEntry.objects.get(action="consent.version_published")
    assert (entry.actor_id, entry.object_id, entry.organisation_id) == (
        dpo.pk,
        str(version.pk),
        org.pk,
    )
    assert entry.details == {"kind": "documentation", "number": 1}
    assert "Geheimer" not in str(entry.details) and "Wortlaut" not in str(entry.details)


def test_a_published_version_is_never_changed(org, dpo):
    version = _publish(dpo)

    version.body_de = "Heimlich geändert."
    with pytest.raises(TypeError):
        version.save()
    with pytest.raises(TypeError):
        ConsentText.objects.filter(pk=version.pk).update(body_de="Heimlich geändert.")
    assert ConsentText.objects.get(pk=version.pk).body_de == NEW_TEXT["body_de"]


def test_there_is_no_address_that_edits_a_published_version(org, dpo):
    version = _publish(dpo)
    browser = login_client(dpo)

    response = browser.post(DOCUMENTATION + "1/", {**NEW_TEXT, "body_de": "Anders."})

    assert response.status_code == 405
    assert ConsentText.objects.get(pk=version.pk).body_de == NEW_TEXT["body_de"]


def test_the_same_text_twice_publishes_once(org, dpo):
    browser = login_client(dpo)
    browser.post(PUBLISH, NEW_TEXT)

    again = browser.post(PUBLISH, NEW_TEXT)

    assert again.status_code == 400
    assert "Nichts geändert: Das ist der Text von Fassung 1." in again.content.decode()
    assert ConsentText.objects.filter(organisation=org).count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"body_de": ""}, "Bitte schreiben Sie den Text auf Deutsch."),
        ({"body_de": " \r\n\t "}, "Bitte schreiben Sie den Text auf Deutsch."),
        ({"title": ""}, "Bitte geben Sie dem Text einen Titel."),
        ({"title": "T" * 201}, "Bitte bleiben Sie unter 200 Zeichen."),
        ({"body_de": "x" * (MAX_BODY_CHARS + 1)}, "Bitte bleiben Sie unter 20.000 Zeichen."),
        ({"body_en": "x" * (MAX_BODY_CHARS + 1)}, "Bitte bleiben Sie unter 20.000 Zeichen."),
    ],
)
def test_empty_or_huge_texts_are_refused_with_a_message_and_nothing_is_published(
    org, dpo, changes, message
):
    response = login_client(dpo).post(PUBLISH, {**NEW_TEXT, **changes})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ConsentText.objects.exists()
    assert not AuditEntry.objects.filter(action="consent.version_published").exists()


def test_line_endings_of_the_browser_do_not_count_as_a_change(org, dpo):
    _publish(dpo, body_de="Zeile eins.\nZeile zwei.")

    with pytest.raises(ValidationError):
        _publish(dpo, body_de="Zeile eins.\r\nZeile zwei.\r\n")


def test_nobody_but_the_dpo_publishes(org, leader, counsellor, comms, admin_user, volunteer):
    for person in (leader, counsellor, comms, admin_user, volunteer):
        response = login_client(person).post(PUBLISH, NEW_TEXT)
        assert response.status_code == 404, person
        with pytest.raises(PermissionDenied):
            _publish(person)
    assert not ConsentText.objects.exists()


def test_an_unknown_kind_is_not_found_and_refused(org, dpo):
    browser = login_client(dpo)
    assert browser.get(OVERVIEW + "kekse/").status_code == 404
    assert browser.post(OVERVIEW + "kekse/neu/", NEW_TEXT).status_code == 404
    with pytest.raises(ValidationError), translation.override("en"):
        actions.publish_version(dpo, "cookies", **NEW_TEXT)


# -- defaults ---------------------------------------------------------------------------


def test_before_anything_is_published_the_overview_shows_the_defaults_without_storing_them(
    org, dpo
):
    page = login_client(dpo).get(OVERVIEW).content.decode()

    for label in (
        "Datenschutzhinweis der Anlaufstelle",
        "Einwilligung zur Dokumentation",
        "Einwilligung zur Vermittlung an eine Partnerorganisation",
        "Einwilligung zu Fotos in öffentlichen Beiträgen",
    ):
        assert label in page
    assert page.count("Standardtext von Hafen, noch nicht verwendet") == 4
    assert not ConsentText.objects.exists()


def test_the_default_is_stored_as_version_1_on_first_use_with_the_organisations_name(org):
    version = actions.version_for_use(org.pk, ConsentKind.DOCUMENTATION)

    assert (version.number, version.is_default, version.published_by) == (1, True, None)
    assert "Beispiel-Träger e.V." in version.body_de and "{organisation}" not in version.body_de
    assert version.body_en.startswith("I agree that Beispiel-Träger e.V.")
    assert actions.version_for_use(org.pk, ConsentKind.DOCUMENTATION) == version
    entry = AuditEntry.objects.get(action="consent.version_published")
    assert entry.actor_id is None and entry.details["default"] is True


def test_every_kind_has_a_german_and_an_english_default(org):
    for kind in ConsentKind.values:
        text = queries.current_text(org.pk, kind)
        assert text.pk is None and text.title and text.body_de and text.body_en


def test_a_version_published_before_first_use_replaces_the_default_as_version_1(org, dpo):
    assert _publish(dpo).number == 1
    assert actions.version_for_use(org.pk, ConsentKind.DOCUMENTATION).is_default is False


# -- reading ----------------------------------------------------------------------------


def test_leadership_reads_the_texts_and_figures_but_publishes_nothing(org, dpo, leader):
    _publish(dpo)
    browser = login_client(leader)

    overview = browser.get(OVERVIEW).content.decode()
    assert "Fassung 1" in overview and "Neue Fassung veröffentlichen" not in overview
    version = browser.get(DOCUMENTATION + "1/").content.decode()
    assert NEW_TEXT["body_de"] in version and "Wer wann eingewilligt hat" not in version
    assert browser.get(DOCUMENTATION + "1/erteilt/").status_code == 404
    assert browser.get(PUBLISH).status_code == 404


@pytest.mark.parametrize("persona", ["counsellor", "volunteer", "comms", "admin_user"])
def test_other_staff_see_no_consent_page(org, dpo, persona, request):
    _publish(dpo)
    browser = login_client(request.getfixturevalue(persona))

    assert browser.get(OVERVIEW).status_code == 403
    for address in (DOCUMENTATION, DOCUMENTATION + "1/", DOCUMENTATION + "1/erteilt/", PUBLISH):
        assert browser.get(address).status_code == 404, address


def test_staff_of_another_organisation_learn_nothing(org, dpo, outsider):
    _publish(dpo)
    browser = login_client(outsider)

    assert browser.get(OVERVIEW).status_code == 403
    for address in (DOCUMENTATION, DOCUMENTATION + "1/", DOCUMENTATION + "1/erteilt/", PUBLISH):
        assert browser.get(address).status_code == 404, address


def test_the_dpo_of_another_organisation_sees_only_its_own_texts(org, dpo, outsider):
    from hafen.accounts.models import Membership, Role

    _publish(dpo, body_de="Nur für den Beispiel-Träger.")
    Membership.objects.create(user=outsider, organisation=outsider.organisation, role=Role.DPO)
    browser = login_client(outsider)

    page = browser.get(DOCUMENTATION + "1/").content.decode()
    assert "Nur für den Beispiel-Träger." not in page
    assert "Anderer Träger" in page  # its own default
    assert browser.get(DOCUMENTATION + "2/").status_code == 404


def test_a_version_that_does_not_exist_is_not_found(org, dpo):
    _publish(dpo)
    browser = login_client(dpo)
    assert browser.get(DOCUMENTATION + "2/").status_code == 404
    assert browser.get(DOCUMENTATION + "0/").status_code == 404
    assert browser.get(DOCUMENTATION + "99999999999999999999/").status_code == 404


def test_the_dpo_start_page_links_to_the_consent_overview(org, dpo):
    page = login_client(dpo).get("/start/dpo/").content.decode()
    assert f'href="{OVERVIEW}"' in page


def test_anonymous_visitors_are_sent_to_the_login(org):
    from django.test import Client

    for address in (OVERVIEW, DOCUMENTATION, DOCUMENTATION + "1/", PUBLISH):
        response = Client().get(address)
        assert response.status_code == 302 and response["Location"].startswith("/konto/anmelden/")


def test_organisation_names_fill_the_defaults_per_organisation(org):
    other = Organisation.objects.create(name="Zweiter Träger", slug="zweiter")
    assert "Zweiter Träger" in queries.current_text(other.pk, ConsentKind.DOOR_NOTICE).body_de


def test_when_two_first_uses_meet_both_get_the_same_version_1(org):
    """The second one's insert fails on the unique number and takes the stored one."""
    first = actions.version_for_use(org.pk, ConsentKind.REFERRAL)

    second = actions._store_default(org.pk, ConsentKind.REFERRAL)

    assert second == first
    assert ConsentText.objects.filter(kind=ConsentKind.REFERRAL).count() == 1
