"""Read-side of the strategy: the versions in force, their parts by scope, and the
comparison of two versions. Each page needs a fixed number of queries, however many
parts a version has (one per section)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import F
from django.utils import formats
from django.utils.translation import gettext as _

from hafen.accounts.models import Facility
from hafen.strategy.models import Goal, Part, StrategyVersion, VersionState
from hafen.strategy.sections import SECTIONS, Section, number


def _version(organisation_id: int, state: str) -> StrategyVersion | None:
    return (
        StrategyVersion.objects.filter(strategy__organisation_id=organisation_id, state=state)
        .select_related("signed_by", "created_by", "changed_by", "guideline")
        .first()
    )


def signed_version(organisation_id: int) -> StrategyVersion | None:
    return _version(organisation_id, VersionState.SIGNED)


def draft_version(organisation_id: int) -> StrategyVersion | None:
    return _version(organisation_id, VersionState.DRAFT)


def versions(organisation_id: int) -> list[StrategyVersion]:
    return list(
        StrategyVersion.objects.filter(strategy__organisation_id=organisation_id)
        .select_related("signed_by", "created_by")
        .order_by("-number")
    )


def signed_goals(organisation_id: int) -> list[Goal]:
    """The goals in force, the organisation's and the facilities' (``facility`` set): what
    the figures pages compare with the figure each goal names (``metrics.METRICS``)."""
    return list(
        Goal.objects.filter(
            version__strategy__organisation_id=organisation_id,
            version__state=VersionState.SIGNED,
        )
        .select_related("facility")
        # The organisation's goals first on every database (NULL sorts last on PostgreSQL).
        .order_by(F("facility_id").asc(nulls_first=True), "position", "pk")
    )


def facilities(organisation_id: int) -> list[Facility]:
    return list(Facility.objects.filter(organisation_id=organisation_id).order_by("name"))


@dataclass
class SectionParts:
    section: Section
    parts: list[Part]


@dataclass
class Scope:
    """The organisation's parts (``facility`` None) or one facility's addition."""

    facility: Facility | None
    sections: list[SectionParts] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(entry.parts for entry in self.sections)


def scopes(version: StrategyVersion, organisation_id: int) -> list[Scope]:
    """The organisation's scope first, then every facility (with or without parts)."""
    by_scope: dict[int | None, dict[str, list[Part]]] = {}
    for section in SECTIONS.values():
        parts = section.model.objects.filter(version=version).select_related(
            *section.select_related
        )
        for part in parts.order_by("position", "pk"):
            by_scope.setdefault(part.facility_id, {}).setdefault(section.slug, []).append(part)
    result = [Scope(None)]
    result += [Scope(facility) for facility in facilities(organisation_id)]
    for scope in result:
        found = by_scope.get(scope.facility.pk if scope.facility else None, {})
        scope.sections = [
            SectionParts(section, found.get(slug, [])) for slug, section in SECTIONS.items()
        ]
    return result


def total_hours(scope_list: list[Scope]) -> Any:
    return sum(
        (
            part.hours_per_week  # type: ignore[attr-defined]
            for scope in scope_list
            for entry in scope.sections
            if entry.section.slug == "beteiligte"
            for part in entry.parts
        ),
        start=0,
    )


# --- comparing two versions ------------------------------------------------------------


@dataclass
class Change:
    heading: str
    removed: list[str]
    added: list[str]


def _basics_lines(version: StrategyVersion) -> dict[str, list[str]]:
    budget = (
        _("%(amount)s euros a year") % {"amount": number(version.budget)}
        if version.budget is not None
        else ""
    )
    if version.budget_note:
        budget = f"{budget} ({version.budget_note})" if budget else version.budget_note
    guideline = (
        _("Social-media guidelines, version %(number)s") % {"number": version.guideline.number}
        if version.guideline
        else ""
    )
    review = (
        formats.date_format(version.review_on, "SHORT_DATE_FORMAT") if version.review_on else ""
    )
    return {
        _("Budget"): [budget] if budget else [],
        _("Rules"): [line for line in (guideline, version.rules_note) if line],
        _("Review date"): [review] if review else [],
    }


def readable(version: StrategyVersion, organisation_id: int) -> dict[str, list[str]]:
    """Every part of ``version`` as a line under a heading (section, and facility)."""
    lines = _basics_lines(version)
    for scope in scopes(version, organisation_id):
        for entry in scope.sections:
            heading = str(entry.section.title)
            if scope.facility is not None:
                heading = _("%(section)s — addition of %(facility)s") % {
                    "section": heading,
                    "facility": scope.facility.name,
                }
            lines[heading] = [entry.section.describe(part) for part in entry.parts]
    return lines


def compare(older: StrategyVersion, newer: StrategyVersion, organisation_id: int) -> list[Change]:
    """What changed from ``older`` to ``newer``: per heading, lines removed and added.

    A changed part shows as its old line removed and its new line added, which reads
    like a marked-up copy; unchanged lines are left out.
    """
    before = readable(older, organisation_id)
    after = readable(newer, organisation_id)
    changes = []
    for heading in dict.fromkeys([*before, *after]):
        old, new = before.get(heading, []), after.get(heading, [])
        removed = [line for line in old if line not in new]
        added = [line for line in new if line not in old]
        if removed or added:
            changes.append(Change(heading, removed, added))
    return changes
