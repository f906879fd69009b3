"""The partner directory through the real stack: search and filters, who may edit, contacts
and their retention rule, the CSV import (all or nothing) and the export (no formulas)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hafen.network import csv_io, retention, tasks
from hafen.network.models import Contact, Partner
from hafen.network.tests.conftest import browse, make_partner
from hafen.privacy.models import AuditEntry
from hafen.privacy.register import models_without_declaration

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    return [partner.name for partner in response.context["partners"]]


def test_staff_find_partners_by_service_area_and_language(counsellor, volunteer) -> None:
    make_partner(counsellor, "Schuldnerberatung Nord")
    make_partner(
        counsellor,
        "Frauenhaus Lichtblick",
        services="Schutz, Unterkunft",
        areas="Landkreis",
        languages="Deutsch, Ukrainisch",
    )
    browser = browse(volunteer)  # volunteers read the directory too

    assert _names(browser.get("/netzwerk/")) == ["Frauenhaus Lichtblick", "Schuldnerberatung Nord"]
    assert _names(browser.get("/netzwerk/", {"service": "schuld"})) == ["Schuldnerberatung Nord"]
    assert _names(browser.get("/netzwerk/", {"area": "Landkreis"})) == ["Frauenhaus Lichtblick"]
    assert _names(browser.get("/netzwerk/", {"language": "ukrain"})) == ["Frauenhaus Lichtblick"]
    assert _names(browser.get("/netzwerk/", {"q": "Unterkunft", "language": "Deutsch"})) == [
        "Frauenhaus Lichtblick"
    ]
    empty = browser.get("/netzwerk/", {"service": "Zahnarzt"})
    assert _names(empty) == []
    assert b"No partner organisation matches these filters." in empty.content
    # An absurdly long filter is cut, not an error.
    assert browser.get("/netzwerk/", {"q": "x" * 5000}).status_code == 200


def test_a_counsellor_adds_a_partner_and_it_is_audited(counsellor) -> None:
    browser = browse(counsellor)
    response = browser.post(
        "/netzwerk/partner/neu/",
        {
            "name": "  Jobcenter   U25 ",
            "services": "Ausbildung,, Bürgergeld ,",
            "languages": "Deutsch",
            "reach": "Am Markt 3",
        },
    )
    partner = Partner.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/netzwerk/partner/{partner.pk}/"
    assert (partner.name, partner.services) == ("Jobcenter U25", "Ausbildung, Bürgergeld")
    entry = AuditEntry.objects.get(action="network.partner_created")
    assert entry.actor_id == counsellor.pk and entry.object_id == str(partner.pk)
    assert "Jobcenter" not in str(entry.details)

    page = browser.get(f"/netzwerk/partner/{partner.pk}/")
    assert b"Am Markt 3" in page.content


def test_bad_partner_input_is_refused_with_a_message_and_changes_nothing(counsellor) -> None:
    make_partner(counsellor, "Schuldnerberatung Nord")
    browser = browse(counsellor)

    empty = browser.post("/netzwerk/partner/neu/", {"name": "   "})
    twice = browser.post("/netzwerk/partner/neu/", {"name": "schuldnerberatung nord"})
    too_long = browser.post("/netzwerk/partner/neu/", {"name": "x" * 201})

    assert empty.status_code == twice.status_code == too_long.status_code == 400
    assert b"Please fill in: Name." in empty.content
    assert b"is in the directory already" in twice.content
    assert b"Too long: at most 200 characters." in too_long.content
    assert Partner.objects.count() == 1


def test_who_may_edit_and_who_may_see(counsellor, volunteer, dpo, leader, comms, outsider) -> None:
    partner = make_partner(counsellor)
    for person in (volunteer, dpo):
        browser = browse(person)
        assert browser.get(f"/netzwerk/partner/{partner.pk}/").status_code == 200
        assert browser.get("/netzwerk/partner/neu/").status_code == 404
        assert (
            browser.post(f"/netzwerk/partner/{partner.pk}/bearbeiten/", {"name": "X"}).status_code
            == 404
        )
    for person in (leader, comms):
        assert browse(person).get(f"/netzwerk/partner/{partner.pk}/bearbeiten/").status_code == 200
    stranger = browse(outsider)
    assert stranger.get(f"/netzwerk/partner/{partner.pk}/").status_code == 404
    assert _names(stranger.get("/netzwerk/")) == []
    assert Partner.objects.get().name == "Schuldnerberatung Nord"


def test_contacts_are_added_changed_confirmed_and_deleted(counsellor, volunteer) -> None:
    partner = make_partner(counsellor)
    browser = browse(counsellor)

    added = browser.post(
        f"/netzwerk/partner/{partner.pk}/kontakt/",
        {"name": "Sabine Krüger", "function": "Beraterin", "email": "s.krueger@example.org"},
    )
    contact = Contact.objects.get()
    assert added.status_code == 302 and contact.confirmed_on == timezone.localdate()

    bad = browser.post(f"/netzwerk/kontakt/{contact.pk}/", {"name": "Sabine", "email": "kein@"})
    assert bad.status_code == 400 and b"valid e-mail address" in bad.content

    Contact.objects.filter(pk=contact.pk).update(
        confirmed_on=timezone.localdate() - timedelta(days=800)
    )
    page = browser.get(f"/netzwerk/partner/{partner.pk}/")
    assert b"please confirm" in page.content
    browser.post(f"/netzwerk/kontakt/{contact.pk}/bestaetigen/")
    contact.refresh_from_db()
    assert contact.confirmed_on == timezone.localdate()
    assert b"please confirm" not in browser.get(f"/netzwerk/partner/{partner.pk}/").content

    # A volunteer reads the contact but may not delete it.
    assert browse(volunteer).post(f"/netzwerk/kontakt/{contact.pk}/loeschen/").status_code == 404
    assert browser.post(f"/netzwerk/kontakt/{contact.pk}/loeschen/").status_code == 302
    assert not Contact.objects.exists()
    assert list(
        AuditEntry.objects.filter(action__startswith="network.contact").values_list(
            "action", flat=True
        )
    ) == ["network.contact_added", "network.contact_confirmed", "network.contact_deleted"]


def test_the_retention_rule_deletes_contacts_nobody_confirmed_for_three_years(counsellor) -> None:
    partner = make_partner(counsellor)
    today = timezone.localdate()
    old = Contact.objects.create(
        partner=partner,
        name="Alt",
        confirmed_on=today - timedelta(days=retention.DELETE_AFTER_DAYS + 1),
    )
    kept = Contact.objects.create(
        partner=partner,
        name="Noch da",
        confirmed_on=today - timedelta(days=retention.DELETE_AFTER_DAYS - 1),
    )

    assert tasks.delete_expired_contacts.call() == 1
    assert list(Contact.objects.values_list("pk", flat=True)) == [kept.pk]
    proof = AuditEntry.objects.get(action="network.contact_expired")
    assert proof.object_id == str(old.pk) and "Alt" not in str(proof.details)
    assert tasks.delete_expired_contacts.call() == 0  # a second run finds nothing


def test_every_network_model_is_declared_for_the_register() -> None:
    from django.apps import apps

    assert models_without_declaration(apps.get_app_config("network").get_models()) == []


# -- CSV import and export ---------------------------------------------------------------


def _upload(content: bytes, name: str = "partner.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_a_partner_list_is_imported_whole(counsellor) -> None:
    content = (
        "Name;Angebote;Gebiete;Sprachen;Erreichbarkeit\r\n"
        'Suchtberatung Mitte;Sucht, Substitution;Mitte;Deutsch;"Tel. 1\nMo bis Fr"\r\n'
        "Tafel Nord;Lebensmittel;Nordstadt;;\r\n"
        "\r\n"
    ).encode("cp1252")  # as German Excel saves it
    browser = browse(counsellor)

    response = browser.post("/netzwerk/partner/import/", {"file": _upload(content)})

    assert response.status_code == 302
    assert sorted(Partner.objects.values_list("name", flat=True)) == [
        "Suchtberatung Mitte",
        "Tafel Nord",
    ]
    assert Partner.objects.get(name="Suchtberatung Mitte").reach == "Tel. 1\nMo bis Fr"
    assert AuditEntry.objects.get(action="network.partners_imported").details["count"] == 2


def test_malformed_rows_are_reported_by_number_and_nothing_is_imported(counsellor) -> None:
    make_partner(counsellor, "Tafel Nord")
    content = (
        "Name,Services,Languages\n"
        "Gute Zeile,Beratung,Deutsch\n"
        ",ohne Namen,Deutsch\n"
        "tafel nord,doppelt,\n"
        "Zu viele,Zellen,Deutsch,extra\n"
        f"{'x' * 300},zu lang,\n"
    ).encode()
    browser = browse(counsellor)

    response = browser.post("/netzwerk/partner/import/", {"file": _upload(content)})

    assert response.status_code == 400
    text = response.content.decode()
    assert "Nothing was imported" in text
    for row in ("Row 3:", "Row 4:", "Row 5:", "Row 6:"):
        assert row in text
    assert "Row 2:" not in text
    assert list(Partner.objects.values_list("name", flat=True)) == ["Tafel Nord"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"x" * (csv_io.MAX_IMPORT_BYTES + 1), b"The file is too big: at most 1 MB"),
        (b"", b"The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00", b"This is not a CSV file."),
        (b"Firma;Ort\nA;B\n", b"must name the columns"),
        (b'Name;Notizen\nA;"nicht geschlossen\n', b"cannot be read as CSV"),
        (b"Name\n\n\n", b"no partners below its first row"),
        (b"Name\n" + b"A\n" * (csv_io.MAX_IMPORT_ROWS + 1), b"too many rows"),
    ],
    ids=["huge", "empty", "binary", "no-name-column", "open-quote", "no-rows", "many-rows"],
)
def test_a_file_that_is_no_partner_list_is_refused_with_a_clear_message(
    counsellor, content, message
) -> None:
    response = browse(counsellor).post("/netzwerk/partner/import/", {"file": _upload(content)})
    assert response.status_code == 400
    assert message in response.content
    assert not Partner.objects.exists()


def test_the_export_neutralises_cells_a_spreadsheet_would_run(counsellor, volunteer) -> None:
    make_partner(
        counsellor, '=HYPERLINK("http://evil")', services="+49 400 1", areas="-1", notes="@SUM(A1)"
    )
    make_partner(counsellor, "Tafel Nord", services="Lebensmittel")

    response = browse(volunteer).get("/netzwerk/partner/export.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Name;Angebote;Gebiete;Zielgruppen;Sprachen;Erreichbarkeit;Notizen"
    cells = [cell for line in lines[1:] for cell in line.split(";")]
    assert not any(cell.lstrip('"').startswith(("=", "+", "-", "@")) for cell in cells)
    assert "'+49 400 1" in cells and "'-1" in cells and "'@SUM(A1)" in cells
    assert "Tafel Nord" in cells
