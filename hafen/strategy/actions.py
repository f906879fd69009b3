"""Every write of the strategy, checked and audited in its own transaction.

Refusals raise ``StrategyError`` with a message for the person; nothing has changed
then. Changes of a draft and the signature carry the ``revision`` the person loaded:
the conditional UPDATE that bumps it is the optimistic lock, so a second tab, a
colleague's edit or a form sent twice never overwrites or signs unseen text.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from hafen.accounts.access import has_role
from hafen.accounts.models import Facility, Role, User
from hafen.privacy import audit
from hafen.publishing.models import GuidelineVersion
from hafen.strategy.access import EDIT_ROLES, SIGN_ROLES
from hafen.strategy.models import Goal, Strategy, StrategyVersion, VersionState
from hafen.strategy.sections import SECTIONS, Section

logger = logging.getLogger(__name__)

BASIC_FIELDS = ("budget", "budget_note", "guideline_id", "rules_note", "review_on")


class StrategyError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _organisation_id(user: User, roles: Iterable[str]) -> int:
    if user.organisation_id is None or not user.is_active or not has_role(user, *roles):
        raise StrategyError(_("Only leadership and communications staff change the strategy."))
    return user.organisation_id


def _current_guideline(organisation_id: int) -> GuidelineVersion | None:
    return (
        GuidelineVersion.objects.filter(organisation_id=organisation_id).order_by("-number").first()
    )


def start_draft(user: User) -> StrategyVersion:
    """The draft to edit: the open one, or a new one copied from the signed version.

    A second click (or a colleague's at the same moment) gets the same draft: the
    strategy row is locked, and the one-draft constraint catches the SQLite race.
    """
    organisation_id = _organisation_id(user, EDIT_ROLES)
    try:
        with transaction.atomic():
            return _start_draft(user, organisation_id)
    except IntegrityError:
        # Somebody else created the strategy or the draft in the same moment: the second
        # try finds theirs.
        with transaction.atomic():
            return _start_draft(user, organisation_id)


def _start_draft(user: User, organisation_id: int) -> StrategyVersion:
    strategy, _created = Strategy.objects.get_or_create(organisation_id=organisation_id)
    strategy = Strategy.objects.select_for_update().get(pk=strategy.pk)
    versions = StrategyVersion.objects.filter(strategy=strategy)
    draft = versions.filter(state=VersionState.DRAFT).first()
    if draft is not None:
        return draft
    signed = versions.filter(state=VersionState.SIGNED).first()
    now = timezone.now()
    draft = StrategyVersion(
        strategy=strategy,
        number=(versions.aggregate(last=Max("number"))["last"] or 0) + 1,
        state=VersionState.DRAFT,
        created_by=user,
        changed_by=user,
        changed_at=now,
    )
    if signed is not None:
        for field in BASIC_FIELDS:
            setattr(draft, field, getattr(signed, field))
    # The rules point at the guidelines in force now; a newer version replaces an older link.
    current = _current_guideline(organisation_id)
    if current is not None:
        draft.guideline = current
    draft.save()
    if signed is not None:
        for section in SECTIONS.values():
            parts = list(section.model.objects.filter(version=signed))
            for part in parts:
                part.pk = None
                part.version = draft
            section.model.objects.bulk_create(parts)
    audit.record(
        "strategy.draft_started",
        actor=user,
        target=draft,
        organisation_id=organisation_id,
        number=draft.number,
        based_on=signed.number if signed else None,
    )
    return draft


def _claim_draft(
    user: User, organisation_id: int, version_id: int, revision: int
) -> StrategyVersion:
    """Bump the draft's revision if it is still the one the person loaded; else refuse."""
    version = StrategyVersion.objects.filter(
        pk=version_id, strategy__organisation_id=organisation_id
    ).first()
    if version is None:
        raise StrategyError(_("This strategy version does not exist."))
    if version.state != VersionState.DRAFT:
        raise StrategyError(
            _("Version %(number)s is already signed and cannot be changed any more.")
            % {"number": version.number}
        )
    claimed = StrategyVersion.objects.filter(
        pk=version.pk, state=VersionState.DRAFT, revision=revision
    ).update(revision=F("revision") + 1, changed_by=user, changed_at=timezone.now())
    if not claimed:
        raise StrategyError(
            _(
                "The draft was changed since you loaded it (perhaps by a colleague, or the "
                "form was sent twice). Nothing was saved; please look at the current draft."
            )
        )
    version.refresh_from_db()
    return version


@transaction.atomic
def save_basics(
    user: User, version_id: int, revision: int, data: Mapping[str, Any]
) -> StrategyVersion:
    """Budget, rules (guidelines link) and review date of a draft; ``data`` is validated."""
    organisation_id = _organisation_id(user, EDIT_ROLES)
    version = _claim_draft(user, organisation_id, version_id, revision)
    guideline = data.get("guideline")
    if guideline is not None and guideline.organisation_id != organisation_id:
        raise StrategyError(_("These guidelines are not your organisation's."))
    version.budget = data.get("budget")
    version.budget_note = data.get("budget_note", "")
    version.guideline = guideline
    version.rules_note = data.get("rules_note", "")
    version.review_on = data.get("review_on")
    version.save(update_fields=["budget", "budget_note", "guideline", "rules_note", "review_on"])
    audit.record(
        "strategy.draft_changed",
        actor=user,
        target=version,
        organisation_id=organisation_id,
        section="basics",
        revision=version.revision,
    )
    return version


@transaction.atomic
def save_section(
    user: User,
    version_id: int,
    revision: int,
    section: Section,
    facility: Facility | None,
    rows: list[dict[str, Any]],
) -> StrategyVersion:
    """Replace the parts of one section and scope (the organisation or a facility).

    ``rows`` are validated form data in the order shown. Participants must be active
    staff of the organisation; the form offers only those, this checks it again.
    """
    organisation_id = _organisation_id(user, EDIT_ROLES)
    if facility is not None and facility.organisation_id != organisation_id:
        raise StrategyError(_("This facility is not part of your organisation."))
    version = _claim_draft(user, organisation_id, version_id, revision)
    if section.slug == "beteiligte":
        ids = {row["user"].pk for row in rows}
        staff = set(
            User.objects.filter(
                pk__in=ids, organisation_id=organisation_id, is_active=True
            ).values_list("pk", flat=True)
        )
        if ids - staff:
            raise StrategyError(_("Only active staff of your organisation can take part."))
    section.model.objects.filter(version=version, facility=facility).delete()
    section.model.objects.bulk_create(
        [
            section.model(version=version, facility=facility, position=index, **row)
            for index, row in enumerate(rows)
        ]
    )
    audit.record(
        "strategy.draft_changed",
        actor=user,
        target=version,
        organisation_id=organisation_id,
        section=section.slug,
        facility=facility.pk if facility else None,
        parts=len(rows),
        revision=version.revision,
    )
    return version


def sign(user: User, version_id: int, revision: int) -> StrategyVersion:
    """Leadership signs exactly the draft it read; the signed version before it retires."""
    organisation_id = _organisation_id(user, SIGN_ROLES)
    with transaction.atomic():
        version = (
            StrategyVersion.objects.select_for_update()
            .filter(pk=version_id, strategy__organisation_id=organisation_id)
            .first()
        )
        if version is None:
            raise StrategyError(_("This strategy version does not exist."))
        if version.state != VersionState.DRAFT:
            raise StrategyError(
                _("Version %(number)s is already signed.") % {"number": version.number}
            )
        if version.revision != revision:
            raise StrategyError(
                _(
                    "The draft was changed after you loaded it. Nothing was signed; please "
                    "read the current draft and sign again."
                )
            )
        problems = missing_for_signature(version)
        if problems:
            raise StrategyError(" ".join(problems))
        now = timezone.now()
        previous = StrategyVersion.objects.filter(
            strategy_id=version.strategy_id, state=VersionState.SIGNED
        ).first()
        if previous is not None:
            previous.state = VersionState.SUPERSEDED
            previous.save(update_fields=["state"])
        version.state = VersionState.SIGNED
        version.signed_by = user
        version.signed_at = now
        version.save(update_fields=["state", "signed_by", "signed_at"])
        audit.record(
            "strategy.signed",
            actor=user,
            target=version,
            organisation_id=organisation_id,
            number=version.number,
            revision=version.revision,
            superseded=previous.number if previous else None,
        )
    return version


def missing_for_signature(version: StrategyVersion) -> list[str]:
    """What a version needs before leadership can stand behind it (empty: nothing)."""
    problems = []
    if not Goal.objects.filter(version=version).exists():
        problems.append(_("The strategy has no goal yet: add at least one measurable goal."))
    if version.review_on is None:
        problems.append(_("The strategy has no review date yet."))
    elif version.review_on < timezone.localdate():
        problems.append(_("The review date lies in the past: choose a date from today on."))
    return problems


@transaction.atomic
def discard_draft(user: User, version_id: int, revision: int) -> int:
    """Throw the draft away; the signed version stays in force. Returns its number."""
    organisation_id = _organisation_id(user, EDIT_ROLES)
    version = _claim_draft(user, organisation_id, version_id, revision)
    number = version.number
    audit.record(
        "strategy.draft_discarded",
        actor=user,
        target=version,
        organisation_id=organisation_id,
        number=number,
    )
    version.delete()
    return number


# --- the review date --------------------------------------------------------------------


def leaders_of(organisation_id: int) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=organisation_id,
            memberships__role=Role.LEADERSHIP,
        ).distinct()
    )


