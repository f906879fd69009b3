"""Who may see and change the partner network: the one door to its objects.

- The directory (partners, contacts, agreements) and the events are shared inside the
  organisation: every active staff member with a role in it reads them.
- Counsellors, leadership and communications edit them (``EDIT_ROLES``): they are the
  ones who work with partners, refer clients and represent the organisation at events.
  Volunteers, the DPO and admins read. Every member of staff signs up for events.
- Referrals hang on a case file and follow its rights (``cases.access.case_rights``):
  who may write the case refers and records outcomes; a restricted case is read-only.
- Objects of another organisation answer 404, so their ids reveal nothing.
"""

from __future__ import annotations

from django.http import Http404

from hafen.accounts.access import has_role
from hafen.accounts.models import Membership, Role, User
from hafen.cases import access as case_access
from hafen.network.models import Agreement, Contact, Event, Partner, Referral

EDIT_ROLES = (Role.COUNSELLOR, Role.LEADERSHIP, Role.COMMUNICATIONS)


def staff_of_organisation(user: object) -> User | None:
    """The active staff member with a role in an organisation, or None."""
    if not isinstance(user, User) or not user.is_active or user.organisation_id is None:
        return None
    if not Membership.objects.filter(user=user, organisation_id=user.organisation_id).exists():
        return None
    return user


def may_read(user: object) -> bool:
    return staff_of_organisation(user) is not None


def may_edit(user: object) -> bool:
    return staff_of_organisation(user) is not None and has_role(user, *EDIT_ROLES)


def _organisation_id(user: object, *, edit: bool) -> int:
    staff = staff_of_organisation(user)
    if staff is None or (edit and not has_role(staff, *EDIT_ROLES)):
        raise Http404
    assert staff.organisation_id is not None
    return staff.organisation_id


def _id(value: object) -> int:
    return case_access.parse_id(value)


def access_partner(user: object, partner_id: object, *, edit: bool = False) -> Partner:
    organisation_id = _organisation_id(user, edit=edit)
    found = Partner.objects.filter(pk=_id(partner_id), organisation_id=organisation_id).first()
    if found is None:
        raise Http404
    return found


def access_contact(user: object, contact_id: object, *, edit: bool = False) -> Contact:
    organisation_id = _organisation_id(user, edit=edit)
    found = (
        Contact.objects.select_related("partner")
        .filter(pk=_id(contact_id), partner__organisation_id=organisation_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def access_agreement(user: object, agreement_id: object, *, edit: bool = False) -> Agreement:
    organisation_id = _organisation_id(user, edit=edit)
    found = (
        Agreement.objects.select_related("partner", "responsible")
        .filter(pk=_id(agreement_id), organisation_id=organisation_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def access_event(user: object, event_id: object, *, edit: bool = False) -> Event:
    organisation_id = _organisation_id(user, edit=edit)
    found = Event.objects.filter(pk=_id(event_id), organisation_id=organisation_id).first()
    if found is None:
        raise Http404
    return found


def access_referral(user: object, referral_id: object, *, write: bool = False) -> Referral:
    """The referral if ``user`` may read its case (and write it, with ``write``)."""
    found = (
        Referral.objects.select_related("case__data_key", "case__team__facility", "partner")
        .filter(pk=_id(referral_id))
        .first()
    )
    if found is None:
        raise Http404
    case_access.require(case_access.case_rights(user, found.case), write=write, case=found.case)
    return found
