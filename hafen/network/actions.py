"""Every write to the partner network, checked and audited in one transaction.

Audit entries name records by type and number and say which fields changed; never
a name, a note or what a referral passed on.

- directory: ``create_partner``, ``update_partner``, ``import_partners`` (all rows or
  none), ``add_contact``, ``update_contact``, ``confirm_contact``, ``delete_contact``;
- referrals: ``refer`` (needs a standing referral consent, or records it on the way),
  ``set_outcome``;
- events: ``create_event``, ``update_event``, ``sign_up``, ``withdraw``, and the feed
  secret: ``renew_feed_token``, ``feed_user``;
- cooperation agreements: ``create_agreement``, ``update_agreement``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hafen.accounts.models import User
from hafen.cases import access as case_access
from hafen.cases.actions import record_disclosure
from hafen.cases.models import Case, DisclosureKind
from hafen.cases.validation import clean_line, clean_text
from hafen.network import access
from hafen.network.models import (
    MAX_DESCRIPTION_CHARS,
    MAX_LIST_CHARS,
    MAX_NAME_CHARS,
    MAX_NOTES_CHARS,
    MAX_PASSED_ON_CHARS,
    MAX_REACH_CHARS,
    MAX_URL_CHARS,
    Agreement,
    Contact,
    Event,
    EventKind,
    FeedToken,
    Partner,
    Referral,
    ReferralOutcome,
)
from hafen.privacy import audit
from hafen.privacy.consent import actions as consent_actions
from hafen.privacy.consent import queries as consent_queries
from hafen.privacy.consent.models import ConsentKind

PARTNER_FIELDS = ("name", "services", "areas", "target_groups", "languages", "reach", "notes")


def _editor(user: User) -> int:
    if not access.may_edit(user):
        raise PermissionDenied
    assert user.organisation_id is not None
    return user.organisation_id


def _same_organisation(user: User, organisation_id: int) -> None:
    if user.organisation_id != organisation_id:
        raise PermissionDenied


def _list(raw: object, label: str) -> str:
    """A comma-separated list, tidied: "Schulden, Wohnen" (empty parts dropped)."""
    text = clean_line(raw, label=label, limit=MAX_LIST_CHARS, required=False)
    return ", ".join(part.strip() for part in text.split(",") if part.strip())


def clean_partner(data: Mapping[str, object]) -> dict[str, str]:
    """The fields of a partner as they will be stored; ValidationError naming the field."""
    return {
        "name": clean_line(data.get("name"), label=_("Name"), limit=MAX_NAME_CHARS),
        "services": _list(data.get("services", ""), _("Services offered")),
        "areas": _list(data.get("areas", ""), _("Areas")),
        "target_groups": _list(data.get("target_groups", ""), _("Target groups")),
        "languages": _list(data.get("languages", ""), _("Languages")),
        "reach": clean_text(
            data.get("reach", ""),
            label=_("How to reach them"),
            limit=MAX_REACH_CHARS,
            required=False,
        ),
        "notes": clean_text(
            data.get("notes", ""), label=_("Notes"), limit=MAX_NOTES_CHARS, required=False
        ),
    }


def _duplicate_name() -> ValidationError:
    return ValidationError(
        _("A partner organisation with this name is in the directory already."), code="duplicate"
    )


@transaction.atomic
def create_partner(user: User, **data: object) -> Partner:
    organisation_id = _editor(user)
    fields = clean_partner(data)
    if Partner.objects.filter(
        organisation_id=organisation_id, name__iexact=fields["name"]
    ).exists():
        raise _duplicate_name()
    try:
        with transaction.atomic():
            partner = Partner.objects.create(
                organisation_id=organisation_id, created_by=user, **fields
            )
    except IntegrityError:
        raise _duplicate_name() from None
    audit.record(
        "network.partner_created", actor=user, target=partner, organisation_id=organisation_id
    )
    return partner


@transaction.atomic
def update_partner(user: User, partner: Partner, *, is_active: bool = True, **data: object) -> bool:
    organisation_id = _editor(user)
    _same_organisation(user, partner.organisation_id)
    fields: dict[str, Any] = {**clean_partner(data), "is_active": bool(is_active)}
    if (
        Partner.objects.filter(organisation_id=organisation_id, name__iexact=fields["name"])
        .exclude(pk=partner.pk)
        .exists()
    ):
        raise _duplicate_name()
    changed = [name for name, value in fields.items() if getattr(partner, name) != value]
    if not changed:
        return False
    for name in changed:
        setattr(partner, name, fields[name])
    partner.save(update_fields=[*changed, "updated_at"])
    audit.record(
        "network.partner_changed",
        actor=user,
        target=partner,
        organisation_id=organisation_id,
        fields=",".join(changed),
    )
    return True


@transaction.atomic
def import_partners(user: User, rows: list[dict[str, str]]) -> list[Partner]:
    """Create every row as a partner, or none: the caller has validated the rows
    (``csv_import.parse``); a name that appeared meanwhile rolls all back."""
    organisation_id = _editor(user)
    made = []
    for number, row in enumerate(rows, start=1):
        fields = clean_partner(row)
        if Partner.objects.filter(
            organisation_id=organisation_id, name__iexact=fields["name"]
        ).exists():
            raise ValidationError(
                _("Row %(row)s: %(message)s")
                % {"row": number, "message": _duplicate_name().messages[0]},
                code="duplicate",
            )
        made.append(
            Partner.objects.create(organisation_id=organisation_id, created_by=user, **fields)
        )
    audit.record(
        "network.partners_imported",
        actor=user,
        organisation_id=organisation_id,
        count=len(made),
    )
    return made


# -- contacts ----------------------------------------------------------------------------


def clean_contact(data: Mapping[str, object]) -> dict[str, str]:
    email = clean_line(data.get("email", ""), label=_("E-mail"), limit=254, required=False)
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise ValidationError(_("Please give a valid e-mail address."), code="email") from None
    return {
        "name": clean_line(data.get("name"), label=_("Name"), limit=MAX_NAME_CHARS),
        "function": clean_line(
            data.get("function", ""), label=_("Function"), limit=MAX_NAME_CHARS, required=False
        ),
        "phone": clean_line(data.get("phone", ""), label=_("Phone"), limit=60, required=False),
        "email": email,
        "notes": clean_text(
            data.get("notes", ""), label=_("Notes"), limit=MAX_NOTES_CHARS, required=False
        ),
    }


@transaction.atomic
def add_contact(user: User, partner: Partner, **data: object) -> Contact:
    organisation_id = _editor(user)
    _same_organisation(user, partner.organisation_id)
    contact = Contact.objects.create(
        partner=partner, confirmed_on=timezone.localdate(), **clean_contact(data)
    )
    audit.record(
        "network.contact_added",
        actor=user,
        target=contact,
        organisation_id=organisation_id,
        partner=partner.pk,
    )
    return contact


@transaction.atomic
def update_contact(user: User, contact: Contact, **data: object) -> bool:
    """Change a contact; saving it also confirms that its details are right today."""
    organisation_id = _editor(user)
    _same_organisation(user, contact.partner.organisation_id)
    fields: dict[str, Any] = clean_contact(data)
    changed = [name for name, value in fields.items() if getattr(contact, name) != value]
    for name in changed:
        setattr(contact, name, fields[name])
    contact.confirmed_on = timezone.localdate()
    contact.save(update_fields=[*changed, "confirmed_on"])
    audit.record(
        "network.contact_changed",
        actor=user,
        target=contact,
        organisation_id=organisation_id,
        fields=",".join(changed),
    )
    return bool(changed)


@transaction.atomic
def confirm_contact(user: User, contact: Contact) -> None:
    organisation_id = _editor(user)
    _same_organisation(user, contact.partner.organisation_id)
    contact.confirmed_on = timezone.localdate()
    contact.save(update_fields=["confirmed_on"])
    audit.record(
        "network.contact_confirmed", actor=user, target=contact, organisation_id=organisation_id
    )


@transaction.atomic
def delete_contact(user: User, contact: Contact) -> None:
    organisation_id = _editor(user)
    _same_organisation(user, contact.partner.organisation_id)
    audit.record(
        "network.contact_deleted",
        actor=user,
        target=contact,
        organisation_id=organisation_id,
        partner=contact.partner_id,
    )
    contact.delete()


# -- referrals ---------------------------------------------------------------------------


@transaction.atomic
def refer(
    user: User,
    case: Case,
    partner: Partner,
    *,
    passed_on: str,
    referred_on: object,
    consent_method: str = "",
    consent_given_on: object = None,
) -> Referral:
    """Refer the client of ``case`` to ``partner``, recording what was passed on.

    Needs a standing referral consent (Art. 6 Abs. 1 lit. a, Art. 7 DSGVO, § 67d SGB X).
    With ``consent_method`` (written or verbal) and ``consent_given_on``, the consent is
    recorded first through the privacy API, in the same transaction: if the referral is
    refused, no consent is recorded either. The case must be writable (not restricted,
    not erased); a disclosure of kind "referral" is recorded on the case.
    """
    rights = case_access.case_rights(user, case)
    case_access.require(rights, write=True, case=case)
    if case.data_key.is_shredded:
        raise ValidationError(
            _("This content has been erased; nothing can be added to it."), code="shredded"
        )
    if partner.organisation_id != case.organisation_id:
        raise PermissionDenied
    if not partner.is_active:
        raise ValidationError(
            _("This partner organisation is no longer offered for referrals."), code="inactive"
        )
    text = clean_text(passed_on, label=_("What was passed on"), limit=MAX_PASSED_ON_CHARS)
    day = _past_date(referred_on, _("Referred on"))
    if consent_method:
        consent_actions.record_consent(
            user,
            ConsentKind.REFERRAL,
            case,
            method=consent_method,
            given_on=consent_given_on,
        )
    consent = consent_queries.current_consent(ConsentKind.REFERRAL, case)
    if consent is None:
        raise ValidationError(
            _(
                "The client has not consented to a referral (or withdrew the consent). "
                "Please record the consent first."
            ),
            code="no_consent",
        )
    if day < consent.given_on:
        raise ValidationError(
            _("The referral cannot be dated before the consent was given."), code="before_consent"
        )
    referral = Referral(
        organisation_id=case.organisation_id,
        case=case,
        team_id=case.team_id,
        partner=partner,
        consent=consent,
        referred_on=day,
        created_by=user,
    )
    referral.passed_on = text
    referral.save(force_insert=True)
    record_disclosure(user, case, kind=DisclosureKind.REFERRAL, include_restricted=False)
    audit.record(
        "network.referred",
        actor=user,
        target=referral,
        organisation_id=case.organisation_id,
        case=case.pk,
        partner=partner.pk,
        consent=consent.pk,
    )
    return referral


def _past_date(day: object, label: str) -> date:
    if not isinstance(day, date) or isinstance(day, datetime):
        raise ValidationError(_("Please fill in: %(field)s.") % {"field": label}, code="date")
    if day > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="future")
    return day


@transaction.atomic
def set_outcome(user: User, referral: Referral, *, outcome: str, outcome_on: object) -> bool:
    """Record how the referral went (accepted, declined, no show ...), later."""
    case_access.require(
        case_access.case_rights(user, referral.case), write=True, case=referral.case
    )
    if outcome not in ReferralOutcome.values:
        raise ValidationError(_("Please choose an outcome of the list."), code="outcome")
    day = None if outcome == ReferralOutcome.OPEN else _past_date(outcome_on, _("Date"))
    if day is not None and day < referral.referred_on:
        raise ValidationError(
            _("The outcome cannot be dated before the referral."), code="before_referral"
        )
    if referral.outcome == outcome and referral.outcome_on == day:
        return False
    referral.outcome, referral.outcome_on = outcome, day
    referral.save(update_fields=["outcome", "outcome_on"])
    audit.record(
        "network.referral_outcome",
        actor=user,
        target=referral,
        organisation_id=referral.organisation_id,
        case=referral.case_id,
        outcome=outcome,
    )
    return True


# -- events ------------------------------------------------------------------------------


def clean_event(data: Mapping[str, object]) -> dict[str, Any]:
    kind = data.get("kind")
    if kind not in EventKind.values:
        raise ValidationError(_("Please choose a kind of event."), code="kind")
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if not isinstance(starts, datetime) or not isinstance(ends, datetime):
        raise ValidationError(_("Please give when the event starts and ends."), code="time")
    if ends < starts:
        raise ValidationError(_("The event cannot end before it starts."), code="order")
    link = clean_line(data.get("link", ""), label=_("Link"), limit=MAX_URL_CHARS, required=False)
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            raise ValidationError(
                _("Please give the link as a web address starting with https://."), code="link"
            ) from None
    return {
        "title": clean_line(data.get("title"), label=_("Title"), limit=MAX_NAME_CHARS),
        "kind": kind,
        "starts_at": starts,
        "ends_at": ends,
        "place": clean_line(
            data.get("place", ""), label=_("Place"), limit=MAX_NAME_CHARS, required=False
        ),
        "link": link,
        "description": clean_text(
            data.get("description", ""),
            label=_("Description"),
            limit=MAX_DESCRIPTION_CHARS,
            required=False,
        ),
    }


@transaction.atomic
def create_event(user: User, **data: object) -> Event:
    organisation_id = _editor(user)
    event = Event.objects.create(
        organisation_id=organisation_id, created_by=user, **clean_event(data)
    )
    audit.record("network.event_created", actor=user, target=event, organisation_id=organisation_id)
    return event


@transaction.atomic
def update_event(user: User, event: Event, **data: object) -> bool:
    organisation_id = _editor(user)
    _same_organisation(user, event.organisation_id)
    fields = clean_event(data)
    changed = [name for name, value in fields.items() if getattr(event, name) != value]
    if not changed:
        return False
    for name in changed:
        setattr(event, name, fields[name])
    event.save(update_fields=changed)
    audit.record(
        "network.event_changed",
        actor=user,
        target=event,
        organisation_id=organisation_id,
        fields=",".join(changed),
    )
    return True


@transaction.atomic
def sign_up(user: User, event: Event) -> bool:
    """The person goes; a second click changes nothing (returns False)."""
    if not access.may_read(user):
        raise PermissionDenied
    _same_organisation(user, event.organisation_id)
    if event.attendees.filter(pk=user.pk).exists():
        return False
    event.attendees.add(user)
    audit.record(
        "network.event_signed_up", actor=user, target=event, organisation_id=event.organisation_id
    )
    return True


@transaction.atomic
def withdraw(user: User, event: Event) -> bool:
    if not access.may_read(user):
        raise PermissionDenied
    _same_organisation(user, event.organisation_id)
    if not event.attendees.filter(pk=user.pk).exists():
        return False
    event.attendees.remove(user)
    audit.record(
        "network.event_withdrawn", actor=user, target=event, organisation_id=event.organisation_id
    )
    return True


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def renew_feed_token(user: User) -> str:
    """A new secret for the person's calendar feed; the old address stops working.

    Returns the token once (only its hash is stored), to show in the feed address.
    """
    if not access.may_read(user):
        raise PermissionDenied
    token = secrets.token_urlsafe(32)
    FeedToken.objects.update_or_create(
        user=user, defaults={"token_hash": token_hash(token), "created_at": timezone.now()}
    )
    audit.record(
        "network.feed_token_renewed", actor=user, target=user, organisation_id=user.organisation_id
    )
    return token


def feed_user(token: str) -> User | None:
    """The active staff member whose feed ``token`` opens, or None."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    found = (
        FeedToken.objects.select_related("user")
        .filter(token_hash=token_hash(token), user__is_active=True)
        .first()
    )
    if found is None or not access.may_read(found.user):
        return None
    return found.user