def send_review_reminders(now: datetime | None = None) -> int:
    """Tell leadership once that the review date of the signed strategy has come.

    The conditional UPDATE of ``review_reminded_at`` lets exactly one of two workers send
    it; a worker that was down finds the overdue review on its next run.
    """
    now = now or timezone.now()
    due = StrategyVersion.objects.filter(
        state=VersionState.SIGNED,
        review_reminded_at__isnull=True,
        review_on__lte=timezone.localdate(now),
    ).select_related("strategy")
    sent = 0
    for version in due:
        with transaction.atomic():
            claimed = StrategyVersion.objects.filter(
                pk=version.pk, review_reminded_at__isnull=True
            ).update(review_reminded_at=now)
            if not claimed:
                continue
            organisation_id = version.strategy.organisation_id
            leaders = leaders_of(organisation_id)
            audit.record(
                "strategy.review_reminded",
                target=version,
                organisation_id=organisation_id,
                number=version.number,
                recipients=len(leaders),
            )
            user_ids = [leader.pk for leader in leaders]
            transaction.on_commit(partial(_mail_review, version, user_ids))
        sent += 1
    return sent


def _mail_review(version: StrategyVersion, user_ids: list[int]) -> None:
    link = settings.HAFEN_BASE_URL + "/strategie/"
    with translation.override(settings.LANGUAGE_CODE):
        for leader in User.objects.filter(pk__in=user_ids).exclude(email=""):
            assert version.review_on is not None
            subject = _("Hafen: the communication strategy is due for review")
            body = _(
                "Hello %(name)s,\n\nthe review date of your organisation's communication "
                "strategy (version %(number)s) was %(date)s. Please look at the goals and "
                "figures with your team and sign a new version, or set a new review date.\n\n"
                "%(link)s\n"
            ) % {
                "name": leader,
                "number": version.number,
                "date": formats.date_format(version.review_on, "SHORT_DATE_FORMAT"),
                "link": link,
            }
            try:
                send_mail(subject, body, None, [leader.email])
            except (smtplib.SMTPException, OSError):
                logger.warning("Strategy review: the mail server did not accept an e-mail.")
