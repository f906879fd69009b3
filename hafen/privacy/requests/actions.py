"""Every write of a data-subject request, checked and audited in one transaction.

Only the data-protection officer of the request's organisation acts here. Every
function locks the request row and checks its state again, so a double click or
two officers at once change things once. Bad input raises ``ValidationError`` with
a message in the user's language and changes nothing. Audit entries name the
request, the case and the kind of step; never the requester's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hafen.accounts.access import has_role
from hafen.accounts.models import Role, User
from hafen.cases import validation
from hafen.cases.actions.erasure import erase_case
from hafen.cases.models import Case, Disclosure, DisclosureKind
from hafen.privacy import audit
from hafen.privacy.requests import bundle
from hafen.privacy.requests.models import (
    EXPORT_KINDS,
    MAX_EXTENSION_MONTHS,
    MAX_IDENTITY_CHARS,
    MAX_NOTES_CHARS,
    RequestKind,
    RequestOutcome,
    SubjectRequest,
)
from hafen.privacy.retention import actions as retention_actions
from hafen.privacy.retention.blockers import erasure_blockers, is_restricted
from hafen.privacy.retention.models import (
    DeletionCause,
    DeletionLog,
    ProcessingRestriction,
    RetentionKind,
)

MAX_FILE_NUMBER_CHARS = 40
MAX_REASON_CHARS = 1000
MIN_REASON_CHARS = 10


def is_officer(user: object, organisation_id: int | None) -> bool:
    """The data-protection officer of ``organisation_id``: the only one who acts here."""
    return (
        isinstance(user, User)
        and organisation_id is not None
        and user.organisation_id == organisation_id
        and has_role(user, Role.DPO)
    )


def _require_officer(user: User, organisation_id: int | None) -> None:
    if not is_officer(user, organisation_id):
        raise PermissionDenied


def _locked(user: User, request: SubjectRequest) -> SubjectRequest:
    """The request again, under a row lock, with the state another click may have changed."""
    _require_officer(user, request.organisation_id)
    return SubjectRequest.objects.select_for_update().get(pk=request.pk)


def _require_open(request: SubjectRequest) -> None:
    if not request.is_open:
        raise ValidationError(_("This request is closed already."), code="closed")


def _case_of(request: SubjectRequest) -> Case:
    """The request's case, locked; refused when it was erased meanwhile."""
    case = (
        Case.objects.select_for_update()
        .select_related("data_key")
        .filter(pk=request.case_id)
        .first()
        if request.case_id
        else None
    )
    if case is None or case.data_key.is_shredded:
        raise ValidationError(
            _("The case file of this request no longer exists: it has been erased."),
            code="erased",
        )
    return case


def _audit(action: str, user: User, request: SubjectRequest, **details: str | int | bool) -> None:
    audit.record(
        action,
        actor=user,
        target=request,
        organisation_id=request.organisation_id,
        kind=request.kind,
        case=request.case_record_id,
        **details,
    )


# -- recording ---------------------------------------------------------------------------


def find_case(organisation_id: int, file_number: object) -> Case:
    """The case with this file number in the organisation; the same message whether it
    does not exist or belongs to another organisation, so nothing is revealed."""
    number = validation.clean_line(file_number, label=_("File number"), limit=MAX_FILE_NUMBER_CHARS)
    case = Case.objects.filter(organisation_id=organisation_id, reference__iexact=number).first()
    if case is None:
        raise ValidationError(
            _("There is no case file with the file number %(number)s in your organisation.")
            % {"number": number},
            code="no_case",
        )
    return case


def record_request(
    user: User,
    *,
    kind: object,
    file_number: object,
    received_on: object,
    identity_check: object = "",
    notes: object = "",
    form_token: str = "",
) -> SubjectRequest:
    """Record a request the DSB received about a case file of the own organisation."""
    organisation_id = user.organisation_id
    _require_officer(user, organisation_id)
    assert organisation_id is not None  # checked above
    chosen = validation.choice(kind, RequestKind, label=_("Kind of request"))
    case = find_case(organisation_id, file_number)
    received = validation.not_in_future(
        validation.require_date(received_on, label=_("Received on")), label=_("Received on")
    )
    identity = validation.clean_line(
        identity_check,
        label=_("Identity checked by"),
        limit=MAX_IDENTITY_CHARS,
    )
    text = validation.clean_text(notes, label=_("Notes"), limit=MAX_NOTES_CHARS, required=False)
    token = form_token if isinstance(form_token, str) and len(form_token) <= 64 else ""
    if token:
        existing = SubjectRequest.objects.filter(
            organisation_id=organisation_id, form_token=token
        ).first()
        if existing is not None:  # the same form sent twice: the first request stands
            return existing
    try:
        with transaction.atomic():
            request = SubjectRequest.objects.create(
                organisation_id=organisation_id,
                kind=chosen,
                case=case,
                case_record_id=str(case.pk),
                received_on=received,
                identity_check=identity,
                notes=text,
                created_by=user,
                form_token=token,
            )
            _audit("subject_request.recorded", user, request)
    except IntegrityError:
        # Two posts of the same form raced; the other one recorded it.
        existing = SubjectRequest.objects.filter(
            organisation_id=organisation_id, form_token=token
        ).first()
        if not token or existing is None:
            raise
        return existing
    return request


