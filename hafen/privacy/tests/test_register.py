"""The register of processing activities (Art. 30 DSGVO): complete, readable, only for the DSB.

The completeness test is the one that keeps the register true: a new model that
holds personal data and is declared nowhere fails the build here.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.test.utils import isolate_apps

from hafen.cases.tests.test_pdf import pdf_text
from hafen.conftest import login_client
from hafen.conversations.models import Conversation
from hafen.privacy import register
from hafen.privacy.register import Processing

PAGE = "/datenschutz/verzeichnis/"
PDF = "/datenschutz/verzeichnis/pdf/"


def _flat(text: str) -> str:
    return " ".join(text.split())


# -- the register covers the code ----------------------------------------------------------


def test_every_model_is_declared_or_marked_as_holding_no_personal_data():
    missing = register.models_without_declaration()
    assert missing == [], (
        "These models are in no processing declaration (hafen/<app>/processing.py) and not "
        f"in NOT_PERSONAL of hafen/privacy/register.py: {', '.join(missing)}"
    )


def test_declarations_name_only_installed_models():
    assert register.unknown_models() == []


def test_no_model_is_both_declared_and_called_not_personal():
    assert register.covered_models() & set(register.NOT_PERSONAL) == set()


def test_the_models_that_hold_client_content_are_declared_with_special_categories():
    by_model = {
        label: processing for processing in register.register() for label in processing.models
    }
    for label in ("conversations.Message", "cases.CaseEntryVersion", "cases.Plan"):
        assert by_model[label].special_categories, label
    assert "privacy.AuditEntry" in by_model
    assert "sessions.Session" in by_model


def test_a_new_model_without_declaration_is_reported():
    with isolate_apps("hafen.privacy"):

        class ClientDiary(models.Model):
            text = models.TextField()

            class Meta:
                app_label = "privacy"

            def __str__(self) -> str:
                return "diary"

        reported = register.models_without_declaration([ClientDiary, Conversation])
    assert reported == ["privacy.ClientDiary"]


def test_every_declaration_says_what_article_30_asks_for():
    declared = register.register()
    assert len(declared) >= 8
    for processing in declared:
        for field in ("name", "purpose", "retention"):
            assert str(getattr(processing, field)).strip(), (processing.key, field)
        for field in ("persons", "data", "legal_basis", "recipients", "safeguards", "models"):
            assert getattr(processing, field), (processing.key, field)
        assert apps.get_app_config(processing.app_label)


def test_the_register_keeps_its_order():
    assert [p.key for p in register.register()] == [p.key for p in register.register()]


def test_a_key_cannot_be_declared_twice_with_other_content():
    existing = register.register()[0]
    with pytest.raises(ValueError, match="declared twice"):
        register.declare(Processing(**{**_fields(existing), "purpose": "something else"}))
    # Importing a module again declares the same thing again: that is no error.
    assert register.declare(Processing(**_fields(existing))) == existing


def test_a_key_needs_app_label_and_slug():
    existing = register.register()[0]
    with pytest.raises(ValueError, match="app label"):
        register.declare(Processing(**{**_fields(existing), "key": "nodot"}))


def _fields(processing: Processing) -> dict[str, object]:
    from dataclasses import fields

    return {f.name: getattr(processing, f.name) for f in fields(processing) if f.name != "order"}


# -- the page and the PDF ------------------------------------------------------------------


def test_the_dpo_reads_the_register_in_german(dpo):
    response = login_client(dpo).get(PAGE)
    assert response.status_code == 200
    page = _flat(response.content.decode())
    assert "Verzeichnis von Verarbeitungstätigkeiten" in page
    assert "Beispiel-Träger" in page  # the controller
    assert "Onlineberatung im Chat (Anlaufstelle und Team-Postfach)" in page
    assert "Falldokumentation und Hilfepläne" in page
    assert "Rechtsgrundlage" in page
    assert "Speicherdauer und Löschung" in page
    assert "§ 64 Abs. 2a SGB VIII" in page
    assert "§ 25 Abs. 1 TDDDG" in page
    assert "Übermittlung in Drittländer" in page
    # The DSB herself is named as the data-protection officer.
    assert str(dpo) in page


def test_a_dpo_who_chose_english_reads_it_in_english(dpo):
    from django.conf import settings

    client = login_client(dpo)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = _flat(client.get(PAGE).content.decode())
    assert "Register of processing activities" in page
    assert "Case documentation and help plans" in page
    assert "Verzeichnis von Verarbeitungstätigkeiten" not in page


@pytest.mark.parametrize("persona", ["leader", "admin_user"])
def test_leadership_and_admins_may_read_it_too(persona, request):
    user = request.getfixturevalue(persona)
    assert login_client(user).get(PAGE).status_code == 200


def test_the_dpo_downloads_it_as_pdf(dpo):
    response = login_client(dpo).get(PDF)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    text = _flat(pdf_text(response.content))
    assert "Verzeichnis von Verarbeitungstätigkeiten" in text
    assert (
        _flat("Dokumentation der Hilfe für eine Person: Fallverlauf, Hilfe- und Förderpläne")
        in text
    )
    assert "Art. 9 Abs. 2 lit. h DSGVO" in text


@pytest.mark.parametrize("persona", ["counsellor", "volunteer", "comms"])
@pytest.mark.parametrize("url", [PAGE, PDF])
def test_other_staff_are_refused(persona, url, request):
    user = request.getfixturevalue(persona)
    assert login_client(user).get(url).status_code == 403


@pytest.mark.parametrize("url", [PAGE, PDF])
def test_anonymous_visitors_are_sent_to_the_login(url, org):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/anmelden/")


@pytest.mark.parametrize(
    "query",
    ["?format=xml", "?page=-1&lang=xx", "?%ff%fe=%00", "?q=" + "x" * 5000, "?a[]=1&a[]=2"],
)
@pytest.mark.parametrize("url", [PAGE, PDF])
def test_junk_in_the_query_string_changes_nothing(url, query, dpo):
    response = login_client(dpo).get(url + query)
    assert response.status_code in (200, 400)
    if response.status_code == 200 and url == PAGE:
        assert "Verzeichnis von Verarbeitungstätigkeiten" in response.content.decode()


def test_the_register_is_read_only(dpo):
    assert login_client(dpo).post(PAGE).status_code == 405


def test_the_dpo_start_page_links_the_register_and_its_pdf(dpo, counsellor):
    html = login_client(dpo).get("/start/dpo/").content.decode()

    assert 'href="/datenschutz/verzeichnis/"' in html
    assert 'href="/datenschutz/verzeichnis/pdf/"' in html
    assert "Verzeichnis lesen" in html
    assert (
        "/datenschutz/verzeichnis/"
        not in login_client(counsellor).get("/start/counsellor/").content.decode()
    )
