"""The answer deadline of a data-subject request (Art. 12 Abs. 3 DSGVO).

"Within one month of receipt", extendable "by two further months". Months are
calendar months (§ 188 Abs. 2, 3 BGB, Art. 3 Abs. 2 lit. c Fristen-VO 1182/71): the
period ends on the day of the later month with the same number as the day of
receipt, or on that month's last day when it has no such day (31 January → 28 or 29
February). The extension counts from receipt too, so 31 January + 3 months is
30 April, not 28 April.
"""

from __future__ import annotations

import calendar
from datetime import date

SOON_DAYS = 7


def add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def due_on(received_on: date, extension_months: int = 0) -> date:
    return add_months(received_on, 1 + extension_months)


def urgency(due: date, today: date) -> str:
    """ "overdue", "soon" (within seven days, the due day included) or ""."""
    if due < today:
        return "overdue"
    if (due - today).days <= SOON_DAYS:
        return "soon"
    return ""
