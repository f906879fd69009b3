"""Statutory minimums that forbid deleting a case file, as data.

Each statute says until when a file of a marked category must be kept. A rule can
never delete earlier: the engine takes the later of the rule's date and the
statute's, and a statute that needs a fact Hafen does not know (a birth date) keeps
the file for good until somebody records it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hafen.privacy.retention.models import Statute


@dataclass(frozen=True)
class Minimum:
    citation: str
    reason: str | Promise
    # Exactly one of the two: kept until this birthday, or this many years after closing.
    until_age: int | None = None
    years_after_closing: int | None = None


MINIMUMS: dict[str, Minimum] = {
    # In force since 1 July 2025: files of youth-welfare help until the 100th birthday.
    Statute.SGB_VIII_9B: Minimum(
        citation="§ 9b SGB VIII",
        reason=_(
            "Youth-welfare files must be kept until the person's 100th birthday (§ 9b SGB VIII)."
        ),
        until_age=100,
    ),
    Statute.BGB_630F: Minimum(
        citation="§ 630f Abs. 3 BGB",
        reason=_(
            "Treatment records must be kept for 10 years after the treatment ended "
            "(§ 630f Abs. 3 BGB)."
        ),
        years_after_closing=10,
    ),
}


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def kept_until(minimum: Minimum, *, closed_on: date | None, birth_date: date | None) -> date | None:
    """The first day the statute lets the file go; None when that cannot be known yet."""
    if minimum.until_age is not None:
        return add_years(birth_date, minimum.until_age) if birth_date else None
    if minimum.years_after_closing is not None:
        return add_years(closed_on, minimum.years_after_closing) if closed_on else None
    return None
