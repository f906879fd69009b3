"""Every write of consent, checked and audited in its own transaction.

- ``publish_version``: the DPO publishes a new version of a text (the next number);
- ``version_for_use``: the version a record will point at; stores Hafen's default
  as version 1 on first use (see ``defaults``);
- ``record_door_notice``: a client started a conversation under notice version N
  (called by ``conversations.actions.start_conversation``, in its transaction);
- ``record_consent`` / ``withdraw_consent``: staff record that a client agreed, and
  that the client withdrew. A withdrawal is written into the records, never deletes
  them.

Audit entries name the version, record and subject by type and number; never a
text's title or body, never a label (it may name a person).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from hafen.accounts.access import has_role
from hafen.accounts.models import Organisation, Role, User
from hafen.privacy import audit
from hafen.privacy.consent.defaults import default_text
from hafen.privacy.consent.models import (
    MAX_BODY_CHARS,
    MAX_TITLE_CHARS,
    ConsentKind,
    ConsentMethod,
    ConsentRecord,
    ConsentText,
)
from hafen.privacy.consent.subjects import (
    LabelSubject,
    organisation_of,
    subject_fields,
    subject_filter,
    subject_type,
)

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from hafen.conversations.models import Conversation
    from hafen.privacy.consent.subjects import Subject

# Who publishes texts: the data-protection officer of the organisation.
PUBLISHERS = (Role.DPO,)
# Who records consent to photos (a labelled subject): whoever prepares public posts.
PHOTO_RECORDERS = (Role.COMMUNICATIONS, Role.LEADERSHIP, Role.DPO)
# Kinds staff record against a case file.
CASE_KINDS = (ConsentKind.DOCUMENTATION, ConsentKind.REFERRAL)
STAFF_METHODS = (ConsentMethod.WRITTEN, ConsentMethod.VERBAL)


# -- texts -------------------------------------------------------------------------------


def clean_text(raw: object, *, limit: int, required: bool, message: str | _StrPromise) -> str:
    """Line endings as ``\\n``, outer whitespace gone; refused if missing or too long."""
    text = raw if isinstance(raw, str) else ""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if required and not text:
        raise ValidationError(message, code="required")
    if len(text) > limit:
        raise ValidationError(
            _("Please keep it under %(limit)s characters."),
            code="too_long",
            params={"limit": f"{limit:,}".replace(",", ".")},
        )
    return text


def _kind(kind: object) -> ConsentKind:
    if kind not in ConsentKind.values:
        raise ValidationError(_("Unknown kind of text."), code="kind")
    return ConsentKind(kind)


def publish_version(
    user: User,
    kind: str,
    *,
    title: object,
    body_de: object,
    body_en: object = "",
    body_easy: object = "",
) -> ConsentText:
    """Publish the next version of the user's organisation's text of ``kind``.

    Only the DPO publishes. A version identical to the current one is refused (a
    second click of the same form publishes once).
    """
    organisation_id = user.organisation_id
    if organisation_id is None or not has_role(user, *PUBLISHERS):
        raise PermissionDenied
    kind = _kind(kind)
    fields = {
        "title": clean_text(
            title, limit=MAX_TITLE_CHARS, required=True, message=_("Please give the text a title.")
        ),
        "body_de": clean_text(
            body_de,
            limit=MAX_BODY_CHARS,
            required=True,
            message=_("Please write the text in German."),
        ),
        "body_en": clean_text(body_en, limit=MAX_BODY_CHARS, required=False, message=""),
        "body_easy": clean_text(body_easy, limit=MAX_BODY_CHARS, required=False, message=""),
    }
    with transaction.atomic():
        # The organisation's row serialises publishers on PostgreSQL (SQLite's IMMEDIATE
        # transactions already do): two at once cannot take the same number.
        Organisation.objects.select_for_update().filter(pk=organisation_id).first()
        current = ConsentText.objects.current(organisation_id, kind)
        if current is not None and all(getattr(current, k) == v for k, v in fields.items()):
            raise ValidationError(
                _("Nothing changed: this is the text of version %(number)s."),
                code="unchanged",
                params={"number": current.number},
            )
        version = ConsentText.objects.create(
            organisation_id=organisation_id,
            kind=kind,
            number=current.number + 1 if current else 1,
            published_by=user,
            published_at=timezone.now(),
            **fields,
        )
        audit.record(
            "consent.version_published",
            actor=user,
            target=version,
            organisation_id=organisation_id,
            kind=kind,
            number=version.number,
        )
    return version


def _store_default(organisation_id: int, kind: str) -> ConsentText:
    """Hafen's default text as version 1 of the organisation (its first use)."""
    organisation = Organisation.objects.get(pk=organisation_id)
    text = default_text(kind, organisation.name)
    try:
        with transaction.atomic():
            version = ConsentText.objects.create(
                organisation_id=organisation_id,
                kind=kind,
                number=1,
                title=text.title,
                body_de=text.body_de,
                body_en=text.body_en,
                body_easy=text.body_easy,
                is_default=True,
                published_at=timezone.now(),
            )
            audit.record(
                "consent.version_published",
                target=version,
                organisation_id=organisation_id,
                kind=kind,
                number=1,
                default=True,
            )
    except IntegrityError:
        # Somebody else used it first a moment ago: theirs is version 1.
        stored = ConsentText.objects.current(organisation_id, kind)
        assert stored is not None
        return stored
    return version


