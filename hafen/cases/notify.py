"""Notices to staff: a row to show in Hafen, and an e-mail after commit if they have one.

Neither carries client content. A reminder names the case by its pseudonymous file
number and the due date; a break-glass notice names who opened which case file, not
why (the reason is in Hafen, behind login). An e-mail that the mail server refuses
is logged without the address and changes nothing else: the notice in Hafen stays.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from hafen.accounts.models import BreakGlass, User
from hafen.cases.models import Case, Notice, NoticeKind, Review

logger = logging.getLogger(__name__)


def _mail(notice_ids: list[int]) -> None:
    notices = Notice.objects.filter(pk__in=notice_ids).select_related(
        "recipient", "case", "review", "grant", "actor"
    )
    with translation.override(settings.LANGUAGE_CODE):
        for notice in notices:
            if not notice.recipient.email:
                continue
            subject, body = _message(notice)
            try:
                send_mail(subject, body, None, [notice.recipient.email])
            except (smtplib.SMTPException, OSError):
                logger.warning("Notice %s: the mail server did not accept the e-mail.", notice.pk)


def _message(notice: Notice) -> tuple[str, str]:
    reference = notice.case.reference if notice.case else ""
    link = settings.HAFEN_BASE_URL + "/"
    if notice.kind == NoticeKind.REVIEW_DUE and notice.review is not None:
        return (
            _("Hafen: a review is due in case file %(reference)s") % {"reference": reference},
            _(
                "Hello %(name)s,\n\nthe review of a plan in case file %(reference)s is due on "
                "%(date)s. You receive this message because you are responsible for the case "
                "file or work in its team.\n\n%(link)s\n"
            )
            % {
                "name": notice.recipient,
                "reference": reference,
                "date": formats.date_format(notice.review.due_on, "SHORT_DATE_FORMAT"),
                "link": link,
            },
        )
    return (
        _("Hafen: emergency access to case file %(reference)s") % {"reference": reference},
        _(
            "Hello %(name)s,\n\n%(actor)s used emergency access (break-glass) to case file "
            "%(reference)s until %(until)s. As data-protection officer you can see the "
            "stated reason in Hafen.\n\n%(link)s\n"
        )
        % {
            "name": notice.recipient,
            "actor": notice.actor or _("Somebody"),
            "reference": reference,
            "until": formats.date_format(
                timezone.localtime(notice.grant.expires_at) if notice.grant else timezone.now(),
                "SHORT_DATETIME_FORMAT",
            ),
            "link": link,
        },
    )


def _send(notices: list[Notice]) -> None:
    ids = [notice.pk for notice in notices]
    if ids:
        transaction.on_commit(lambda: _mail(ids), robust=True)


def review_due(review: Review, case: Case, recipients: Iterable[User]) -> list[Notice]:
    notices = Notice.objects.bulk_create(
        Notice(recipient=user, kind=NoticeKind.REVIEW_DUE, case=case, review=review)
        for user in recipients
    )
    _send(notices)
    return notices


def break_glass(grant: BreakGlass, case: Case, actor: User, dpos: Iterable[User]) -> list[Notice]:
    notices = Notice.objects.bulk_create(
        Notice(recipient=user, kind=NoticeKind.BREAK_GLASS, case=case, grant=grant, actor=actor)
        for user in dpos
    )
    _send(notices)
    return notices
