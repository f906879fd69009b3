"""Checks for everything staff type into case files, shared by forms and actions.

Texts go through the chat's cleaner (``conversations.validation.clean_body``: line
ends, NFC, no control characters or bidi overrides), with messages that name the
field instead of "message". HTML stays text: templates escape it when showing it.
Raising ``ValidationError`` changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from hafen.conversations.validation import clean_body


def clean_text(raw: object, *, label: str, limit: int, required: bool = True) -> str:
    """A text as it will be stored; "" for an empty optional field.

    ``label`` is the field's name in the user's language ("Text", "Goal").
    """
    if raw is None and not required:
        return ""
    try:
        return clean_body(raw, limit=limit)
    except ValidationError as error:
        if error.code == "empty":
            if not required:
                return ""
            raise ValidationError(
                _("Please fill in: %(field)s.") % {"field": label}, code="empty"
            ) from None
        if error.code == "too_long":
            raise ValidationError(
                _("%(field)s is too long: at most %(limit)d characters.")
                % {"field": label, "limit": limit},
                code="too_long",
            ) from None
        raise ValidationError(
            _("%(field)s contains characters that cannot be stored.") % {"field": label},
            code="encoding",
        ) from None


def clean_line(raw: object, *, label: str, limit: int, required: bool = True) -> str:
    """A one-line text (a title, a pseudonym): like ``clean_text``, with lines joined."""
    text = clean_text(raw, label=label, limit=limit, required=required)
    return " ".join(text.split())


def today() -> date:
    return timezone.localdate()


def format_date(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def require_date(value: object, *, label: str) -> date:
    """A calendar date; a point in time counts as its day in the installation's time zone."""
    if isinstance(value, datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if not isinstance(value, date):
        raise ValidationError(_("Please give a date: %(field)s.") % {"field": label}, code="date")
    return value


def not_in_future(value: date, *, label: str) -> date:
    """Documentation records what happened: its dates cannot lie ahead."""
    if value > today():
        raise ValidationError(
            _("%(field)s cannot be in the future.") % {"field": label}, code="future"
        )
    return value


def not_in_past(value: date, *, label: str) -> date:
    if value < today():
        raise ValidationError(
            _("%(field)s cannot be in the past (today is %(today)s).")
            % {"field": label, "today": format_date(today())},
            code="past",
        )
    return value


def not_before(value: date, earliest: date, *, label: str, earliest_label: str) -> date:
    if value < earliest:
        raise ValidationError(
            _("%(field)s cannot be before %(other)s (%(date)s).")
            % {"field": label, "other": earliest_label, "date": format_date(earliest)},
            code="order",
        )
    return value


def choice(value: object, choices: type, *, label: str) -> str:
    """One of a ``TextChoices``' values, or a clear message."""
    if not isinstance(value, str) or value not in choices.values:  # type: ignore[attr-defined]
        raise ValidationError(
            _("Please choose a valid value: %(field)s.") % {"field": label}, code="choice"
        )
    return value
