"""The seam to the recognisability check (Erkennbarkeits-Check).

The check itself lives in ``hafen.publishing.recognisability``; everything in
publishing asks only this module.

The contract:

- ``check_post_text(organisation_id, text)`` returns ``None`` when no check ran (the
  check failed): the page says "check not available" and
  submission is not blocked, because nothing was found — nor shown to be absent;
- otherwise it returns ``(findings, risk)``: the findings as ``FindingView`` (spans
  into ``text``, a category, a plain explanation and a safer wording — never which
  case a client's name belongs to) and the risk of the whole post;
- ``risk == Risk.HIGH`` means submission for approval needs a written justification,
  which the approver sees.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class Risk(StrEnum):
    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class FindingView:
    start: int
    end: int
    category: str
    explanation: str
    suggestion: str
    risk: Risk


CheckOutcome = tuple[list[FindingView], Risk]

RISK_LABELS: dict[Risk, Promise] = {
    Risk.NONE: _("none"),
    Risk.LOW: _("low"),
    Risk.MEDIUM: _("medium"),
    Risk.HIGH: _("high"),
}


@dataclass(frozen=True)
class Segment:
    """A piece of the text for the page: marked when a finding covers it."""

    text: str
    finding: FindingView | None


def segments(text: str, findings: list[FindingView]) -> list[Segment]:
    """``text`` cut at the findings' spans (overlapping or out-of-range spans are skipped)."""
    pieces: list[Segment] = []
    position = 0
    for finding in sorted(findings, key=lambda item: (item.start, item.end)):
        if finding.start < position or finding.end > len(text) or finding.start >= finding.end:
            continue
        if finding.start > position:
            pieces.append(Segment(text[position : finding.start], None))
        pieces.append(Segment(text[finding.start : finding.end], finding))
        position = finding.end
    if position < len(text):
        pieces.append(Segment(text[position:], None))
    return pieces


def check_post_text(organisation_id: int, text: str) -> CheckOutcome | None:
    """The findings and risk of ``text`` from the recognisability check; None if the
    check failed (logged; the page then says the check is not available)."""
    from hafen.publishing.recognisability import check_text

    try:
        result = check_text(text, organisation_id=organisation_id)
    except Exception:
        # A bug in the check must not stop the author from saving the draft; the page
        # says no check ran, so nobody mistakes that for a clean result.
        logger.exception("The recognisability check failed")
        return None
    findings = [
        FindingView(
            start=finding.start,
            end=finding.end,
            category=finding.category,
            explanation=finding.explanation,
            suggestion=finding.suggestion,
            risk=Risk(finding.severity),
        )
        for finding in result.findings
    ]
    return findings, Risk(result.risk)


def whole_post(title: str, text: str) -> str:
    """What the public reads: the title is checked with the text, so that a name in the
    title, or details split between title and text, count as well."""
    return f"{title}\n\n{text}"


def needs_justification(outcome: CheckOutcome | None) -> bool:
    return outcome is not None and outcome[1] == Risk.HIGH