# -- the deadline ------------------------------------------------------------------------


@transaction.atomic
def extend_deadline(
    user: User, request: SubjectRequest, *, months: object, reason: object
) -> SubjectRequest:
    """Extend the deadline once by one or two months, with the reason (Art. 12 Abs. 3 DSGVO).

    The requester must be told of the extension and its reasons within the first month;
    the reason is kept here for that letter.
    """
    request = _locked(user, request)
    _require_open(request)
    if request.extension_months:
        raise ValidationError(
            _("The deadline has been extended already; the law allows it only once."),
            code="extended",
        )
    if timezone.localdate() > request.due_on:
        raise ValidationError(
            _(
                "The deadline can only be extended within the first month after receipt, "
                "when the requester is told of it (Art. 12 Abs. 3 DSGVO)."
            ),
            code="late",
        )
    if isinstance(months, bool) or not isinstance(months, int | str):
        months = ""
    try:
        count = int(months)
    except ValueError:
        count = 0
    if not 1 <= count <= MAX_EXTENSION_MONTHS:
        raise ValidationError(
            _("The deadline can be extended by one or two months: three months in all at most."),
            code="months",
        )
    text = validation.clean_text(reason, label=_("Reason"), limit=MAX_REASON_CHARS)
    if len(text) < MIN_REASON_CHARS:
        raise ValidationError(
            _("Please give the reason for the extension (at least 10 characters)."),
            code="reason",
        )
    request.extension_months = count
    request.extension_reason = text
    request.extended_at = timezone.now()
    request.save(update_fields=["extension_months", "extension_reason", "extended_at"])
    _audit("subject_request.extended", user, request, months=count)
    return request


# -- export (Art. 15, 20) ----------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    filename: str
    data: bytes


def export_case(user: User, request: SubjectRequest) -> Export:
    """The bundle of the request's case (ZIP of JSON and PDF), recorded as a disclosure.

    The disclosure and its audit entry are written in the transaction that builds the
    bundle: the export exists exactly when its record does. Nothing is written to disk.
    """
    with transaction.atomic():
        request = _locked(user, request)
        _require_open(request)
        if request.kind not in EXPORT_KINDS:
            raise ValidationError(
                _("Only requests for access or data portability get an export."), code="kind"
            )
        case = _case_of(request)
        disclosure = Disclosure(
            case=case, kind=DisclosureKind.EXPORT, includes_restricted=False, by=user
        )
        disclosure.reason = _("Data-subject request no. %(number)s: %(kind)s") % {
            "number": request.pk,
            "kind": request.get_kind_display(),
        }
        disclosure.save(force_insert=True)
        request.exports += 1
        request.save(update_fields=["exports"])
        audit.record(
            "case.disclosed",
            actor=user,
            target=case,
            organisation_id=case.organisation_id,
            kind=DisclosureKind.EXPORT,
            includes_restricted=False,
            disclosure=disclosure.pk,
            request=request.pk,
        )
        data = bundle.build(case, request)
    stamp = timezone.localdate().isoformat()
    return Export(f"{case.reference}-auskunft-{request.pk}-{stamp}.zip", data)


# -- erasure (Art. 17) -------------------------------------------------------------------


@dataclass(frozen=True)
class Erasure:
    erased: bool
    exceptions: list[str]  # the legal reasons that refused it; empty when erased


