"""The copy of a case file for its data subject (Art. 15 Abs. 3, Art. 20 DSGVO, § 83 SGB X).

One ZIP, built in memory (no file on disk): ``case.json`` (machine-readable, every
entry with all its versions, plans with goals, measures and reviews, the linked
conversations' messages, retention facts, disclosures, the Art. 15 information from
the register), ``case.pdf`` (the same, readable) and the attachments' files.

Entries entrusted to one staff member personally or holding information from third
parties are left out with their attachments (Art. 15 Abs. 4 DSGVO, § 83 Abs. 4 SGB X,
§ 65 SGB VIII: the rights of others and the trust of the source); the bundle says
how many and why. The caller records the disclosure first (``actions.export_case``).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from hafen.cases.actions.entries import ATTACHMENT_CONTEXT as CASE_FILE_CONTEXT
from hafen.cases.models import (
    RESTRICTED,
    Case,
    CaseAttachment,
    CaseEntry,
    CaseEntryVersion,
    Confidentiality,
    Disclosure,
    Goal,
    Measure,
    Plan,
    ProgressRating,
    Review,
)
from hafen.conversations.attachments import CONTEXT as MESSAGE_FILE_CONTEXT
from hafen.conversations.models import Conversation, Message
from hafen.lib import pdf
from hafen.privacy import crypto, register
from hafen.privacy.requests.models import SubjectRequest
from hafen.privacy.retention.models import (
    CategoryStatute,
    LegalHold,
    ProcessingRestriction,
    RetentionFacts,
)

FORMAT = "hafen-case-copy/1"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _opened(holder: object, attribute: str) -> str | None:
    """A sealed text, "" when none was written, None when its key is gone."""
    if getattr(holder, f"{attribute}_sealed") is None:
        return ""
    try:
        return str(getattr(holder, attribute))
    except crypto.ContentShredded:
        return None


def _person(user: object) -> str:
    return str(user) if user is not None else ""


def _label(choices: Any, value: str) -> str:
    return str(dict(choices).get(value, value))


def _file_name(prefix: str, name: str) -> str:
    return f"attachments/{prefix}-{_UNSAFE.sub('_', name)[:80] or 'file'}"


class _Files:
    """Attachments' bytes, decrypted into the ZIP; a missing file is named, not fatal."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def add(self, data_key: Any, storage_name: str, path: str, context: str) -> str | None:
        try:
            self.files[path] = crypto.read_encrypted_file(data_key, storage_name, context=context)
        except (OSError, crypto.ContentShredded, crypto.DecryptionFailed):
            return None
        return path


# -- the data ------------------------------------------------------------------------------


def _entries(case: Case, files: _Files) -> tuple[list[dict[str, Any]], dict[str, int]]:
    entries = list(
        CaseEntry.objects.filter(case=case)
        .select_related("author")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=CaseEntryVersion.objects.select_related("author").order_by("number"),
            ),
            Prefetch("attachments", queryset=CaseAttachment.objects.order_by("pk")),
        )
        .order_by("occurred_on", "pk")
    )
    shown, left_out = [], {str(value): 0 for value in RESTRICTED}
    for entry in entries:
        if entry.confidentiality in RESTRICTED:
            left_out[entry.confidentiality] += 1
            continue
        entry.case = case  # the key is loaded once, not per text
        versions = []
        for version in entry.versions.all():
            version.entry = entry
            versions.append(
                {
                    "number": version.number,
                    "occurred_on": version.occurred_on,
                    "kind": version.kind,
                    "kind_label": _label(CaseEntry._meta.get_field("kind").choices, version.kind),
                    "text": _opened(version, "text"),
                    "reason_for_correction": _opened(version, "reason") or "",
                    "written_by": _person(version.author),
                    "written_at": version.created_at,
                }
            )
        attachments = []
        for attachment in entry.attachments.all():
            attachment.entry = entry
            name = _opened(attachment, "name") or ""
            path = files.add(
                case.data_key,
                attachment.storage_name,
                _file_name(f"entry{entry.pk}-{attachment.pk}", name),
                CASE_FILE_CONTEXT,
            )
            attachments.append(
                {
                    "name": name,
                    "content_type": attachment.content_type,
                    "size": attachment.size,
                    "added_at": attachment.added_at,
                    "file": path,
                }
            )
        shown.append(
            {
                "id": entry.pk,
                "occurred_on": entry.occurred_on,
                "kind": entry.kind,
                "written_by": _person(entry.author),
                "created_at": entry.created_at,
                "versions": versions,
                "attachments": attachments,
            }
        )
    return shown, {kind: count for kind, count in left_out.items() if count}


