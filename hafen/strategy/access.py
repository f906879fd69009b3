"""Who may see and do what with the strategy: the one door.

- the signed strategy: every staff member of the organisation (staff must know that
  leadership stands behind what they do online);
- drafts, history and comparison: leadership and communications staff, who prepare the
  strategy together — communications staff know the channels and write the draft;
- signing: leadership only. Leadership may sign a draft it wrote itself: the signature
  says "the leadership stands behind this", not "a second person checked it".

Another organisation's versions are 404: the organisation always comes from the person.
"""

from __future__ import annotations

from django.http import Http404

from hafen.accounts.access import has_role
from hafen.accounts.models import Role, User
from hafen.strategy.models import StrategyVersion

EDIT_ROLES = (Role.LEADERSHIP, Role.COMMUNICATIONS)
SIGN_ROLES = (Role.LEADERSHIP,)
MAX_NUMBER = 2**31 - 1  # larger numbers in a URL are not versions (and overflow SQLite)


def organisation_id(user: object) -> int:
    if not isinstance(user, User) or not user.is_active or user.organisation_id is None:
        raise Http404
    return user.organisation_id


def may_edit(user: object) -> bool:
    return (
        isinstance(user, User) and user.organisation_id is not None and has_role(user, *EDIT_ROLES)
    )


def may_sign(user: object) -> bool:
    return (
        isinstance(user, User) and user.organisation_id is not None and has_role(user, *SIGN_ROLES)
    )


def access_version(user: object, number: int) -> StrategyVersion:
    """A version of the person's own organisation's strategy, for editors; 404 otherwise."""
    if not may_edit(user) or number > MAX_NUMBER:
        raise Http404
    try:
        return StrategyVersion.objects.select_related(
            "signed_by", "created_by", "changed_by", "guideline"
        ).get(strategy__organisation_id=organisation_id(user), number=number)
    except StrategyVersion.DoesNotExist:
        raise Http404 from None
