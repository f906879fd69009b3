"""What every action module needs: rights checks, staff checks, forms posted twice."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from hafen.accounts.models import Membership, Role, User
from hafen.cases import access
from hafen.cases.models import Case, SubmittedForm
from hafen.privacy.models import DataKey

M = TypeVar("M", bound=models.Model)

_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")


class Keep:
    """The default of an optional change: leave the field as it is."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = Keep()


def require_case(user: User, case: Case, *, write: bool = True) -> access.CaseRights:
    """Defence in depth: actions ask again, whatever the view already asked."""
    rights = access.case_rights(user, case)
    access.require(rights, write=write)
    if write:
        require_live_key(case.data_key)
    return rights


def require_live_key(data_key: DataKey) -> None:
    """Nothing can be sealed with a shredded key: say so instead of failing."""
    if data_key.is_shredded:
        raise ValidationError(
            _("This content has been erased; nothing can be added to it."), code="shredded"
        )


def has_org_role(user: User, organisation_id: int, *roles: str) -> bool:
    return Membership.objects.filter(
        user=user, organisation_id=organisation_id, role__in=roles, user__is_active=True
    ).exists()


def manages_cases(user: User) -> bool:
    """Leadership and admins configure categories, templates and settings of case files."""
    return (
        user.organisation_id is not None
        and Membership.objects.filter(
            user=user,
            organisation_id=user.organisation_id,
            team__isnull=True,
            role__in=[Role.LEADERSHIP, Role.ADMIN],
        ).exists()
    )


def staff_of(
    organisation_id: int, users: Iterable[User], *, roles: Iterable[str] | None = None
) -> list[User]:
    """``users`` if each is active staff of the organisation (with one of ``roles``)."""
    wanted = {user.pk for user in users}
    if not wanted:
        return []
    found = User.objects.filter(pk__in=wanted, is_active=True, organisation_id=organisation_id)
    if roles is not None:
        found = found.filter(memberships__role__in=list(roles))
    found_list = list(found.distinct())
    if len(found_list) != len(wanted):
        missing = sorted(
            (user for user in users if user.pk not in {u.pk for u in found_list}), key=str
        )
        raise ValidationError(
            _("%(name)s cannot be chosen here.") % {"name": missing[0] if missing else "?"},
            code="staff",
        )
    return found_list


def _check_token(token: str) -> str:
    if token and not _TOKEN.fullmatch(token):
        raise ValidationError(
            _("The form is no longer valid. Please reload the page and try again."),
            code="token",
        )
    return token


def _replay(user: User, token: str, model: type[M]) -> M | None:
    row = SubmittedForm.objects.filter(user=user, token=token).first()
    if row is None:
        return None
    if row.object_type != model._meta.label_lower:
        raise ValidationError(
            _("The form is no longer valid. Please reload the page and try again."),
            code="token",
        )
    found = model._default_manager.filter(pk=row.object_id).first()
    if found is None:  # made and since removed: the form is spent all the same
        raise ValidationError(_("This form was sent already."), code="token")
    return found


def once(user: User, token: str, model: type[M], create: Callable[[], M]) -> M:
    """Run ``create`` once per form token; a second post returns what the first made.

    Without a token (API use, tests) every call creates. The token row is written in
    the transaction of the new record, so both exist or neither; of two posts racing,
    the unique constraint lets one win and the other returns the winner's record.
    """
    token = _check_token(token)
    if not token:
        return create()
    existing = _replay(user, token, model)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            made = create()
            SubmittedForm.objects.create(
                user=user, token=token, object_type=model._meta.label_lower, object_id=made.pk
            )
            return made
    except IntegrityError:
        existing = _replay(user, token, model)
        if existing is None:
            raise
        return existing