def _plans(case: Case) -> list[dict[str, Any]]:
    plans = (
        Plan.objects.filter(case=case)
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=Goal.objects.order_by("position", "pk").prefetch_related(
                    Prefetch("measures", queryset=Measure.objects.select_related("staff")),
                    Prefetch("ratings", queryset=ProgressRating.objects.select_related("review")),
                ),
            ),
            Prefetch("reviews", queryset=Review.objects.order_by("due_on", "pk")),
        )
        .order_by("kind", "version", "pk")
    )
    result = []
    for plan in plans:
        plan.case = case
        goals = []
        for goal in plan.goals.all():
            goal.plan = plan
            measures = []
            for measure in goal.measures.all():
                measure.goal = goal
                measures.append(
                    {
                        "text": _opened(measure, "text"),
                        "responsible": measure.responsible,
                        "staff_member": _person(measure.staff),
                        "partner": _opened(measure, "partner") or "",
                    }
                )
            ratings = []
            for rating in goal.ratings.all():
                rating.goal = goal
                ratings.append(
                    {
                        "review_held_on": rating.review.held_on,
                        "rating": rating.rating,
                        "comment": _opened(rating, "comment") or "",
                    }
                )
            goals.append(
                {
                    "wording": _opened(goal, "wording"),
                    "indicator": _opened(goal, "indicator") or "",
                    "target_on": goal.target_on,
                    "measures": measures,
                    "progress": ratings,
                }
            )
        reviews = []
        for review in plan.reviews.all():
            review.plan = plan
            reviews.append(
                {
                    "due_on": review.due_on,
                    "held_on": review.held_on,
                    "note": _opened(review, "note") or "",
                }
            )
        result.append(
            {
                "kind": plan.kind,
                "kind_label": plan.get_kind_display(),
                "version": plan.version,
                "status": plan.status,
                "title": _opened(plan, "title"),
                "participants": _opened(plan, "participants") or "",
                "situation": _opened(plan, "situation") or "",
                "agreed_on": plan.agreed_on,
                "agreed_how": plan.agreed_how,
                "agreement_note": _opened(plan, "agreement_note") or "",
                "created_at": plan.created_at,
                "goals": goals,
                "reviews": reviews,
            }
        )
    return result


def _conversations(case: Case, files: _Files) -> list[dict[str, Any]]:
    conversations = (
        Conversation.objects.filter(case_links__case=case)
        .select_related("data_key", "team")
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=Message.objects.select_related("attachment").order_by("seq"),
            )
        )
        .order_by("created_at", "pk")
    )
    result = []
    for conversation in conversations:
        messages = []
        for message in conversation.messages.all():
            message.conversation = conversation
            item: dict[str, Any] = {
                "seq": message.seq,
                "sender": message.sender,
                "at": message.created_at,
                "text": _opened(message, "body"),
            }
            attachment = getattr(message, "attachment", None)
            if attachment is not None:
                attachment.message = message
                name = _opened(attachment, "name") or ""
                item["attachment"] = {
                    "name": name,
                    "content_type": attachment.content_type,
                    "size": attachment.size,
                    "file": files.add(
                        conversation.data_key,
                        attachment.storage_name,
                        _file_name(f"conversation{conversation.pk}-{message.seq}", name),
                        MESSAGE_FILE_CONTEXT,
                    ),
                }
            messages.append(item)
        result.append(
            {
                "pseudonym": conversation.pseudonym,
                "team": conversation.team.name,
                "started_at": conversation.created_at,
                "messages": messages,
            }
        )
    return result


def _retention(case: Case) -> dict[str, Any]:
    facts = RetentionFacts.objects.filter(case_id=case.pk).first()
    marking = (
        CategoryStatute.objects.filter(category_id=case.category_id).first()
        if case.category_id
        else None
    )
    return {
        "date_of_birth": facts.birth_date if facts else None,
        "statutory_retention": marking.get_statute_display() if marking else "",
        # Holds name dates only: their reason may concern a claim of somebody else.
        "legal_holds": [
            {"placed_at": hold.placed_at, "lifted_at": hold.lifted_at}
            for hold in LegalHold.objects.filter(case_id=case.pk).order_by("placed_at")
        ],
        "restrictions": [
            {"restricted_at": r.restricted_at, "lifted_at": r.lifted_at, "reason": r.reason}
            for r in ProcessingRestriction.objects.filter(case_id=case.pk).order_by("restricted_at")
        ],
    }


def _consents(case: Case) -> list[dict[str, Any]]:
    """The client's consents on this file, each with the exact words agreed to."""
    from hafen.privacy.consent.models import ConsentRecord

    records = ConsentRecord.objects.filter(case_id=case.pk).select_related("version")
    return [
        {
            "kind": record.version.kind,
            "kind_label": record.version.get_kind_display(),
            "version": record.version.number,
            "title": record.version.title,
            "text": record.version.body_de,
            "given_on": record.given_on,
            "method": record.get_method_display(),
            "withdrawn_on": record.withdrawn_on,
        }
        for record in records.order_by("given_on", "pk")
    ]


