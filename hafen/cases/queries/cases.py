"""The case page, an entry's history, attachments, exports, the case list and the
conversation page's seam."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Max, OuterRef, Prefetch, QuerySet

from hafen.accounts import access as staff_access
from hafen.accounts.models import User
from hafen.cases import access
from hafen.cases.actions.entries import ATTACHMENT_CONTEXT
from hafen.cases.models import (
    Case,
    CaseAttachment,
    CaseConversationLink,
    CaseEntry,
    CaseEntryVersion,
    CaseStatus,
    Confidentiality,
    Disclosure,
    EntryKind,
    Meeting,
    Plan,
    Review,
)
from hafen.cases.queries._common import open_optional, open_sealed
from hafen.conversations.models import Conversation
from hafen.privacy import crypto
from hafen.privacy.retention.models import ProcessingRestriction

_KIND_LABELS = dict(EntryKind.choices)


@dataclass(frozen=True)
class AttachmentView:
    id: int
    name: str
    content_type: str
    size: int


@dataclass(frozen=True)
class EntryView:
    """One entry as the person may see it: with its current text, or withheld."""

    id: int
    occurred_on: date
    kind: str
    kind_label: str
    confidentiality: str
    author: User | None
    substitute: User | None
    created_at: datetime
    withheld: bool
    text: str | None  # None when withheld or shredded
    version: int  # the current version's number = how many versions exist
    corrected_by: User | None  # who wrote the current version, if it is a correction
    corrected_at: datetime | None
    attachments: list[AttachmentView] = field(default_factory=list)
    may_correct: bool = False

    @property
    def corrected(self) -> bool:
        return self.version > 1


@dataclass(frozen=True)
class LinkedConversation:
    id: int
    pseudonym: str
    team_id: int
    may_open: bool  # the person may open it in the inbox


@dataclass(frozen=True)
class PlanSummary:
    id: int
    kind: str
    version: int
    status: str
    title: str | None
    agreed_on: date | None
    next_review: date | None


@dataclass(frozen=True)
class CasePage:
    case: Case
    rights: access.CaseRights
    shredded: bool  # the case's key was destroyed: nothing of its content can be read
    name: str | None
    contact: str | None
    responsible: list[User]
    entries: list[EntryView]
    plans: list[PlanSummary]
    conversations: list[LinkedConversation]
    conferences: list[Meeting]  # case conferences about this case that the person may open

    @property
    def withheld_count(self) -> int:
        return sum(1 for entry in self.entries if entry.withheld)


def _entry_view(
    user: User, entry: CaseEntry, *, shredded: bool, rights: access.CaseRights
) -> EntryView:
    version = entry.current_version
    assert version is not None
    visible = access.entry_visible(user, entry)
    text = open_sealed(version, "text", shredded) if visible else None
    return EntryView(
        id=entry.pk,
        occurred_on=entry.occurred_on,
        kind=entry.kind,
        kind_label=str(_KIND_LABELS.get(entry.kind, entry.kind)),
        confidentiality=entry.confidentiality,
        author=entry.author,
        substitute=entry.substitute,
        created_at=entry.created_at,
        withheld=not visible,
        text=text,
        version=version.number,
        corrected_by=version.author if version.number > 1 else None,
        corrected_at=version.created_at if version.number > 1 else None,
        attachments=[
            AttachmentView(a.pk, open_sealed(a, "name", shredded) or "", a.content_type, a.size)
            for a in entry.attachments.all()
        ]
        if visible
        else [],
        may_correct=visible and rights.write and not shredded,
    )


def display_entry(user: User, entry: CaseEntry) -> EntryView:
    """One entry as ``user`` may see it (``withheld`` and no text if it is not theirs).

    For a single entry (after a correction, in a fragment); pages use ``case_page``.
    """
    case = entry.case
    rights = access.case_rights(user, case)
    access.require(rights, write=False)
    entry = entries_of(case).get(pk=entry.pk)
    _attach(case, [entry])
    return _entry_view(user, entry, shredded=case.data_key.is_shredded, rights=rights)


def entries_of(case: Case, *, kind: str | None = None) -> QuerySet[CaseEntry]:
    """The case's entries, newest first, with everything a page shows in two queries."""
    entries = (
        CaseEntry.objects.filter(case=case)
        .select_related("current_version__author", "author", "substitute")
        .prefetch_related(Prefetch("attachments", queryset=CaseAttachment.objects.order_by("pk")))
    )
    if kind:
        entries = entries.filter(kind=kind)
    return entries


