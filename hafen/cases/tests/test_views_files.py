"""The case-file pages through the real stack: logged-in personas, real URLs, the database
and the audit log afterwards.

Personas (see ``conftest``): Jonas (``counsellor``) of Jugendberatung and Streetwork,
Lena (``colleague``) of Jugendberatung, Kai (``other_team``) of Schuldnerberatung,
Aylin (``volunteer``) of Streetwork, Dr. Hahn (``leader``), the DPO, an admin, and
staff of another organisation (``outsider``).
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from PIL import Image

from hafen.accounts.models import BreakGlass, Team
from hafen.cases import actions
from hafen.cases.models import (
    Case,
    CaseAttachment,
    CaseCategory,
    CaseConversationLink,
    CaseEntryVersion,
    CaseStatus,
    Confidentiality,
    Disclosure,
    EntryKind,
    Notice,
    Template,
    TemplateKind,
)
from hafen.cases.tests.conftest import entry, open_case
from hafen.cases.tests.test_pdf import pdf_text
from hafen.cases.validation import today
from hafen.conftest import login_client
from hafen.conversations import actions as conversation_actions
from hafen.conversations.models import Conversation
from hafen.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db
SCRIPT = '<script>alert("x")</script>'


def staff(user, language: str = "en"):
    """A logged-in browser of ``user`` that asks for pages in ``language``."""
    client = login_client(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def reads(case: Case, actor) -> int:
    return AuditEntry.objects.filter(
        action="case.read", object_id=str(case.pk), actor_id=actor.pk
    ).count()


def html(response) -> str:
    return response.content.decode()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "image/png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def entry_form(**fields) -> dict:
    data = {
        "kind": EntryKind.CONVERSATION,
        "occurred_on": today().isoformat(),
        "text": "Gespräch über die Bewerbung.",
        "confidentiality": Confidentiality.NORMAL,
        "substitute": "",
        "form_token": "token-entry-0001",
    }
    data.update(fields)
    return data


# -- the list and opening a case ---------------------------------------------------------


def test_the_list_shows_the_cases_a_person_may_see_and_filters_them(
    case, street_case, counsellor, other_team, youth
) -> None:
    closed = open_case(counsellor, youth, pseudonym="Alte Akte")
    actions.update_case(counsellor, closed, status=CaseStatus.CLOSED)
    client = staff(counsellor)

    page = html(client.get("/faelle/"))
    assert case.reference in page and street_case.reference in page
    assert closed.reference not in page  # open and paused by default

    closed_only = html(client.get("/faelle/", {"status": "closed"}))
    assert closed.reference in closed_only and case.reference not in closed_only
    by_team = html(client.get("/faelle/", {"team": youth.pk}))
    assert case.reference in by_team and street_case.reference not in by_team

    assert case.reference not in html(staff(other_team).get("/faelle/"))


def test_the_list_filter_for_my_cases_and_a_foreign_team_id_filters_nothing_wrongly(
    case, counsellor, colleague, other_team
) -> None:
    client = staff(colleague)
    assert case.reference in html(client.get("/faelle/"))  # her team's case
    assert case.reference not in html(client.get("/faelle/", {"mine": "on"}))

    foreign_team = other_team.memberships.get().team_id
    response = client.get("/faelle/", {"team": foreign_team})
    assert response.status_code == 400
    assert "Select a valid choice" in html(response)


def test_a_counsellor_opens_a_case_once_even_when_the_form_is_sent_twice(counsellor, youth) -> None:
    client = staff(counsellor)
    form = html(client.get("/faelle/neu/"))
    token = re.search(r'name="form_token" value="([^"]+)"', form).group(1)
    category = CaseCategory.objects.create(organisation_id=youth.organisation_id, name="§27")
    data = {
        "team": youth.pk,
        "pseudonym": f"Mia {SCRIPT}",
        "name": "Mia Çelik",
        "contact": "0151 1234567",
        "category": category.pk,
        "responsible": [counsellor.pk],
        "opened_on": (today() - timedelta(days=3)).isoformat(),
        "form_token": token,
    }

    first = client.post("/faelle/neu/", data)
    second = client.post("/faelle/neu/", data)

    made = Case.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/faelle/{made.pk}/"
    assert made.name == "Mia Çelik" and made.category == category
    page = html(client.get(f"/faelle/{made.pk}/"))
    assert "Mia Çelik" in page
    assert SCRIPT not in page and "&lt;script&gt;" in page


def test_a_case_cannot_be_opened_in_another_teams_name(counsellor, other_team) -> None:
    foreign_team = other_team.memberships.get().team_id
    response = staff(counsellor).post(
        "/faelle/neu/",
        {
            "team": foreign_team,
            "pseudonym": "X",
            "responsible": [counsellor.pk],
            "opened_on": today().isoformat(),
            "form_token": "token-foreign-01",
        },
    )

    assert response.status_code == 400
    assert "Select a valid choice" in html(response)
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Opened on cannot be in the future."), ("de", "Eröffnet am darf nicht in der Zukunft")],
)
def test_an_opening_date_in_the_future_is_refused_in_the_users_language(
    counsellor, youth, language, message
) -> None:
    client = staff(counsellor, language)
    response = client.post(
        "/faelle/neu/",
        {
            "team": youth.pk,
            "pseudonym": "Mo",
            "responsible": [counsellor.pk],
            "opened_on": (today() + timedelta(days=2)).isoformat(),
            "form_token": "token-future-01",
        },
    )

    assert response.status_code == 400
    assert message in html(response)
    assert not Case.objects.exists()


def test_a_volunteer_cannot_open_a_case(volunteer) -> None:
    client = staff(volunteer)
    assert client.get("/faelle/neu/").status_code == 302
    response = client.post("/faelle/neu/", {"pseudonym": "X", "form_token": "token-volunteer"})
    assert response.status_code == 302
    assert not Case.objects.exists()


# -- the case page -----------------------------------------------------------------------


def test_the_case_page_shows_the_file_to_its_team_and_audits_the_read(case, counsellor) -> None:
    before = reads(case, counsellor)
    page = html(staff(counsellor).get(f"/faelle/{case.pk}/"))

    assert case.reference in page and "Leon Krause" in page and "0151 0000000" in page
    assert "Erstgespräch: Leon möchte den Hauptschulabschluss schaffen." in page
    assert f'href="/faelle/{case.pk}/eintrag/"' in page
    assert reads(case, counsellor) == before + 1


@pytest.mark.parametrize("persona", ["other_team", "leader", "dpo", "comms", "admin_user"])
def test_nobody_outside_need_to_know_learns_the_case_exists(case, persona, request) -> None:
    user = request.getfixturevalue(persona)
    client = staff(user)
    first = case.entries.get()
    for url in (
        f"/faelle/{case.pk}/",
        f"/faelle/{case.pk}/bearbeiten/",
        f"/faelle/{case.pk}/eintrag/",
        f"/faelle/{case.pk}/export/",
        f"/faelle/eintrag/{first.pk}/korrigieren/",
        f"/faelle/eintrag/{first.pk}/versionen/",
    ):
        assert client.get(url).status_code == 404, url
    assert reads(case, user) == 0


def test_staff_of_another_organisation_gets_404_for_every_id(case, outsider) -> None:
    client = staff(outsider)
    assert client.get(f"/faelle/{case.pk}/").status_code == 404
    assert client.get("/faelle/999999999/").status_code == 404
    assert case.reference not in html(client.get("/faelle/"))


def test_a_volunteer_reads_only_if_the_organisation_allows_it_and_never_writes(
    street_case, volunteer, leader
) -> None:
    client = staff(volunteer)
    assert client.get(f"/faelle/{street_case.pk}/").status_code == 404

    actions.set_case_settings(leader, volunteers_see_cases=True)

    page = html(client.get(f"/faelle/{street_case.pk}/"))
    assert "Kontakt am Bahnhof" in page
    assert f"/faelle/{street_case.pk}/eintrag/" not in page
    assert client.get(f"/faelle/{street_case.pk}/eintrag/").status_code == 403
    response = client.post(f"/faelle/{street_case.pk}/eintrag/", entry_form())
    assert response.status_code == 403
    assert street_case.entries.count() == 1


def test_an_entrusted_entry_shows_as_withheld_without_its_text(case, counsellor, colleague) -> None:
    secret = entry(
        colleague, case, "Leon erzählt von der Gewalt zu Hause.", confidentiality="entrusted"
    )

    page = html(staff(counsellor).get(f"/faelle/{case.pk}/"))
    assert "Gewalt zu Hause" not in page
    assert f'id="eintrag-{secret.pk}"' in page and "Withheld" in page
    own = html(staff(colleague).get(f"/faelle/{case.pk}/"))
    assert "Leon erzählt von der Gewalt zu Hause." in own
    # Not even the history or the correction form opens for the others.
    client = staff(counsellor)
    assert client.get(f"/faelle/eintrag/{secret.pk}/versionen/").status_code == 404
    assert client.get(f"/faelle/eintrag/{secret.pk}/korrigieren/").status_code == 404


def test_the_history_filters_by_type_and_turns_to_chronological(case, counsellor) -> None:
    older = entry(
        counsellor,
        case,
        "Hausbesuch bei der Familie.",
        kind=EntryKind.HOME_VISIT,
        occurred_on=today() - timedelta(days=5),
    )
    client = staff(counsellor)

    visits = html(client.get(f"/faelle/{case.pk}/", {"art": "home_visit"}))
    assert "Hausbesuch bei der Familie." in visits and "Erstgespräch" not in visits
    chronological = html(client.get(f"/faelle/{case.pk}/", {"reihenfolge": "alt"}))
    assert chronological.index(f"eintrag-{older.pk}") < chronological.index("Erstgespräch")
    assert client.get(f"/faelle/{case.pk}/", {"art": "<x>"}).status_code == 200


# -- entries -----------------------------------------------------------------------------


def test_an_entry_is_written_once_even_when_sent_twice(case, counsellor) -> None:
    client = staff(counsellor)
    data = entry_form(text=f"Bewerbung geschrieben. {SCRIPT}")

    first = client.post(f"/faelle/{case.pk}/eintrag/", data)
    second = client.post(f"/faelle/{case.pk}/eintrag/", data)

    made = case.entries.exclude(pk=case.entries.order_by("pk").first().pk).get()
    assert first["Location"] == second["Location"] == f"/faelle/{case.pk}/#eintrag-{made.pk}"
    page = html(client.get(f"/faelle/{case.pk}/"))
    assert "&lt;script&gt;alert" in page and SCRIPT not in page
    assert AuditEntry.objects.filter(action="case.entry_added", object_id=str(case.pk)).count() == 2


def test_a_template_fills_the_new_entry_without_javascript(case, counsellor, leader) -> None:
    template = actions.create_template(
        leader,
        kind=TemplateKind.ENTRY,
        title="Hausbesuch",
        body="Anlass:\nEindruck der Wohnung:",
        entry_kind=EntryKind.HOME_VISIT,
    )
    client = staff(counsellor)

    page = html(client.get(f"/faelle/{case.pk}/eintrag/"))
    assert f'href="?vorlage={template.pk}#eintrag-formular"' in page
    filled = html(client.get(f"/faelle/{case.pk}/eintrag/", {"vorlage": template.pk}))
    assert "Anlass:\nEindruck der Wohnung:</textarea>" in filled
    assert 'value="home_visit" selected' in filled or 'value="home_visit" selected>' in filled

    for hostile in ("999999", "abc", "-1"):
        response = client.get(f"/faelle/{case.pk}/eintrag/", {"vorlage": hostile})
        assert response.status_code == 200
        assert "This template does not exist" in html(response)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Date cannot be before the opening of the case file"),
        ("de", "Datum darf nicht vor der Eröffnung der Fallakte liegen"),
    ],
)
def test_an_entry_dated_before_the_case_was_opened_is_refused(
    case, counsellor, language, message
) -> None:
    client = staff(counsellor, language)
    response = client.post(
        f"/faelle/{case.pk}/eintrag/",
        entry_form(occurred_on=(case.opened_on - timedelta(days=1)).isoformat()),
    )

    assert response.status_code == 400
    assert message in html(response)
    assert case.entries.count() == 1


def test_a_huge_text_and_a_broken_date_get_messages_not_errors(case, counsellor) -> None:
    client = staff(counsellor)
    huge = client.post(f"/faelle/{case.pk}/eintrag/", entry_form(text="x" * 60_000))
    broken = client.post(f"/faelle/{case.pk}/eintrag/", entry_form(occurred_on="31.02.2026"))
    nul = client.post(f"/faelle/{case.pk}/eintrag/", entry_form(text="\x00\x00"))

    assert huge.status_code == 400 and "at most 50000 characters" in html(huge)
    assert broken.status_code == 400 and "Enter a valid date" in html(broken)
    assert nul.status_code == 400
    assert case.entries.count() == 1


def test_writing_into_another_teams_case_by_changing_the_id_changes_nothing(
    case, other_team
) -> None:
    response = staff(other_team).post(f"/faelle/{case.pk}/eintrag/", entry_form())

    assert response.status_code == 404
    assert case.entries.count() == 1


def test_an_entrusted_entry_names_a_substitute_who_can_read_it(case, counsellor, colleague) -> None:
    client = staff(counsellor)
    client.post(
        f"/faelle/{case.pk}/eintrag/",
        entry_form(
            text="Anvertraut: Schulden bei Freunden.",
            confidentiality="entrusted",
            substitute=colleague.pk,
        ),
    )

    made = case.entries.get(confidentiality="entrusted")
    assert made.substitute == colleague
    assert "Anvertraut: Schulden" in html(staff(colleague).get(f"/faelle/{case.pk}/"))


def test_a_correction_keeps_the_old_text_in_the_history(case, counsellor, colleague) -> None:
    first = case.entries.get()
    client = staff(colleague)
    form = html(client.get(f"/faelle/eintrag/{first.pk}/korrigieren/"))
    assert "Erstgespräch: Leon möchte" in form

    response = client.post(
        f"/faelle/eintrag/{first.pk}/korrigieren/",
        {
            "kind": EntryKind.CONVERSATION,
            "occurred_on": first.occurred_on.isoformat(),
            "text": "Erstgespräch: Leon möchte den Realschulabschluss schaffen.",
            "reason": "Abschluss verwechselt",
            "expected_version": 1,
        },
    )

    assert response.status_code == 302
    page = html(client.get(f"/faelle/{case.pk}/"))
    assert "Realschulabschluss" in page and "Hauptschulabschluss" not in page
    assert f'href="/faelle/eintrag/{first.pk}/versionen/"' in page
    history = html(staff(counsellor).get(f"/faelle/eintrag/{first.pk}/versionen/"))
    assert "Realschulabschluss" in history and "Hauptschulabschluss" in history
    assert "Abschluss verwechselt" in history
    assert "Lena Vogt" in history and "Version 1" in history and "Version 2" in history
    assert CaseEntryVersion.objects.filter(entry=first).count() == 2


def test_a_correction_over_a_colleagues_newer_one_changes_nothing(case, counsellor, colleague):
    first = case.entries.get()
    actions.correct_entry(colleague, first, text="Lenas Fassung.")
    response = staff(counsellor).post(
        f"/faelle/eintrag/{first.pk}/korrigieren/",
        {
            "kind": first.kind,
            "occurred_on": first.occurred_on.isoformat(),
            "text": "Jonas' Fassung.",
            "reason": "",
            "expected_version": 1,
        },
    )

    assert response.status_code == 400
    assert "Meanwhile Lena Vogt corrected this entry" in html(response)
    assert CaseEntryVersion.objects.filter(entry=first).count() == 2


# -- attachments -------------------------------------------------------------------------


def test_a_photo_goes_with_a_new_entry_and_downloads_with_an_audit(
    case, counsellor, other_team
) -> None:
    client = staff(counsellor)
    client.post(
        f"/faelle/{case.pk}/eintrag/",
        {**entry_form(), "attachment": upload("brief.png", png_bytes())},
    )
    attachment = CaseAttachment.objects.get()
    page = html(client.get(f"/faelle/{case.pk}/"))
    assert f'href="/faelle/anhang/{attachment.pk}/"' in page and "brief.png" in page

    before = reads(case, counsellor)
    download = client.get(f"/faelle/anhang/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download.content.startswith(b"\x89PNG")
    assert reads(case, counsellor) == before + 1
    assert staff(other_team).get(f"/faelle/anhang/{attachment.pk}/").status_code == 404
    assert staff(other_team).get("/faelle/anhang/abc/").status_code == 404


def test_a_file_that_lies_about_its_type_is_refused_with_a_message(case, counsellor) -> None:
    first = case.entries.get()
    client = staff(counsellor)
    lying = upload("rechnung.pdf", b"<html><script>x</script></html>", "application/pdf")

    response = client.post(f"/faelle/eintrag/{first.pk}/anhang/", {"attachment": lying})

    assert response.status_code == 400
    assert "This file cannot be attached. Please choose a photo" in html(response)
    assert 'id="id_attachment_error"' in html(response)  # beside its field
    assert not CaseAttachment.objects.exists()
    new = client.post(
        f"/faelle/{case.pk}/eintrag/",
        {**entry_form(), "attachment": upload("x.png", b"GIF89a....", "image/png")},
    )
    assert new.status_code == 400 and case.entries.count() == 1


def test_a_file_is_attached_afterwards_only_by_who_may_write(case, counsellor, other_team) -> None:
    first = case.entries.get()
    refused = staff(other_team).post(
        f"/faelle/eintrag/{first.pk}/anhang/", {"attachment": upload("a.png", png_bytes())}
    )
    assert refused.status_code == 404
    assert staff(other_team).get(f"/faelle/eintrag/{first.pk}/anhang/").status_code == 404
    page = html(staff(counsellor).get(f"/faelle/{case.pk}/"))
    assert f'href="/faelle/eintrag/{first.pk}/anhang/"' in page

    done = staff(counsellor).post(
        f"/faelle/eintrag/{first.pk}/anhang/", {"attachment": upload("a.png", png_bytes())}
    )
    assert done.status_code == 302 and done["Location"].endswith(f"#eintrag-{first.pk}")
    assert CaseAttachment.objects.filter(entry=first).count() == 1


# -- changing and closing ----------------------------------------------------------------


def edit_form(case: Case, **fields) -> dict:
    data = {
        "pseudonym": case.pseudonym,
        "name": "Leon Krause",
        "contact": "0151 0000000",
        "category": "",
        "responsible": [user.pk for user in case.responsible.all()],
        "status": case.status,
        "closed_on": "",
    }
    data.update(fields)
    return data


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Closed on cannot be before the opening date"),
        ("de", "Abgeschlossen am darf nicht vor dem Eröffnungsdatum liegen"),
    ],
)
def test_a_closing_date_before_the_opening_is_refused(case, counsellor, language, message):
    client = staff(counsellor, language)
    response = client.post(
        f"/faelle/{case.pk}/bearbeiten/",
        edit_form(
            case,
            status=CaseStatus.CLOSED,
            closed_on=(case.opened_on - timedelta(days=1)).isoformat(),
        ),
    )

    assert response.status_code == 400
    assert message in html(response)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.closed_on is None


def test_a_case_is_closed_and_reopened(case, counsellor) -> None:
    client = staff(counsellor)
    closing = today() - timedelta(days=1)
    response = client.post(
        f"/faelle/{case.pk}/bearbeiten/",
        edit_form(case, status=CaseStatus.CLOSED, closed_on=closing.isoformat()),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_on == closing

    client.post(f"/faelle/{case.pk}/bearbeiten/", edit_form(case, status=CaseStatus.OPEN))
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.closed_on is None


def test_another_team_cannot_change_a_case_by_its_id(case, other_team) -> None:
    response = staff(other_team).post(
        f"/faelle/{case.pk}/bearbeiten/", edit_form(case, pseudonym="Gehackt")
    )

    assert response.status_code == 404
    case.refresh_from_db()
    assert case.pseudonym == "Leon K."


# -- search ------------------------------------------------------------------------------


def test_search_finds_entries_and_links_to_them(case, counsellor, other_team) -> None:
    first = case.entries.get()
    page = html(staff(counsellor).get("/faelle/suche/", {"q": "hauptschul"}))

    assert f'href="/faelle/{case.pk}/#eintrag-{first.pk}"' in page
    assert "Hauptschulabschluss" in page
    foreign = html(staff(other_team).get("/faelle/suche/", {"q": "hauptschul"}))
    assert case.reference not in foreign and "Nothing found" in foreign


def test_search_with_a_script_or_one_letter_says_so(case, counsellor) -> None:
    client = staff(counsellor)
    hostile = client.get("/faelle/suche/", {"q": SCRIPT})
    assert hostile.status_code == 200 and SCRIPT not in html(hostile)
    short = client.get("/faelle/suche/", {"q": "a"})
    assert "Please type at least 2 characters" in html(short)
    empty = client.get("/faelle/suche/", {"q": ""})
    assert empty.status_code == 400


# -- templates ---------------------------------------------------------------------------


def test_leadership_writes_templates_and_counsellors_read_them(counsellor, leader) -> None:
    created = staff(leader).post(
        "/faelle/vorlagen/",
        {"kind": "entry", "title": "Erstgespräch", "entry_kind": "", "body": "Anlass:\n"},
    )
    assert created.status_code == 302
    template = Template.objects.get()

    client = staff(counsellor)
    page = html(client.get("/faelle/vorlagen/"))
    assert "Erstgespräch" in page and f"/faelle/vorlagen/{template.pk}/" not in page
    refused = client.post(
        "/faelle/vorlagen/", {"kind": "entry", "title": "Meins", "entry_kind": "", "body": "x"}
    )
    assert refused.status_code == 403
    assert client.get(f"/faelle/vorlagen/{template.pk}/").status_code == 403
    assert Template.objects.count() == 1


def test_a_template_is_changed_and_a_duplicate_title_is_refused(
    leader, admin_user, outsider
) -> None:
    client = staff(admin_user)  # administrators manage templates as leadership does
    one = actions.create_template(leader, kind="entry", title="Eins", body="a")
    actions.create_template(leader, kind="entry", title="Zwei", body="b")

    duplicate = client.post(
        f"/faelle/vorlagen/{one.pk}/",
        {"title": "zwei", "entry_kind": "", "body": "a", "is_active": "on"},
    )
    assert duplicate.status_code == 400 and "exists already" in html(duplicate)
    done = client.post(
        f"/faelle/vorlagen/{one.pk}/", {"title": "Eins", "entry_kind": "", "body": "neu"}
    )
    assert done.status_code == 302
    one.refresh_from_db()
    assert one.body == "neu" and not one.is_active
    assert staff(outsider).get(f"/faelle/vorlagen/{one.pk}/").status_code == 404


# -- export ------------------------------------------------------------------------------


def test_the_pdf_export_is_recorded_and_leaves_out_what_may_not_leave(
    case, counsellor, colleague
) -> None:
    entry(colleague, case, "Lenas anvertrauter Eintrag.", confidentiality="entrusted")
    mine = entry(counsellor, case, "Jonas' anvertrauter Eintrag.", confidentiality="third_party")
    client = staff(counsellor)
    page = html(client.get(f"/faelle/{case.pk}/export/"))
    assert "Include the entrusted and third-party entries" in page

    response = client.post(f"/faelle/{case.pk}/export/", {"reason": ""})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{case.reference}.pdf"'
    text = pdf_text(response.content)
    assert case.reference in text and "Leon Krause" in text
    assert "Erstgespräch: Leon möchte den Hauptschulabschluss schaffen." in text
    assert "anvertrauter Eintrag" not in text
    assert "2 entries are not part of this export" in text
    disclosure = Disclosure.objects.get()
    assert not disclosure.includes_restricted and disclosure.by == counsellor
    assert AuditEntry.objects.filter(action="case.disclosed", object_id=str(case.pk)).exists()
    assert mine.pk


def test_restricted_entries_go_into_the_pdf_only_with_a_reason(case, counsellor) -> None:
    entry(counsellor, case, "Jonas' anvertrauter Eintrag.", confidentiality="entrusted")
    client = staff(counsellor)

    refused = client.post(
        f"/faelle/{case.pk}/export/", {"include_restricted": "on", "reason": "kurz"}
    )
    assert refused.status_code == 400
    assert "at least 10 characters" in html(refused)
    assert not Disclosure.objects.exists()

    done = client.post(
        f"/faelle/{case.pk}/export/",
        {"include_restricted": "on", "reason": "Anforderung des Familiengerichts"},
    )
    assert "Jonas' anvertrauter Eintrag." in pdf_text(done.content)
    disclosure = Disclosure.objects.get()
    assert (
        disclosure.includes_restricted and disclosure.reason == "Anforderung des Familiengerichts"
    )


# -- break-glass -------------------------------------------------------------------------


def test_break_glass_opens_a_foreign_case_for_a_while_and_tells_the_dpo(
    case, other_team, dpo
) -> None:
    client = staff(other_team)
    assert client.get(f"/faelle/{case.pk}/").status_code == 404
    assert 'href="/faelle/notfallzugang/"' in html(client.get("/faelle/"))

    short = client.post(
        "/faelle/notfallzugang/", {"reference": case.reference, "reason": "kurz", "minutes": 60}
    )
    assert short.status_code == 400 and not BreakGlass.objects.exists()
    unknown = client.post(
        "/faelle/notfallzugang/",
        {
            "reference": "F-1999-9999",
            "reason": "Akute Gefährdung, Team nicht erreichbar",
            "minutes": 60,
        },
    )
    assert "There is no case file with this number" in html(unknown)

    response = client.post(
        "/faelle/notfallzugang/",
        {
            "reference": case.reference.lower(),
            "reason": "Akute Gefährdung, Team nicht erreichbar",
            "minutes": 30,
        },
    )

    assert response.status_code == 302 and response["Location"] == f"/faelle/{case.pk}/"
    page = html(client.get(f"/faelle/{case.pk}/"))
    assert "Emergency access: you can open this case file until" in page
    assert "Erstgespräch" in page
    assert Notice.objects.filter(recipient=dpo, kind="break_glass", case=case).exists()
    assert AuditEntry.objects.filter(action="case.break_glass", object_id=str(case.pk)).exists()


def test_break_glass_is_not_for_volunteers_or_the_dpo(case, volunteer, dpo) -> None:
    for user in (volunteer, dpo):
        response = staff(user).post(
            "/faelle/notfallzugang/",
            {"reference": case.reference, "reason": "Akute Gefährdung, bitte", "minutes": 60},
        )
        assert response.status_code == 403
        assert 'href="/faelle/notfallzugang/"' not in html(staff(user).get("/faelle/"))
    assert not BreakGlass.objects.exists()


# -- the inbox's seam --------------------------------------------------------------------


def conversation(slug: str = "jugendberatung") -> Conversation:
    made = conversation_actions.start_conversation(Team.objects.get(slug=slug))
    return Conversation.objects.get(pk=made.conversation.pk)


def test_the_inbox_links_a_conversation_to_a_case_and_back(case, counsellor) -> None:
    chat = conversation()
    client = staff(counsellor)

    inbox = html(client.get(f"/posteingang/{chat.pk}/"))
    assert 'id="case-heading"' in inbox
    assert f'action="/faelle/gespraech/{chat.pk}/"' in inbox and case.reference in inbox
    confirm = html(client.get(f"/faelle/gespraech/{chat.pk}/", {"fall": case.pk}))
    assert f'<option value="{case.pk}" selected>' in confirm

    linked = client.post(f"/faelle/gespraech/{chat.pk}/verknuepfen/", {"case": case.pk})
    assert linked["Location"] == f"/posteingang/{chat.pk}/"
    assert CaseConversationLink.objects.filter(case=case, conversation=chat).exists()
    inbox = html(client.get(f"/posteingang/{chat.pk}/"))
    assert f'href="/faelle/{case.pk}/"' in inbox
    page = html(client.get(f"/faelle/{case.pk}/"))
    assert f'href="/posteingang/{chat.pk}/"' in page

    client.post(f"/faelle/gespraech/{chat.pk}/loesen/", {"case": case.pk, "back": "case"})
    assert not CaseConversationLink.objects.exists()


def test_a_conversation_cannot_be_linked_to_a_case_of_another_team(case, other_team) -> None:
    chat = conversation("schuldnerberatung")
    client = staff(other_team)

    response = client.post(f"/faelle/gespraech/{chat.pk}/verknuepfen/", {"case": case.pk})

    assert response.status_code == 404
    assert not CaseConversationLink.objects.exists()
    for hostile in ("", "abc", "-5", "99999999999999999999"):
        assert (
            client.post(f"/faelle/gespraech/{chat.pk}/verknuepfen/", {"case": hostile}).status_code
            == 404
        )


def test_a_case_opened_from_a_conversation_is_linked_to_it(counsellor, other_team) -> None:
    chat = conversation()
    client = staff(counsellor)
    form = html(client.get("/faelle/neu/", {"gespraech": chat.pk}))
    assert f'name="conversation" value="{chat.pk}"' in form
    assert f'value="{chat.pseudonym}"' in form  # the pseudonym proposed

    client.post(
        "/faelle/neu/",
        {
            "team": chat.team_id,
            "pseudonym": "Sam",
            "responsible": [counsellor.pk],
            "opened_on": today().isoformat(),
            "form_token": "token-from-chat",
            "conversation": chat.pk,
        },
    )

    made = Case.objects.get()
    assert CaseConversationLink.objects.filter(case=made, conversation=chat).exists()
    # Somebody else's conversation id is not linked, and the case is opened all the same.
    foreign = conversation("schuldnerberatung")
    staff(counsellor).post(
        "/faelle/neu/",
        {
            "team": chat.team_id,
            "pseudonym": "Kim",
            "responsible": [counsellor.pk],
            "opened_on": today().isoformat(),
            "form_token": "token-from-foreign",
            "conversation": foreign.pk,
        },
    )
    assert Case.objects.count() == 2
    assert not CaseConversationLink.objects.filter(conversation=foreign).exists()


def test_without_a_case_the_conversation_page_says_nothing_about_cases(counsellor) -> None:
    chat = conversation()
    assert 'id="case-heading"' not in html(staff(counsellor).get(f"/posteingang/{chat.pk}/"))


# -- navigation and language -------------------------------------------------------------


def test_the_navigation_leads_counsellors_and_leadership_to_the_case_files(
    counsellor, leader, comms, dpo
) -> None:
    for user in (counsellor, leader):
        page = html(staff(user).get("/konto/sicherheit/"))
        assert page.count('href="/faelle/"') == 1, user
    for user in (comms, dpo):
        assert 'href="/faelle/"' not in html(staff(user).get("/konto/sicherheit/"))
    listed = html(staff(counsellor).get("/faelle/"))
    assert '<a href="/faelle/" aria-current="page">' in listed


def test_a_tampered_hidden_field_asks_to_reload_and_changes_nothing(case, counsellor) -> None:
    first = case.entries.get()
    client = staff(counsellor)

    version = client.post(
        f"/faelle/eintrag/{first.pk}/korrigieren/",
        {
            "kind": first.kind,
            "occurred_on": first.occurred_on.isoformat(),
            "text": "Neu",
            "reason": "",
            "expected_version": "abc",
        },
    )
    token = client.post(f"/faelle/{case.pk}/eintrag/", entry_form(form_token="<script>!!"))

    for response in (version, token):
        assert response.status_code == 400
        assert "The form is no longer valid. Please reload the page" in html(response)
    assert CaseEntryVersion.objects.filter(entry=first).count() == 1
    assert case.entries.count() == 1


def test_the_edit_and_correction_forms_record_the_read(case, counsellor) -> None:
    first = case.entries.get()
    client = staff(counsellor)
    before = reads(case, counsellor)

    assert "Leon Krause" in html(client.get(f"/faelle/{case.pk}/bearbeiten/"))
    assert "Erstgespräch" in html(client.get(f"/faelle/eintrag/{first.pk}/korrigieren/"))

    assert reads(case, counsellor) == before + 2


def test_the_pages_speak_german(case, counsellor) -> None:
    page = html(staff(counsellor, "de").get(f"/faelle/{case.pk}/"))
    assert "Eintrag schreiben" in page and "Fallverlauf" in page


# -- no query per row --------------------------------------------------------------------


def _page_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_case_page_and_the_list_cost_the_same_queries_for_many_entries_and_cases(
    counsellor, colleague, youth
) -> None:
    from hafen.cases.tests.test_query_counts import _grow_case

    small, large = open_case(counsellor, youth, "Klein"), open_case(counsellor, youth, "Groß")
    _grow_case(small, counsellor, colleague, 2)
    _grow_case(large, counsellor, colleague, 25)
    client = staff(counsellor)

    assert _page_queries(client, f"/faelle/{small.pk}/") == _page_queries(
        client, f"/faelle/{large.pk}/"
    )
    few = _page_queries(client, "/faelle/")
    for number in range(10):
        open_case(counsellor, youth, f"Fall {number}")
    assert _page_queries(client, "/faelle/") == few