def _information() -> list[dict[str, Any]]:
    """What Art. 15 Abs. 1 lit. a-d DSGVO asks: purposes, legal bases, recipients, periods."""
    return [
        {
            "processing": str(p.name),
            "purpose": str(p.purpose),
            "legal_basis": [str(basis) for basis in p.legal_basis],
            "recipients": [str(r) for r in p.recipients],
            "retention": str(p.retention),
        }
        for p in register.register()
        if any(label.startswith(("cases.", "conversations.")) for label in p.models)
    ]


def collect(case: Case, request: SubjectRequest) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The bundle's data and the attachments' bytes by path."""
    case = Case.objects.select_related("data_key", "team", "category").get(pk=case.pk)
    files = _Files()
    entries, left_out = _entries(case, files)
    reasons: dict[str, str] = {
        Confidentiality.ENTRUSTED: _(
            "Entrusted to one staff member personally: passed on only by that person "
            "(§ 65 SGB VIII, § 203 StGB)."
        ),
        Confidentiality.THIRD_PARTY: _(
            "Information from third parties: left out to protect their rights "
            "(Art. 15 Abs. 4 DSGVO, § 83 Abs. 4 SGB X)."
        ),
    }
    data = {
        "format": FORMAT,
        "made_at": timezone.now(),
        "request": {
            "number": request.pk,
            "kind": request.kind,
            "kind_label": request.get_kind_display(),
            "received_on": request.received_on,
        },
        "case": {
            "file_number": case.reference,
            "pseudonym": case.pseudonym,
            "name": _opened(case, "name") or "",
            "contact": _opened(case, "contact") or "",
            "team": case.team.name,
            "category": case.category.name if case.category else "",
            "status": case.status,
            "opened_on": case.opened_on,
            "closed_on": case.closed_on,
            "created_at": case.created_at,
        },
        "entries": entries,
        "left_out": [
            {"confidentiality": kind, "entries": count, "reason": str(reasons[kind])}
            for kind, count in left_out.items()
        ],
        "plans": _plans(case),
        "conversations": _conversations(case, files),
        "retention": _retention(case),
        "consents": _consents(case),
        "disclosures": [
            {"kind": d.kind, "at": d.at}
            for d in Disclosure.objects.filter(case=case).order_by("at", "pk")
        ],
        "information": _information(),
    }
    return data, files.files


# -- the readable PDF ----------------------------------------------------------------------


def _day(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _text(value: str | None) -> str:
    return _("(erased)") if value is None else value or "—"


def _entry_blocks(entry: dict[str, Any]) -> list[pdf.Block]:
    current = entry["versions"][-1] if entry["versions"] else None
    blocks: list[pdf.Block] = [
        pdf.Heading(
            f"{_day(entry['occurred_on'])} · {current['kind_label'] if current else ''}", level=2
        )
    ]
    for version in entry["versions"]:
        about = _("Version %(number)d, written by %(author)s on %(date)s") % {
            "number": version["number"],
            "author": version["written_by"] or "—",
            "date": _day(version["written_at"]),
        }
        if version["reason_for_correction"]:
            about += " · " + _("Reason for the correction: %(reason)s") % {
                "reason": version["reason_for_correction"]
            }
        blocks += [pdf.Paragraph(about, muted=True), pdf.Paragraph(_text(version["text"]))]
    if entry["attachments"]:
        names = ", ".join(a["name"] for a in entry["attachments"])
        blocks.append(pdf.Paragraph(_("Attachments: %(names)s") % {"names": names}, muted=True))
    return blocks


def _plan_blocks(plan: dict[str, Any]) -> list[pdf.Block]:
    blocks: list[pdf.Block] = [
        pdf.Heading(f"{plan['kind_label']} {plan['version']}: {_text(plan['title'])}", level=2),
        pdf.KeyValues(
            [
                (_("Participants"), _text(plan["participants"])),
                (_("Situation"), _text(plan["situation"])),
                (_("Client agreed on"), _day(plan["agreed_on"])),
            ]
        ),
    ]
    for number, goal in enumerate(plan["goals"], start=1):
        lines = [
            _("Goal %(number)d: %(wording)s")
            % {"number": number, "wording": _text(goal["wording"])}
        ]
        lines += [f"• {_text(measure['text'])}" for measure in goal["measures"]]
        lines += [
            f"{_day(point['review_held_on'])}: {point['rating']} {point['comment']}".strip()
            for point in goal["progress"]
        ]
        blocks.append(pdf.Paragraph("\n".join(lines)))
    if plan["reviews"]:
        blocks.append(
            pdf.Table(
                [_("Due on"), _("Held on"), _("Note")],
                [
                    [_day(r["due_on"]), _day(r["held_on"]), r["note"] or "—"]
                    for r in plan["reviews"]
                ],
                widths=(1, 1, 3),
            )
        )
    return blocks


def render_pdf(data: dict[str, Any]) -> bytes:
    case = data["case"]
    blocks: list[pdf.Block] = [
        pdf.Paragraph(
            _(
                "Your data in the case file %(reference)s, as stored on %(date)s, in answer "
                "to your request (%(kind)s) received on %(received)s."
            )
            % {
                "reference": case["file_number"],
                "date": _day(data["made_at"]),
                "kind": data["request"]["kind_label"],
                "received": _day(data["request"]["received_on"]),
            }
        ),
        pdf.KeyValues(
            [
                (_("File number"), case["file_number"]),
                (_("Pseudonym"), case["pseudonym"]),
                (_("Name"), case["name"] or "—"),
                (_("Contact"), case["contact"] or "—"),
                (_("Team"), case["team"]),
                (_("Category"), case["category"] or "—"),
                (_("Opened on"), _day(case["opened_on"])),
                (_("Closed on"), _day(case["closed_on"])),
            ]
        ),
        pdf.Heading(_("Case history")),
    ]
    for item in data["left_out"]:
        blocks.append(
            pdf.Paragraph(
                _("%(count)d entries are left out. %(reason)s")
                % {"count": item["entries"], "reason": item["reason"]},
                muted=True,
            )
        )
    if not data["entries"]:
        blocks.append(pdf.Paragraph(_("No entries.")))
    for entry in data["entries"]:
        blocks += _entry_blocks(entry)
    if data["plans"]:
        blocks.append(pdf.Heading(_("Plans")))
        for plan in data["plans"]:
            blocks += _plan_blocks(plan)
    for conversation in data["conversations"]:
        blocks.append(
            pdf.Heading(
                _("Conversation with %(team)s") % {"team": conversation["team"]},
            )
        )
        for message in conversation["messages"]:
            sender = _("You") if message["sender"] == "client" else conversation["team"]
            text = _text(message["text"])
            if "attachment" in message:
                text += "\n" + _("(Attachment: %(name)s)") % {"name": message["attachment"]["name"]}
            blocks.append(pdf.Paragraph(f"[{_day(message['at'])}] {sender}:\n{text}"))
    if data["consents"]:
        blocks.append(pdf.Heading(_("Your consents")))
        for consent in data["consents"]:
            state = _("given on %(day)s (%(method)s)") % {
                "day": _day(consent["given_on"]),
                "method": consent["method"],
            }
            if consent["withdrawn_on"]:
                state += ", " + _("withdrawn on %(day)s") % {"day": _day(consent["withdrawn_on"])}
            blocks.append(
                pdf.Heading(
                    f"{consent['kind_label']}, "
                    + _("version %(number)s") % {"number": consent["version"]},
                    level=2,
                )
            )
            blocks.append(pdf.Paragraph(f"{state}\n{consent['title']}\n{consent['text']}"))
    retention = data["retention"]
    blocks.append(pdf.Heading(_("Storage and restriction")))
    facts = [(_("Statutory retention"), retention["statutory_retention"] or "—")]
    if retention["date_of_birth"]:
        facts.append((_("Date of birth"), _day(retention["date_of_birth"])))
    for restriction in retention["restrictions"]:
        facts.append((_("Processing restricted since"), _day(restriction["restricted_at"])))
    blocks.append(pdf.KeyValues(facts))
    blocks.append(pdf.Heading(_("Purposes, legal bases, recipients and storage periods")))
    for item in data["information"]:
        blocks.append(pdf.Heading(item["processing"], level=2))
        blocks.append(
            pdf.Paragraph(
                "\n".join(
                    [
                        item["purpose"],
                        _("Legal basis: %(basis)s") % {"basis": "; ".join(item["legal_basis"])},
                        _("Recipients: %(recipients)s")
                        % {"recipients": "; ".join(item["recipients"]) or "—"},
                        _("Storage: %(period)s") % {"period": item["retention"]},
                    ]
                )
            )
        )
    title = _("Your data in case file %(reference)s") % {"reference": case["file_number"]}
    footer = _("Copy for the data subject (Art. 15 DSGVO)") + f" · {case['file_number']}"
    return pdf.render_pdf(title, blocks, footer=footer)


def build(case: Case, request: SubjectRequest) -> bytes:
    """The ZIP, in memory."""
    data, files = collect(case, request)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "case.json",
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        )
        archive.writestr("case.pdf", render_pdf(data))
        for path, content in files.items():
            archive.writestr(path, content)
    return buffer.getvalue()
