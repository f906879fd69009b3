"""The case history: entries, need-to-know below the case, corrections that keep every
version, attachments checked by their content, and hostile input that changes nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import translation
from PIL import Image

from hafen.cases import access, actions, queries
from hafen.cases.models import (
    CaseAttachment,
    CaseEntry,
    CaseEntryVersion,
    Confidentiality,
    EntryKind,
)
from hafen.cases.tests.conftest import entry
from hafen.cases.validation import today
from hafen.conversations.attachments import check_upload
from hafen.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db

SECRET = "Leon erzählt im Vertrauen, dass er bei einem Mitschüler Schulden hat."


def _texts(user, case) -> list[str | None]:
    return [e.text for e in queries.case_page(user, case).entries]


# -- entrusted and third-party entries ----------------------------------------------------


@pytest.mark.parametrize(
    "confidentiality", [Confidentiality.ENTRUSTED, Confidentiality.THIRD_PARTY]
)
def test_restricted_entries_are_withheld_from_the_team(
    case, counsellor, colleague, confidentiality
) -> None:
    secret = entry(counsellor, case, SECRET, confidentiality=confidentiality)

    assert SECRET in _texts(counsellor, case)
    page = queries.case_page(colleague, case)
    shown = {e.id: e for e in page.entries}[secret.pk]
    assert shown.withheld and shown.text is None and shown.attachments == []
    assert not shown.may_correct
    assert queries.display_entry(colleague, secret) == shown
    assert queries.display_entry(counsellor, secret).text == SECRET
    assert page.withheld_count == 1
    assert SECRET not in repr(page)
    assert not access.entry_visible(colleague, secret)
    with pytest.raises(Http404):
        access.access_entry(colleague, secret.pk)
    with pytest.raises(PermissionDenied):
        actions.correct_entry(colleague, secret, text="Überschrieben")


def test_the_named_substitute_reads_an_entrusted_entry(case, counsellor, colleague) -> None:
    secret = entry(
        counsellor, case, SECRET, confidentiality=Confidentiality.ENTRUSTED, substitute=colleague
    )

    assert SECRET in _texts(colleague, case)
    assert access.access_entry(colleague, secret.pk) == secret
    actions.correct_entry(colleague, secret, text=SECRET + " Er klärt es selbst.")


def test_a_substitute_must_be_a_colleague_who_can_open_the_case(
    case, counsellor, other_team
) -> None:
    with pytest.raises(ValidationError, match="cannot open this case file"):
        entry(
            counsellor,
            case,
            SECRET,
            confidentiality=Confidentiality.ENTRUSTED,
            substitute=other_team,
        )
    with pytest.raises(ValidationError, match="not yourself"):
        entry(
            counsellor,
            case,
            SECRET,
            confidentiality=Confidentiality.ENTRUSTED,
            substitute=counsellor,
        )
    assert case.entries.count() == 1


def test_a_substitute_on_a_team_entry_is_ignored(case, counsellor, colleague) -> None:
    plain = entry(counsellor, case, "Telefonat mit der Schule.", substitute=colleague)

    assert plain.substitute is None


# -- versions -----------------------------------------------------------------------------


def test_a_correction_adds_a_version_and_every_earlier_one_stays(
    case, counsellor, colleague
) -> None:
    first = entry(counsellor, case, "Hausbesuch am Montag.", kind=EntryKind.NOTE)

    actions.correct_entry(
        colleague,
        first,
        text="Hausbesuch am Dienstag.",
        kind=EntryKind.HOME_VISIT,
        reason="Falscher Wochentag",
        expected_version=1,
    )
    actions.correct_entry(counsellor, first, text="Hausbesuch am Dienstag, 14 Uhr.")

    history = queries.entry_history(counsellor, first)
    assert [(v.number, v.text, v.author) for v in history] == [
        (1, "Hausbesuch am Montag.", counsellor),
        (2, "Hausbesuch am Dienstag.", colleague),
        (3, "Hausbesuch am Dienstag, 14 Uhr.", counsellor),
    ]
    assert [v.reason for v in history] == ["", "Falscher Wochentag", ""]
    assert [v.kind for v in history] == [EntryKind.NOTE, EntryKind.HOME_VISIT, EntryKind.HOME_VISIT]
    assert history[0].created_at <= history[1].created_at <= history[2].created_at
    shown = {e.id: e for e in queries.case_page(counsellor, case).entries}[first.pk]
    assert (shown.text, shown.version, shown.corrected_by) == (
        "Hausbesuch am Dienstag, 14 Uhr.",
        3,
        counsellor,
    )
    assert shown.kind == EntryKind.HOME_VISIT
    assert CaseEntryVersion.objects.filter(entry=first).count() == 3
    corrections = AuditEntry.objects.filter(action="case.entry_corrected")
    assert [c.details["version"] for c in corrections] == [2, 3]
    assert "Dienstag" not in str(list(corrections.values_list("details", flat=True)))


def test_a_correction_against_an_older_version_changes_nothing(case, counsellor, colleague):
    first = entry(counsellor, case, "Termin beim Jobcenter.")
    actions.correct_entry(colleague, first, text="Termin beim Jobcenter, 9 Uhr.")

    with pytest.raises(ValidationError, match="Lena Vogt corrected this entry"):
        actions.correct_entry(
            counsellor, first, text="Termin beim Jobcenter abgesagt.", expected_version=1
        )

    assert CaseEntryVersion.objects.filter(entry=first).count() == 2


def test_the_same_correction_sent_twice_is_stored_once(case, counsellor) -> None:
    first = entry(counsellor, case, "Gespräch mit der Mutter.")

    once = actions.correct_entry(
        counsellor, first, text="Gespräch mit Mutter und Vater.", expected_version=1
    )
    twice = actions.correct_entry(
        counsellor, first, text="Gespräch mit Mutter und Vater.", expected_version=1
    )

    assert once.created and not twice.created and once.version.pk == twice.version.pk
    assert CaseEntryVersion.objects.filter(entry=first).count() == 2


def test_a_correction_cannot_move_an_entry_into_the_future(case, counsellor) -> None:
    first = entry(counsellor, case, "Notiz.")

    with pytest.raises(ValidationError, match="cannot be in the future"):
        actions.correct_entry(
            counsellor, first, text="Notiz!", occurred_on=today() + timedelta(days=1)
        )

    assert CaseEntryVersion.objects.filter(entry=first).count() == 1


def test_history_of_a_withheld_entry_is_not_found(case, counsellor, colleague) -> None:
    secret = entry(counsellor, case, SECRET, confidentiality=Confidentiality.ENTRUSTED)

    with pytest.raises(PermissionDenied):
        queries.entry_history(colleague, secret)


# -- hostile input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": ""}, "Please fill in: Text."),
        ({"text": "   \x00\x07  "}, "Please fill in: Text."),
        ({"text": "x" * 50_001}, "Text is too long: at most 50000 characters."),
        ({"text": "\ud800"}, "Text contains characters that cannot be stored."),
        ({"text": ["a"]}, "Please fill in: Text."),
        ({"kind": "poem"}, "Please choose a valid value: Type."),
        ({"confidentiality": "secret"}, "Please choose a valid value: Who may read it."),
        ({"occurred_on": "2026-01-01"}, "Please give a date: Date."),
        ({"occurred_on": "future"}, "Date cannot be in the future."),
        ({"occurred_on": "before_opening"}, "Date cannot be before the opening of the case file"),
    ],
)
def test_bad_entries_get_a_clear_message_and_change_nothing(
    case, counsellor, fields, message
) -> None:
    values = {"text": "Notiz", "kind": EntryKind.NOTE, "occurred_on": today(), **fields}
    if values["occurred_on"] == "future":
        values["occurred_on"] = today() + timedelta(days=1)
    if values["occurred_on"] == "before_opening":
        values["occurred_on"] = case.opened_on - timedelta(days=1)
    entries, audit_entries = CaseEntry.objects.count(), AuditEntry.objects.count()

    with pytest.raises(ValidationError) as refused:
        actions.add_entry(counsellor, case, **values)

    assert message in refused.value.messages[0]
    assert (CaseEntry.objects.count(), AuditEntry.objects.count()) == (entries, audit_entries)


def test_messages_are_in_german_by_default(case, counsellor) -> None:
    with translation.override("de"), pytest.raises(ValidationError) as refused:
        actions.add_entry(counsellor, case, text="", kind=EntryKind.NOTE, occurred_on=today())
    assert refused.value.messages[0] == "Bitte ausfüllen: Text."


def test_html_and_control_characters_are_stored_as_plain_text(case, counsellor) -> None:
    hostile = "<script>alert(1)</script>\u202eevil\r\nZeile 2\x00"

    made = entry(counsellor, case, hostile)

    shown = {e.id: e for e in queries.case_page(counsellor, case).entries}[made.pk]
    assert shown.text == "<script>alert(1)</script>evil\nZeile 2"


def test_a_form_sent_twice_makes_one_entry(case, counsellor) -> None:
    fields = {"text": "Telefonat.", "kind": EntryKind.PHONE_CALL, "occurred_on": today()}

    first = actions.add_entry(counsellor, case, form_token="form-token-0001", **fields)
    second = actions.add_entry(counsellor, case, form_token="form-token-0001", **fields)

    assert first.pk == second.pk
    assert case.entries.count() == 2  # the fixture's entry and this one
    with pytest.raises(ValidationError, match="reload the page"):
        actions.add_entry(counsellor, case, form_token="<script>", **fields)
    with pytest.raises(ValidationError, match="reload the page"):
        actions.create_plan(
            counsellor, case, kind="help_plan", title="X", form_token="form-token-0001"
        )


# -- attachments ----------------------------------------------------------------------------


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(out, format="JPEG", exif=b"Exif\x00\x00GPS-Daten")
    return out.getvalue()


def test_an_attachment_is_checked_encrypted_and_downloaded_by_who_may_read(
    case, counsellor, colleague, settings
) -> None:
    first = entry(counsellor, case, "Brief vom Jobcenter fotografiert.")
    photo = check_upload(SimpleUploadedFile("brief.jpeg", _photo(), "image/jpeg"))

    attachment = actions.add_attachment(counsellor, first, photo)

    stored = CaseAttachment.objects.get(pk=attachment.pk)
    assert stored.content_type == "image/jpeg" and stored.name == "brief.jpg"
    sealed = (
        settings.STORAGES["default"]["OPTIONS"]["location"] / stored.storage_name
    ).read_bytes()
    assert b"JFIF" not in sealed and b"brief" not in sealed
    download = queries.open_attachment(colleague, attachment.pk)
    assert download.data.startswith(b"\xff\xd8\xff") and b"GPS-Daten" not in download.data
    assert AuditEntry.objects.filter(
        action="case.read", actor_id=colleague.pk, details__part="attachment"
    ).exists()
    shown = {e.id: e for e in queries.case_page(counsellor, case).entries}[first.pk]
    assert [(a.name, a.content_type) for a in shown.attachments] == [("brief.jpg", "image/jpeg")]


def test_a_file_that_lies_about_its_type_is_refused(case, counsellor) -> None:
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("bescheid.pdf", b"<html><script>", "application/pdf"))
    first = entry(counsellor, case, "Bescheid.")
    with pytest.raises(ValidationError):
        actions.add_attachment(counsellor, first, b"%PDF-1.4 raw bytes")  # type: ignore[arg-type]
    assert not CaseAttachment.objects.exists()


def test_attachments_of_withheld_entries_are_not_opened(case, counsellor, colleague, other_team):
    secret = entry(counsellor, case, SECRET, confidentiality=Confidentiality.ENTRUSTED)
    photo = check_upload(SimpleUploadedFile("foto.png", _png(), "image/png"))
    attachment = actions.add_attachment(counsellor, secret, photo)

    for person in (colleague, other_team):
        with pytest.raises(queries.AttachmentUnavailable):
            queries.open_attachment(person, attachment.pk)
    with pytest.raises(PermissionDenied):
        actions.add_attachment(colleague, secret, photo)
    with pytest.raises(Http404):
        queries.open_attachment(colleague, "x")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (8, 8), (255, 0, 0, 128)).save(out, format="PNG")
    return out.getvalue()


def test_a_point_in_time_counts_as_its_local_day(case, counsellor) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    late_evening = datetime.combine(
        today() - timedelta(days=2), datetime.min.time(), tzinfo=ZoneInfo("Europe/Berlin")
    ).replace(hour=23, minute=30)

    made = entry(counsellor, case, "Spätes Telefonat.", occurred_on=late_evening)

    assert made.occurred_on == today() - timedelta(days=2)
