"""The world of the data-subject request tests (imported by ``test_requests*.py``).

- Thomas Berg (``dpo``): the organisation's data-protection officer, records requests;
- Jonas (``counsellor``): counsellor of Jugendberatung, writes the case file of Leon;
- Dr. Hahn (``leader``), and ``outsider``: counsellor and admin of another organisation.

Records are made through the apps' own actions; pages are requested through the real
login and HTTP stack.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from hafen.accounts.models import Team, User
from hafen.cases import actions as case_actions
from hafen.cases.models import Case, CaseEntry, Confidentiality, EntryKind
from hafen.conversations import actions as conversation_actions
from hafen.conversations.attachments import check_upload
from hafen.conversations.models import Conversation
from hafen.privacy.requests import actions
from hafen.privacy.requests.models import SubjectRequest

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
FIRST = "Erstgespräch: Leon möchte den Hauptschulabschluss schaffen."
CORRECTED = "Erstgespräch: Leon möchte den Realschulabschluss schaffen."
ENTRUSTED = "Leon vertraut mir an, dass sein Vater trinkt."
THIRD_PARTY = "Die Schule berichtet von Fehlzeiten der Schwester."
MESSAGE = "Hallo, ich bin Leon und brauche Hilfe."
IDENTITY = "Personalausweis vorgelegt, Nummer L01X00T47"
NOTES = "Mutter rief an, Leon will alles sehen"


def team(slug: str = "jugendberatung") -> Team:
    return Team.objects.select_related("facility").get(slug=slug)


def full_case(counsellor: User, *, closed_on: date | None = None, **fields: Any) -> Case:
    """Leon's case: a corrected entry with a PDF, an entrusted and a third-party entry,
    a plan with a goal, a measure and a review, and a linked conversation."""
    youth = team()
    today = timezone.localdate()
    case = case_actions.open_case(
        counsellor,
        youth,
        pseudonym="Leon K.",
        name="Leon Krause",
        contact="0151 0000000",
        opened_on=today - timedelta(days=400),
        **fields,
    )
    case = Case.objects.select_related("data_key", "team__facility").get(pk=case.pk)
    first = case_actions.add_entry(
        counsellor,
        case,
        text=FIRST,
        kind=EntryKind.CONVERSATION,
        occurred_on=today - timedelta(days=300),
    )
    first = CaseEntry.objects.select_related("case__data_key").get(pk=first.pk)
    case_actions.correct_entry(
        counsellor, first, text=CORRECTED, reason="Tippfehler beim Abschluss"
    )
    upload = check_upload(SimpleUploadedFile("bescheid.pdf", PDF, "application/pdf"))
    case_actions.add_attachment(counsellor, first, upload)
    for text, confidentiality in (
        (ENTRUSTED, Confidentiality.ENTRUSTED),
        (THIRD_PARTY, Confidentiality.THIRD_PARTY),
    ):
        case_actions.add_entry(
            counsellor,
            case,
            text=text,
            kind=EntryKind.NOTE,
            occurred_on=today - timedelta(days=200),
            confidentiality=confidentiality,
        )
    plan = case_actions.create_plan(counsellor, case, kind="help_plan", title="Hilfeplan Leon")
    goal = case_actions.add_goal(counsellor, plan, wording="Leon schafft den Abschluss")
    case_actions.add_measure(
        counsellor, goal, text="Nachhilfe zweimal pro Woche", responsible="client"
    )
    case_actions.schedule_review(counsellor, plan, today + timedelta(days=30))
    chat = conversation_actions.start_conversation(youth).conversation
    conversation_actions.post_client_message(chat.pk, MESSAGE, "aaaaaaaa-0001")
    case_actions.link_conversation(counsellor, case, Conversation.objects.get(pk=chat.pk))
    if closed_on is not None:
        Case.objects.filter(pk=case.pk).update(status="closed", closed_on=closed_on)
    return Case.objects.select_related("data_key", "team__facility", "category").get(pk=case.pk)


def record(dpo: User, case: Case, kind: str, **fields: Any) -> SubjectRequest:
    fields.setdefault("received_on", timezone.localdate() - timedelta(days=3))
    fields.setdefault("identity_check", IDENTITY)
    fields.setdefault("notes", NOTES)
    return actions.record_request(dpo, kind=kind, file_number=case.reference, **fields)


def browser(user: User, language: str = "en") -> Client:
    """A logged-in browser asking for pages in ``language``."""
    from hafen.conftest import login_client

    client = login_client(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def stored_files(settings: Any) -> set[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return {path for path in root.rglob("*") if path.is_file()}


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def followed(response: Any) -> str:
    """The text of the page a redirect led to, with its messages."""
    return response.content.decode()
