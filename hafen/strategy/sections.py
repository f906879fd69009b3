"""The sections of a strategy version: which parts each holds and how a part reads.

Actions copy and replace parts by section, queries show and compare them, forms edit
them: all from this one table, so that a new kind of part is added in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hafen.strategy.models import (
    Deficit,
    Expectation,
    Goal,
    Part,
    Participant,
    TargetGroup,
)


def number(value: Decimal | None) -> str:
    """A decimal as people write it: no trailing zeros, the locale's separator."""
    if value is None:
        return ""
    normalised = value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
    return str(formats.number_format(normalised, use_l10n=True))


def _goal(part: Any) -> str:
    # A count has no unit: the blank it leaves is closed up.
    return " ".join(
        str(
            _("%(text)s — %(metric)s %(direction)s %(target)s %(unit)s %(period)s")
            % {
                "text": part.text,
                "metric": part.metric_label(),
                "direction": part.get_direction_display(),
                "target": number(part.target),
                "unit": part.unit_label(),
                "period": part.get_period_display(),
            }
        ).split()
    )


def _target_group(part: Any) -> str:
    return str(
        _("%(name)s: %(channels)s — because %(reason)s")
        % {
            "name": part.name,
            "channels": ", ".join(part.channel_labels()),
            "reason": part.reason,
        }
    )


def _participant(part: Any) -> str:
    line = _("%(person)s, %(hours)s hours a week") % {
        "person": part.user,
        "hours": number(part.hours_per_week),
    }
    return f"{line} ({part.task})" if part.task else str(line)


def _deficit(part: Any) -> str:
    line = _("%(deficit)s — %(remedy)s: %(measure)s") % {
        "deficit": part.description,
        "remedy": part.get_remedy_display(),
        "measure": part.measure,
    }
    if part.due_on:
        return str(
            _("%(line)s (by %(date)s)")
            % {"line": line, "date": formats.date_format(part.due_on, "SHORT_DATE_FORMAT")}
        )
    return str(line)


@dataclass(frozen=True)
class Section:
    slug: str  # in the URL of its edit page
    model: type[Part]
    fields: tuple[str, ...]  # what a copy carries over and a comparison compares
    title: Promise
    help: Promise
    describe: Callable[[Any], str]
    select_related: tuple[str, ...] = ()


SECTIONS: dict[str, Section] = {
    section.slug: section
    for section in (
        Section(
            "erwartungen",
            Expectation,
            ("text",),
            _("Expectations"),
            _("What the organisation expects of its digital communication, in a few sentences."),
            lambda part: part.text,
        ),
        Section(
            "ziele",
            Goal,
            ("text", "metric", "direction", "target", "period"),
            _("Goals"),
            _(
                "Each goal is measured by a figure from Hafen, with a target value and a "
                "period, so that everybody can see whether it is reached."
            ),
            _goal,
        ),
        Section(
            "zielgruppen",
            TargetGroup,
            ("name", "channels", "reason"),
            _("Target groups and channels"),
            _(
                "Whom you want to reach, on which channels, and why. Social networks serve "
                "only the first contact; counselling happens in the secure chat."
            ),
            _target_group,
        ),
        Section(
            "beteiligte",
            Participant,
            ("user_id", "task", "hours_per_week"),
            _("People and their time"),
            _("Who takes part in digital communication and how many hours a week each has for it."),
            _participant,
            ("user",),
        ),
        Section(
            "defizite",
            Deficit,
            ("description", "remedy", "measure", "due_on"),
            _("Known deficits and what is done"),
            _(
                "What is missing today — skills, equipment, time — and what is done about "
                "it: training, equipment, organisation."
            ),
            _deficit,
        ),
    )
}

# The slug of the page for budget, rules and review date (fields of the version itself).
BASICS = "grundlagen"