def erase_for_request(user: User, request: SubjectRequest, today: date | None = None) -> Erasure:
    """Erase the request's case unless the law keeps it; either way the answer is recorded.

    Legal reasons (a statutory minimum such as § 9b SGB VIII, a legal hold, a
    restriction) refuse the erasure (Art. 17 Abs. 3 DSGVO): they are stored as the
    request's exceptions and the DSB may restrict processing instead. Otherwise the
    case's key is shredded and its rows removed, with a deletion-log row and an audit
    entry, in one transaction; the request stays, its notes emptied.
    """
    with transaction.atomic():
        request = _locked(user, request)
        _require_open(request)
        if request.kind != RequestKind.ERASURE:
            raise ValidationError(
                _("Only a request for erasure erases the case file."), code="kind"
            )
        if request.erased_at is not None:
            raise ValidationError(
                _("The case file of this request has been erased already."), code="erased"
            )
        case = _case_of(request)
        reasons = erasure_blockers(case, today=today)
        if reasons:
            request.exceptions = "\n".join(reasons)
            request.save(update_fields=["exceptions"])
            _audit("subject_request.erasure_refused", user, request, reasons=len(reasons))
            return Erasure(erased=False, exceptions=reasons)
        now = timezone.now()
        DeletionLog.objects.create(
            kind=RetentionKind.CASE,
            record_id=str(case.pk),
            organisation_id=case.organisation_id,
            data_key_id=case.data_key_id,
            cause=DeletionCause.REQUEST,
            request_id=request.pk,
            legal_basis="Art. 17 DSGVO",
            deleted_at=now,
        )
        audit.record(
            "subject_request.case_erased",
            actor=user,
            target=case,
            organisation_id=case.organisation_id,
            request=request.pk,
        )
        erase_case(case)
        request.case = None
        request.erased_at = now
        request.exceptions = ""
        request.notes = ""
        request.save(update_fields=["case", "erased_at", "exceptions", "notes"])
    return Erasure(erased=True, exceptions=[])


# -- restriction (Art. 18, § 84 SGB X) ---------------------------------------------------


def may_restrict(request: SubjectRequest) -> bool:
    """A request for restriction, or an erasure the law refused (restriction instead)."""
    return request.kind == RequestKind.RESTRICTION or (
        request.kind == RequestKind.ERASURE and bool(request.exceptions)
    )


def restrict_for_request(user: User, request: SubjectRequest) -> ProcessingRestriction:
    """Restrict processing of the request's case; the request is the reason's reference."""
    with transaction.atomic():
        request = _locked(user, request)
        _require_open(request)
        if not may_restrict(request):
            raise ValidationError(
                _(
                    "Processing is restricted for a request for restriction, or instead of "
                    "an erasure that the law does not allow."
                ),
                code="kind",
            )
        case = _case_of(request)
        if is_restricted(case):
            raise ValidationError(
                _("Processing of this case file is restricted already."), code="restricted"
            )
        reason = _("Data-subject request no. %(number)s: %(kind)s") % {
            "number": request.pk,
            "kind": request.get_kind_display(),
        }
        restriction = retention_actions.restrict_processing(user, case, reason)
        request.restriction = restriction
        request.save(update_fields=["restriction"])
        _audit("subject_request.restricted", user, request, restriction=restriction.pk)
    return restriction


# -- closing -----------------------------------------------------------------------------


def _done(request: SubjectRequest) -> bool:
    """Has the step the kind asks for been taken (for the outcome "fulfilled")?"""
    if request.kind in EXPORT_KINDS:
        return request.exports > 0
    if request.kind == RequestKind.ERASURE:
        return request.erased_at is not None
    if request.kind == RequestKind.RESTRICTION:
        return request.restriction_id is not None
    return True  # rectification is done in the case file by its team


@transaction.atomic
def close_request(
    user: User, request: SubjectRequest, *, outcome: object, note: object = ""
) -> SubjectRequest:
    request = _locked(user, request)
    _require_open(request)
    chosen = validation.choice(outcome, RequestOutcome, label=_("Outcome"))
    if chosen == RequestOutcome.FULFILLED and not _done(request):
        raise ValidationError(
            _(
                "The request is not fulfilled yet: export, erase or restrict first, "
                "or choose another outcome."
            ),
            code="not_done",
        )
    text = validation.clean_text(
        note, label=_("Note on the outcome"), limit=MAX_NOTES_CHARS, required=False
    )
    if chosen in (RequestOutcome.PARTLY, RequestOutcome.REFUSED) and not (
        text or request.exceptions
    ):
        raise ValidationError(
            _("Please give the reasons: the requester must be told why (Art. 12 Abs. 4 DSGVO)."),
            code="reasons",
        )
    request.outcome = chosen
    request.outcome_note = text
    request.closed_at = timezone.now()
    request.closed_by = user
    request.save(update_fields=["outcome", "outcome_note", "closed_at", "closed_by"])
    _audit("subject_request.closed", user, request, outcome=chosen)
    return request