def _attach(case: Case, entries: list[CaseEntry]) -> None:
    """Point every loaded row at the one case object, so its key is loaded once."""
    for entry in entries:
        entry.case = case
        if entry.current_version is not None:
            entry.current_version.entry = entry
        for attachment in entry.attachments.all():
            attachment.entry = entry


def case_page(user: User, case: Case, *, kind: str | None = None) -> CasePage:
    """Everything the case page shows, decrypted for ``user``; the read is audited.

    ``case`` comes from ``access.access_case``. A fixed number of queries, whatever
    the number of entries: the test counts them.
    """
    rights = access.case_rights(user, case)
    access.require(rights, write=False)
    access.record_case_read(user, case, part="page", via=rights.via)
    shredded = case.data_key.is_shredded
    entries = list(entries_of(case, kind=kind))
    _attach(case, entries)
    return CasePage(
        case=case,
        rights=rights,
        shredded=shredded,
        name=open_optional(case, "name", shredded),
        contact=open_optional(case, "contact", shredded),
        responsible=list(case.responsible.order_by("display_name", "username")),
        entries=[_entry_view(user, e, shredded=shredded, rights=rights) for e in entries],
        plans=_plan_summaries(case, shredded),
        conversations=_linked_conversations(user, case),
        conferences=list(
            access.meetings_visible_to(user).filter(cases=case).order_by("-held_on", "-pk")
        ),
    )


def _plan_summaries(case: Case, shredded: bool) -> list[PlanSummary]:
    pending = Review.objects.filter(held_on__isnull=True).order_by("due_on")
    plans = list(
        Plan.objects.filter(case=case)
        .prefetch_related(Prefetch("reviews", queryset=pending, to_attr="pending_reviews"))
        .order_by("-created_at", "-pk")
    )
    summaries = []
    for plan in plans:
        plan.case = case
        reviews = plan.pending_reviews
        summaries.append(
            PlanSummary(
                plan.pk,
                plan.kind,
                plan.version,
                plan.status,
                open_sealed(plan, "title", shredded),
                plan.agreed_on,
                reviews[0].due_on if reviews else None,
            )
        )
    return summaries


def _linked_conversations(user: User, case: Case) -> list[LinkedConversation]:
    links = list(
        CaseConversationLink.objects.filter(case=case)
        .select_related("conversation")
        .order_by("linked_at")
    )
    if not links:
        return []
    teams = staff_access.content_team_ids(user)
    return [
        LinkedConversation(
            link.conversation.pk,
            link.conversation.pseudonym,
            link.conversation.team_id,
            link.conversation.team_id in teams or link.conversation.assigned_to_id == user.pk,
        )
        for link in links
    ]


@dataclass(frozen=True)
class VersionView:
    number: int
    occurred_on: date
    kind: str
    kind_label: str
    text: str | None
    reason: str | None
    author: User | None
    created_at: datetime


def entry_history(user: User, entry: CaseEntry) -> list[VersionView]:
    """Every version of an entry, oldest first: who wrote what when, and why it changed.

    ``entry`` comes from ``access.access_entry`` (withheld entries do not).
    """
    case = entry.case
    rights = access.case_rights(user, case)
    access.require(rights, write=False)
    if not access.entry_visible(user, entry):
        raise PermissionDenied
    access.record_case_read(user, case, part="history", via=rights.via)
    shredded = case.data_key.is_shredded
    versions = list(
        CaseEntryVersion.objects.filter(entry=entry).select_related("author").order_by("number")
    )
    views = []
    for version in versions:
        version.entry = entry
        views.append(
            VersionView(
                version.number,
                version.occurred_on,
                version.kind,
                str(_KIND_LABELS.get(version.kind, version.kind)),
                open_sealed(version, "text", shredded),
                open_optional(version, "reason", shredded),
                version.author,
                version.created_at,
            )
        )
    return views