def version_for_use(organisation_id: int, kind: str, number: int | None = None) -> ConsentText:
    """The stored version ``number`` (None: the current one) that a record may point at.

    Before anything is published, version 1 is Hafen's default, stored now.
    """
    current = ConsentText.objects.current(organisation_id, kind)
    if current is None and number in (None, 1):
        return _store_default(organisation_id, kind)
    if current is not None and number is None:
        return current
    if number is None:
        raise ValidationError(_("This version of the text does not exist."), code="version")
    version = ConsentText.objects.of(organisation_id, kind).filter(number=number).first()
    if version is None:
        raise ValidationError(_("This version of the text does not exist."), code="version")
    return version


# -- records -----------------------------------------------------------------------------


def record_door_notice(conversation: Conversation, number: object = None) -> ConsentRecord:
    """The client started ``conversation`` under door-notice version ``number``.

    ``number`` is what the door page showed (a hidden field). Anything that is not a
    version of the organisation's notice — a forged or stale value, or none — records
    the current version: a client is never turned away over a hidden field. No IP
    address, no user agent: the record names the conversation and the version only.
    Call it inside the transaction that creates the conversation.
    """
    organisation_id = conversation.team.facility.organisation_id
    shown = number if isinstance(number, int) and not isinstance(number, bool) else None
    try:
        version = version_for_use(organisation_id, ConsentKind.DOOR_NOTICE, shown)
    except ValidationError:
        version = version_for_use(organisation_id, ConsentKind.DOOR_NOTICE)
    record = ConsentRecord.objects.create(
        version=version,
        conversation=conversation,
        method=ConsentMethod.DOOR,
        given_on=timezone.localdate(),
        recorded_at=timezone.now(),
    )
    audit.record(
        "consent.recorded",
        target=record,
        organisation_id=organisation_id,
        kind=ConsentKind.DOOR_NOTICE,
        number=version.number,
        method=ConsentMethod.DOOR,
        conversation=conversation.pk,
    )
    return record


def _check_recorder(user: User, kind: str, subject: Subject) -> None:
    """May ``user`` record (or withdraw) consent of ``kind`` for ``subject``?"""
    from hafen.cases.access import case_rights
    from hafen.cases.models import Case

    if isinstance(subject, Case):
        if kind not in CASE_KINDS:
            raise ValidationError(
                _("This kind of consent is not recorded on a case file."), code="kind"
            )
        if not case_rights(user, subject).write:
            raise PermissionDenied
        return
    if isinstance(subject, LabelSubject):
        if kind != ConsentKind.PHOTOS:
            raise ValidationError(
                _("This kind of consent needs a case file as its subject."), code="kind"
            )
        if user.organisation_id != subject.organisation_id or not has_role(user, *PHOTO_RECORDERS):
            raise PermissionDenied
        if not subject.label:
            raise ValidationError(_("Please name who the consent is from."), code="label")
        return
    # Conversations take note of the door notice by themselves (``record_door_notice``).
    raise ValidationError(
        _("Consent for a conversation is recorded by the client door only."), code="subject"
    )


def _check_date(day: object, *, not_before: date | None, message: str | _StrPromise) -> date:
    if not isinstance(day, date):
        raise ValidationError(_("Please give the date."), code="date")
    if day > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="future")
    if not_before is not None and day < not_before:
        raise ValidationError(
            message, code="too_early", params={"date": date_format(not_before, "SHORT_DATE_FORMAT")}
        )
    return day