# -- cooperation agreements --------------------------------------------------------------


def clean_agreement(organisation_id: int, data: Mapping[str, object]) -> dict[str, Any]:
    review_on = data.get("review_on")
    if not isinstance(review_on, date) or isinstance(review_on, datetime):
        raise ValidationError(_("Please give the date of the next review."), code="date")
    responsible = data.get("responsible")
    if not isinstance(responsible, User) or not (
        responsible.is_active and responsible.organisation_id == organisation_id
    ):
        raise ValidationError(
            _("Please choose the responsible person among your colleagues."), code="responsible"
        )
    return {
        "title": clean_line(data.get("title"), label=_("Title"), limit=MAX_NAME_CHARS),
        "text": clean_text(
            data.get("text", ""), label=_("What was agreed"), limit=MAX_NOTES_CHARS, required=False
        ),
        "responsible": responsible,
        "review_on": review_on,
    }


@transaction.atomic
def create_agreement(user: User, partner: Partner, **data: object) -> Agreement:
    organisation_id = _editor(user)
    _same_organisation(user, partner.organisation_id)
    agreement = Agreement.objects.create(
        organisation_id=organisation_id,
        partner=partner,
        created_by=user,
        **clean_agreement(organisation_id, data),
    )
    audit.record(
        "network.agreement_created",
        actor=user,
        target=agreement,
        organisation_id=organisation_id,
        partner=partner.pk,
    )
    return agreement


@transaction.atomic
def update_agreement(user: User, agreement: Agreement, **data: object) -> bool:
    organisation_id = _editor(user)
    _same_organisation(user, agreement.organisation_id)
    fields = clean_agreement(organisation_id, data)
    changed = [name for name, value in fields.items() if getattr(agreement, name) != value]
    if not changed:
        return False
    for name in changed:
        setattr(agreement, name, fields[name])
    update = list(changed)
    if "review_on" in changed or "responsible" in changed:
        agreement.reminded_at = None  # the new date (or person) is reminded again
        update.append("reminded_at")
    agreement.save(update_fields=update)
    audit.record(
        "network.agreement_changed",
        actor=user,
        target=agreement,
        organisation_id=organisation_id,
        fields=",".join(changed),
    )
    return True
