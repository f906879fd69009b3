"""Writes to the case history: entries, their corrections, their attachments.

Professional documentation must be traceable: an entry is never changed in place.
A correction adds a version with who, when and (optionally) why; every earlier
version stays readable. Removing entries is for retention and data-subject erasure
(the privacy lifecycle), which shreds the case's key, never for a single click.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from hafen.accounts.models import Role, User
from hafen.cases import access
from hafen.cases.actions._common import once, require_case, staff_of
from hafen.cases.models import (
    MAX_ENTRY_CHARS,
    MAX_REASON_CHARS,
    RESTRICTED,
    Case,
    CaseAttachment,
    CaseEntry,
    CaseEntryVersion,
    Confidentiality,
    EntryKind,
)
from hafen.cases.validation import (
    choice,
    clean_text,
    not_before,
    not_in_future,
    require_date,
)
from hafen.conversations.attachments import CheckedFile
from hafen.privacy import audit, crypto

# Part of every ciphertext of an attachment's bytes: it must never change.
ATTACHMENT_CONTEXT = "case.attachment.bytes"
MAX_ATTACHMENTS_PER_ENTRY = 20


def _entry_date(case: Case, occurred_on: object) -> date:
    day = require_date(occurred_on, label=_("Date"))
    not_in_future(day, label=_("Date"))
    return not_before(
        day, case.opened_on, label=_("Date"), earliest_label=_("the opening of the case file")
    )


def _substitute(
    case: Case, author: User, confidentiality: str, substitute: User | None
) -> User | None:
    if confidentiality not in RESTRICTED or substitute is None:
        return None
    if substitute.pk == author.pk:
        raise ValidationError(_("Please name a colleague, not yourself."), code="substitute")
    staff_of(case.organisation_id, [substitute], roles=[Role.COUNSELLOR])
    if not access.case_rights(substitute, case).read:
        raise ValidationError(
            _("%(name)s cannot open this case file; please name a colleague who can.")
            % {"name": substitute},
            code="substitute",
        )
    return substitute


def add_entry(
    user: User,
    case: Case,
    *,
    text: str,
    kind: str,
    occurred_on: date,
    confidentiality: str = Confidentiality.NORMAL,
    substitute: User | None = None,
    form_token: str = "",
) -> CaseEntry:
    """A new dated entry (its first version); entrusted ones may name a substitute."""
    require_case(user, case, write=True)
    text = clean_text(text, label=_("Text"), limit=MAX_ENTRY_CHARS)
    kind = choice(kind, EntryKind, label=_("Type"))
    day = _entry_date(case, occurred_on)
    confidentiality = choice(confidentiality, Confidentiality, label=_("Who may read it"))
    named = _substitute(case, user, confidentiality, substitute)

    @transaction.atomic
    def create() -> CaseEntry:
        entry = CaseEntry.objects.create(
            case=case,
            author=user,
            confidentiality=confidentiality,
            substitute=named,
            occurred_on=day,
            kind=kind,
        )
        entry.case = case
        version = CaseEntryVersion(entry=entry, number=1, occurred_on=day, kind=kind, author=user)
        version.text = text
        version.reason_sealed = None
        version.save(force_insert=True)
        entry.current_version = version
        entry.save(update_fields=["current_version"])
        audit.record(
            "case.entry_added",
            actor=user,
            target=case,
            organisation_id=case.organisation_id,
            entry=entry.pk,
            kind=kind,
            confidentiality=confidentiality,
        )
        return entry

    return once(user, form_token, CaseEntry, create)


@dataclass(frozen=True)
class Correction:
    version: CaseEntryVersion
    created: bool  # False: the text was the same as the current one (a form sent twice)


@transaction.atomic
def correct_entry(
    user: User,
    entry: CaseEntry,
    *,
    text: str,
    kind: str | None = None,
    occurred_on: date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Correction:
    """Correct an entry by adding a version; the earlier ones stay as they were.

    ``expected_version`` is the version number the person's form showed: if a
    colleague corrected the entry meanwhile, nothing changes and the message says so,
    so nobody overwrites a correction they have not read.
    """
    locked = (
        CaseEntry.objects.select_for_update(of=("self",))
        .select_related("case__data_key", "current_version")
        .get(pk=entry.pk)
    )
    case = locked.case
    rights = require_case(user, case, write=True)
    if not access.may_correct(user, locked, rights):
        raise PermissionDenied
    current = locked.current_version
    assert current is not None  # set in the same transaction as the entry
    current.entry = locked
    text = clean_text(text, label=_("Text"), limit=MAX_ENTRY_CHARS)
    new_kind = choice(kind, EntryKind, label=_("Type")) if kind is not None else current.kind
    day = _entry_date(case, occurred_on) if occurred_on is not None else current.occurred_on
    reason = clean_text(reason, label=_("Reason"), limit=MAX_REASON_CHARS, required=False)
    if (text, new_kind, day) == (current.text, current.kind, current.occurred_on):
        return Correction(current, created=False)
    if expected_version is not None and expected_version != current.number:
        raise ValidationError(
            _(
                "Meanwhile %(name)s corrected this entry (version %(number)d). Nothing was "
                "changed; please read the current text first."
            )
            % {"name": current.author or _("a colleague"), "number": current.number},
            code="stale",
        )
    version = CaseEntryVersion(
        entry=locked, number=current.number + 1, occurred_on=day, kind=new_kind, author=user
    )
    version.text = text
    version.reason_sealed = None
    if reason:
        version.reason = reason
    version.save(force_insert=True)
    locked.current_version = version
    locked.occurred_on, locked.kind = day, new_kind
    locked.save(update_fields=["current_version", "occurred_on", "kind"])
    audit.record(
        "case.entry_corrected",
        actor=user,
        target=case,
        organisation_id=case.organisation_id,
        entry=locked.pk,
        version=version.number,
    )
    return Correction(version, created=True)


def add_attachment(user: User, entry: CaseEntry, upload: CheckedFile) -> CaseAttachment:
    """A checked file (``conversations.attachments.check_upload``) on an entry, encrypted.

    The encrypted file is written before the transaction; if the row is not stored
    after all, the file is removed again.
    """
    case = entry.case
    rights = require_case(user, case, write=True)
    if not access.may_correct(user, entry, rights):
        raise PermissionDenied
    if not isinstance(upload, CheckedFile):
        raise ValidationError(_("This file cannot be stored."), code="type")
    if entry.attachments.count() >= MAX_ATTACHMENTS_PER_ENTRY:
        raise ValidationError(
            _("An entry has at most %(limit)d attachments.") % {"limit": MAX_ATTACHMENTS_PER_ENTRY},
            code="too_many",
        )
    storage_name = crypto.save_encrypted_file(
        case.data_key, upload.data, context=ATTACHMENT_CONTEXT
    )
    try:
        with transaction.atomic():
            attachment = CaseAttachment(
                entry=entry,
                content_type=upload.content_type,
                size=upload.size,
                storage_name=storage_name,
                added_by=user,
            )
            attachment.name = upload.name
            attachment.save(force_insert=True)
            audit.record(
                "case.attachment_added",
                actor=user,
                target=case,
                organisation_id=case.organisation_id,
                entry=entry.pk,
                attachment=attachment.pk,
                content_type=upload.content_type,
            )
    except BaseException:
        default_storage.delete(storage_name)
        raise
    return attachment