def record_consent(
    user: User,
    kind: str,
    subject: Subject,
    *,
    method: str,
    given_on: object,
    number: int | None = None,
) -> ConsentRecord:
    """Record that the client agreed to version ``number`` (None: the current one).

    ``subject`` is a case file (documentation, referral) or a ``LabelSubject``
    (photos). ``method`` is ``written`` or ``verbal``; ``given_on`` the day the client
    agreed. Refused (``ValidationError``, nothing changed): an unknown version, a date
    in the future or before the version was published or before the latest
    withdrawal, the same standing consent twice. ``PermissionDenied`` for whoever may
    not write the case (or record photo consents).
    """
    kind = _kind(kind)
    _check_recorder(user, kind, subject)
    if method not in STAFF_METHODS:
        raise ValidationError(_("Please say how the consent was given."), code="method")
    organisation_id = organisation_of(subject)
    with transaction.atomic():
        version = version_for_use(organisation_id, kind, number)
        published = None if version.is_default else timezone.localdate(version.published_at)
        day = _check_date(
            given_on,
            not_before=published,
            message=_("This version was published on %(date)s; nobody agreed to it before."),
        )
        records = ConsentRecord.objects.filter(subject_filter(subject), version__kind=kind)
        last_withdrawal = (
            records.filter(withdrawn_on__isnull=False).order_by("-withdrawn_on").first()
        )
        if last_withdrawal is not None and last_withdrawal.withdrawn_on is not None:
            _check_date(
                day,
                not_before=last_withdrawal.withdrawn_on,
                message=_(
                    "The client withdrew this consent on %(date)s; a consent given before "
                    "was withdrawn with it."
                ),
            )
        if records.filter(version=version, withdrawn_on__isnull=True).exists():
            raise _already(version)
        try:
            with transaction.atomic():
                record = ConsentRecord.objects.create(
                    version=version,
                    method=method,
                    given_on=day,
                    recorded_by=user,
                    recorded_at=timezone.now(),
                    **subject_fields(subject),
                )
        except IntegrityError:  # the same form, submitted twice at once
            raise _already(version) from None
        audit.record(
            "consent.recorded",
            actor=user,
            target=record,
            organisation_id=organisation_id,
            kind=kind,
            number=version.number,
            method=method,
            **{subject_type(subject): getattr(subject, "pk", None)},
        )
    return record


def _already(version: ConsentText) -> ValidationError:
    return ValidationError(
        _("This consent (version %(number)s) is already recorded."),
        code="duplicate",
        params={"number": version.number},
    )


def withdraw_consent(
    user: User, kind: str, subject: Subject, *, withdrawn_on: object
) -> list[ConsentRecord]:
    """Record that the client withdrew consent of ``kind``: every standing record of
    the subject gets the date; none is deleted. Returns the records withdrawn.

    Refused (``ValidationError``): nothing standing to withdraw (a second click), a
    date in the future or before the consent was given, the door notice (information,
    not consent).
    """
    kind = _kind(kind)
    if kind == ConsentKind.DOOR_NOTICE:
        raise ValidationError(
            _("A privacy notice is information, not consent: there is nothing to withdraw."),
            code="kind",
        )
    _check_recorder(user, kind, subject)
    organisation_id = organisation_of(subject)
    with transaction.atomic():
        standing = list(
            ConsentRecord.objects.select_for_update(of=("self",))
            .filter(subject_filter(subject), version__kind=kind, withdrawn_on__isnull=True)
            .select_related("version")
        )
        if not standing:
            raise ValidationError(
                _(
                    "There is no standing consent to withdraw: none was recorded, or it was "
                    "withdrawn already."
                ),
                code="nothing",
            )
        day = _check_date(
            withdrawn_on,
            not_before=max(record.given_on for record in standing),
            message=_("The consent was given on %(date)s; it cannot be withdrawn before."),
        )
        now = timezone.now()
        withdrawn = []
        for record in standing:
            # The filter on "still standing" makes a concurrent second withdrawal a no-op.
            changed = ConsentRecord.objects.filter(pk=record.pk, withdrawn_on__isnull=True).update(
                withdrawn_on=day, withdrawal_recorded_by=user, withdrawal_recorded_at=now
            )
            if not changed:
                continue
            record.withdrawn_on, record.withdrawal_recorded_by = day, user
            record.withdrawal_recorded_at = now
            withdrawn.append(record)
            audit.record(
                "consent.withdrawn",
                actor=user,
                target=record,
                organisation_id=organisation_id,
                kind=kind,
                number=record.version.number,
                **{subject_type(subject): getattr(subject, "pk", None)},
            )
        if not withdrawn:
            raise ValidationError(_("The consent was withdrawn already."), code="nothing")
    return withdrawn
