"""A plan as a PDF for a Hilfeplangespräch or the youth office (``hafen.lib.pdf``).

Built from the ``PlanPage`` the person may read (``queries.plan_page``, audited) after
``actions.record_disclosure`` recorded the export. The file carries the file number,
never the client's name: whoever needs the name has the case file.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from hafen.cases.models import RATING_MAX, AgreementWay, PlanKind, PlanStatus, Responsible
from hafen.cases.queries import GoalView, PlanPage
from hafen.cases.validation import format_date
from hafen.lib.pdf import Block, Heading, KeyValues, Paragraph, Table, render_pdf

_UNREADABLE = "—"


def _text(value: str | None) -> str:
    return _UNREADABLE if value is None else value


def _who(measure_responsible: str, staff: object, partner: str | None) -> str:
    label = str(dict(Responsible.choices).get(measure_responsible, measure_responsible))
    if measure_responsible == Responsible.STAFF and staff is not None:
        return f"{label}: {staff}"
    if measure_responsible == Responsible.PARTNER and partner:
        return f"{label}: {partner}"
    return label


def _goal_blocks(number: int, goal: GoalView) -> list[Block]:
    blocks: list[Block] = [
        Heading(_("Goal %(number)d") % {"number": number}, level=2),
        Paragraph(_text(goal.wording)),
    ]
    facts = []
    if goal.indicator:
        facts.append((_("Indicator"), goal.indicator))
    if goal.target_on:
        facts.append((_("Target date"), format_date(goal.target_on)))
    blocks.append(KeyValues(facts))
    comments = [
        f"{format_date(point.held_on)}: {point.rating}/{RATING_MAX} - {point.comment}"
        for point in goal.progress
        if point.comment
    ]
    if comments:
        blocks.append(Paragraph("\n".join(comments), muted=True))
    if goal.measures:
        blocks.append(
            Table(
                [_("Measure"), _("Who is responsible")],
                [[_text(m.text), _who(m.responsible, m.staff, m.partner)] for m in goal.measures],
                widths=(3, 2),
            )
        )
    return blocks


def plan_blocks(page: PlanPage) -> list[Block]:
    plan = page.plan
    facts = [
        (_("File number"), plan.case.reference),
        (_("Kind of plan"), str(dict(PlanKind.choices).get(plan.kind, plan.kind))),
        (_("Version"), str(plan.version)),
        (_("Status"), str(dict(PlanStatus.choices).get(plan.status, plan.status))),
        (_("Made on"), format_date(plan.created_at.date())),
    ]
    if plan.agreed_on:
        how = str(dict(AgreementWay.choices).get(plan.agreed_how, plan.agreed_how))
        facts.append((_("Client agreed on"), f"{format_date(plan.agreed_on)} ({how})"))
    blocks: list[Block] = [KeyValues(facts)]
    if page.participants:
        blocks += [Heading(_("Participants")), Paragraph(page.participants)]
    if page.situation:
        blocks += [Heading(_("Starting point")), Paragraph(page.situation)]
    blocks.append(Heading(_("Goals and measures")))
    if not page.goals:
        blocks.append(Paragraph(_("No goals yet.")))
    for number, goal in enumerate(page.goals, start=1):
        blocks += _goal_blocks(number, goal)
    dates = sorted({p.held_on for goal in page.goals for p in goal.progress})
    if dates:
        blocks.append(Heading(_("Progress")))
        blocks.append(
            Paragraph(
                _("Ratings from 0 (not reached) to %(max)d (fully reached).") % {"max": RATING_MAX},
                muted=True,
            )
        )
        by_goal = [{p.held_on: p.rating for p in goal.progress} for goal in page.goals]
        blocks.append(
            Table(
                [
                    _("Review"),
                    *(_("Goal %(number)d") % {"number": n} for n in range(1, len(page.goals) + 1)),
                ],
                [[format_date(day), *(str(r.get(day, "-")) for r in by_goal)] for day in dates],
            )
        )
    pending = [r for r in page.reviews if r.held_on is None]
    if pending:
        blocks += [
            Heading(_("Next reviews")),
            Paragraph(", ".join(format_date(r.due_on) for r in pending)),
        ]
    if page.agreement_note:
        blocks += [Heading(_("Note on the agreement")), Paragraph(page.agreement_note)]
    return blocks


def plan_pdf(page: PlanPage) -> tuple[bytes, str]:
    """The PDF's bytes and a file name without the client's name."""
    plan = page.plan
    kind = str(dict(PlanKind.choices).get(plan.kind, plan.kind))
    title = f"{kind} · {plan.case.reference} · " + _("Version %(version)d") % {
        "version": plan.version
    }
    content = render_pdf(
        title,
        plan_blocks(page),
        footer=_("Confidential: social data"),
        subtitle=_text(page.title),
    )
    filename = f"{plan.case.reference}-{plan.kind}-v{plan.version}.pdf".replace('"', "")
    return content, filename
