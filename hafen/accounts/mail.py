"""The invitation e-mail. Sent from the request, after commit: the raw token must not be
written anywhere (a task queue row would store it), so it is not a background task."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from hafen.accounts.models import Invitation

logger = logging.getLogger(__name__)


def invitation_link(token: str) -> str:
    return settings.HAFEN_BASE_URL + reverse("accounts:accept_invitation", args=[token])


def email_invitation(invitation: Invitation, token: str) -> bool:
    """Send the link; False (and a log line without address) if the mail server refused."""
    if not invitation.email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your invitation to Hafen of %(organisation)s") % {
            "organisation": invitation.organisation.name
        }
        body = _(
            "Hello %(name)s,\n\nyou have been invited to Hafen. Open this link to set up "
            "your account. It works once, until %(expires)s:\n\n%(link)s\n"
        ) % {
            "name": invitation.display_name,
            "expires": formats.date_format(invitation.expires_at, "SHORT_DATE_FORMAT"),
            "link": invitation_link(token),
        }
    try:
        send_mail(subject, body, None, [invitation.email])
    except (smtplib.SMTPException, OSError):
        logger.warning("Invitation %s: the mail server did not accept the e-mail.", invitation.pk)
        return False
    return True
