"""Checks for what clients and staff type, shared by forms and the websocket protocol.

Messages in the user's language; raising ``ValidationError`` changes nothing.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hafen.conversations.models import MAX_MESSAGE_CHARS

# Control characters other than tab and newline, and the bidi overrides that can make
# a text read differently from what it is (Trojan Source).
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
# The largest sequence number a conversation can hold (a PositiveIntegerField, 32 bits on
# PostgreSQL). A larger number in a frame is no seq at all: the database cannot even be
# asked about it (SQLite refuses integers beyond 64 bits with an exception).
MAX_SEQ = 2**31 - 1


def clean_body(raw: object, *, limit: int = MAX_MESSAGE_CHARS) -> str:
    """A message text as it will be stored: normalised line ends, no control characters."""
    if not isinstance(raw, str):
        raise ValidationError(_("Please write a message."), code="empty")
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            _("The message contains characters that cannot be sent."), code="encoding"
        ) from None
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    text = _FORBIDDEN.sub("", text).strip()
    if not text:
        raise ValidationError(_("Please write a message."), code="empty")
    if len(text) > limit:
        raise ValidationError(
            _("The message is too long: at most %(limit)d characters, this one has %(count)d.")
            % {"limit": limit, "count": len(text)},
            code="too_long",
        )
    return text


def clean_client_msg_id(raw: object) -> str:
    """The sending device's id for one message: 8 to 64 letters, digits, - or _."""
    if not isinstance(raw, str) or not _CLIENT_ID.fullmatch(raw):
        raise ValidationError(_("The message could not be sent. Please try again."), code="id")
    return raw


def is_seq(raw: object) -> bool:
    """A sequence number from a frame: an int (not a bool) from 0 to ``MAX_SEQ``."""
    return isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= MAX_SEQ