@dataclass(frozen=True)
class Download:
    name: str
    content_type: str
    data: bytes


class AttachmentUnavailable(Exception):
    """The file is gone, shredded, or not the person's to read."""


def open_attachment(user: User, attachment_id: object) -> Download:
    """The decrypted file of an entry the person may read; the download is audited."""
    attachment = (
        CaseAttachment.objects.select_related("entry__case__data_key", "entry__case__team")
        .filter(pk=access.parse_id(attachment_id))
        .first()
    )
    if attachment is None:
        raise AttachmentUnavailable
    case = attachment.entry.case
    rights = access.case_rights(user, case)
    if not rights.read or not access.entry_visible(user, attachment.entry):
        raise AttachmentUnavailable
    try:
        data = crypto.read_encrypted_file(
            case.data_key, attachment.storage_name, context=ATTACHMENT_CONTEXT
        )
        name = attachment.name
    except (OSError, crypto.CryptoError):
        raise AttachmentUnavailable from None
    access.record_case_read(user, case, part="attachment", via=rights.via)
    return Download(name, attachment.content_type, data)


# -- export -----------------------------------------------------------------------------


def case_export(user: User, case: Case, disclosure: Disclosure) -> CasePage:
    """What an export (PDF) of the case contains, after ``actions.record_disclosure``.

    Entries the person may not read are left out entirely (not shown as withheld);
    entrusted and third-party entries the person may read go along only if the
    disclosure recorded a reason for them.
    """
    if disclosure.case_id != case.pk or disclosure.by_id != user.pk:
        raise PermissionDenied
    page = case_page(user, case)
    kept = [
        entry
        for entry in page.entries
        if not entry.withheld
        and (entry.confidentiality == Confidentiality.NORMAL or disclosure.includes_restricted)
    ]
    return CasePage(**{**page.__dict__, "entries": kept})


# -- lists -------------------------------------------------------------------------------


def case_list(
    user: User,
    *,
    status: str | None = None,
    team_id: int | None = None,
    category_id: int | None = None,
    mine: bool = False,
) -> QuerySet[Case]:
    """The cases the person may see, for a list: no content, one query plus prefetches.

    Restricted cases are listed too (file number and pseudonym only), marked by
    ``is_restricted``; opening one asks for the purpose first. ``mine``: only those
    the person is responsible for.
    """
    cases = (
        access.cases_listed_for(user)
        .select_related("team__facility", "category")
        .prefetch_related("responsible")
        .annotate(
            last_entry_on=Max("entries__occurred_on"),
            is_restricted=Exists(
                ProcessingRestriction.objects.filter(case_id=OuterRef("pk"), lifted_at__isnull=True)
            ),
        )
        .order_by("-opened_on", "-pk")
    )
    if status:
        cases = cases.filter(status=status)
    if team_id is not None:
        cases = cases.filter(team_id=team_id)
    if category_id is not None:
        cases = cases.filter(category_id=category_id)
    if mine:
        responsible = Case.responsible.through.objects.filter(user_id=user.pk)
        cases = cases.filter(pk__in=responsible.values("case_id"))
    return cases


# -- the conversation page's seam -------------------------------------------------------


def linked_cases(user: User, conversation: Conversation) -> list[Case]:
    """Cases linked to the conversation that the person may see (file number, pseudonym)."""
    return list(
        access.cases_listed_for(user)
        .filter(conversation_links__conversation=conversation)
        .order_by("reference")
    )


def linkable_cases(user: User, conversation: Conversation) -> list[Case]:
    """Open cases of the conversation's team the person may write, not yet linked to it."""
    return list(
        access.cases_writable_by(user)
        .filter(team_id=conversation.team_id)
        .exclude(status=CaseStatus.CLOSED)
        .exclude(conversation_links__conversation=conversation)
        .order_by("reference")
    )
