"""The answer deadline counts calendar months from receipt (Art. 12 Abs. 3 DSGVO)."""

from __future__ import annotations

from datetime import date

import pytest

from hafen.privacy.requests.deadlines import due_on, urgency


@pytest.mark.parametrize(
    ("received", "extension", "due"),
    [
        (date(2026, 1, 15), 0, date(2026, 2, 15)),
        (date(2026, 1, 31), 0, date(2026, 2, 28)),  # February has no 31st
        (date(2028, 1, 31), 0, date(2028, 2, 29)),  # a leap year
        (date(2026, 3, 31), 0, date(2026, 4, 30)),
        (date(2026, 12, 15), 0, date(2027, 1, 15)),  # over the turn of the year
        (date(2026, 1, 31), 2, date(2026, 4, 30)),  # counted from receipt, not from 28 Feb
        (date(2026, 11, 30), 2, date(2027, 2, 28)),
        (date(2026, 10, 31), 1, date(2026, 12, 31)),
    ],
)
def test_the_deadline_is_the_same_day_of_the_later_month_or_its_last_day(received, extension, due):
    assert due_on(received, extension) == due


@pytest.mark.parametrize(
    ("due", "marked"),
    [
        (date(2026, 11, 23), "overdue"),
        (date(2026, 11, 24), "soon"),  # due today
        (date(2026, 12, 1), "soon"),  # in seven days
        (date(2026, 12, 2), ""),
    ],
)
def test_overdue_and_due_within_seven_days_are_marked(due, marked):
    assert urgency(due, date(2026, 11, 24)) == marked
