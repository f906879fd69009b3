"""The annual report (Jahresbericht): one year's figures of the organisation or a facility,
the strategy's goals and how far they were reached, the published posts and the network's
activity — as HTML and as PDF, for funders.

Everything in it went through the small-number rule (``suppression``); the posts are the
organisation's own published words; nothing else of any conversation or case is read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _

from hafen.lib import pdf
from hafen.publishing import queries as publishing_queries
from hafen.strategy.figures import compute
from hafen.strategy.figures.period import Period, Scope
from hafen.strategy.figures.suppression import MIN_COUNT, Table


@dataclass(frozen=True)
class Highlight:
    label: str
    text: str


@dataclass
class AnnualReport:
    scope: Scope
    year: int
    highlights: list[Highlight]
    sections: list[tuple[str, list[Table]]]
    charts: list[tuple[Table, int]]  # a table and the column drawn as bars
    posts: list[tuple[date, str]]
    extra: list[tuple[str, list[Table]]] = field(default_factory=list)  # goals, network

    @property
    def title(self) -> str:
        return _("Annual report %(year)d · %(name)s") % {
            "year": self.year,
            "name": self.scope.label,
        }


# Other parts add their sections (the strategy's goals, the network's activity): each a
# function of (scope, period) returning a heading and its tables, or None.
EXTRA_SECTIONS: list[Callable[[Scope, Period], tuple[str, list[Table]] | None]] = []


def build(scope: Scope, year: int) -> AnnualReport:
    period = Period.year(year)
    reach = compute.reachability(scope, period)
    answers = compute.responses(scope, period)
    bridge = compute.bridge_funnel(scope, period)
    volume = compute.volume(scope, period)
    publishing = compute.publishing(scope, period)
    network = compute.network(scope, period)
    highlights = [
        Highlight(_("New conversations"), _count_text(volume.new_conversations)),
        Highlight(_("Messages of clients outside office hours"), reach.share_outside.text),
        Highlight(_("First answer: median"), answers.first_median.text),
        Highlight(_("Handovers from social networks continued"), bridge.conversion.text),
        Highlight(_("Posts published"), str(publishing.published)),
        Highlight(_("Referrals to partner organisations"), _count_text(network.referred)),
    ]
    posts = [
        (post.published_at.date(), post.approved_version.title if post.approved_version else "")
        for post in publishing_queries.news_posts(scope.organisation.pk).filter(
            published_at__gte=period.since, published_at__lt=period.until
        )
        if post.published_at is not None
    ]
    report = AnnualReport(
        scope=scope,
        year=year,
        highlights=highlights,
        sections=[
            (_("Reachability"), [reach.by_team]),
            (_("Response times"), [answers.by_month]),
            (_("Bridge"), [bridge.table]),
            (_("Volume"), [volume.by_month, volume.by_team, volume.by_origin]),
            (_("Public communication"), [publishing.by_month]),
            (_("Network"), [network.referrals, network.events]),
        ],
        charts=[(volume.by_month, 1), (answers.by_month, 1)],
        posts=sorted(posts),
    )
    for section in EXTRA_SECTIONS:
        made = section(scope, period)
        if made is not None:
            report.extra.append(made)
    return report


def _count_text(number: int) -> str:
    return (
        f"< {MIN_COUNT}"
        if 0 < number < MIN_COUNT
        else formats.number_format(number, force_grouping=True)
    )


def _table_block(table: Table) -> pdf.Table:
    return pdf.Table(
        [str(column) for column in table.columns],
        [[row.label, *(cell.text for cell in row.cells)] for row in table.rows],
    )


def report_pdf(report: AnnualReport) -> bytes:
    blocks: list[pdf.Block] = [
        pdf.Paragraph(
            _(
                "Figures measured by Hafen from the organisation's own system, %(year)d. "
                "Counts only, no content; counts below %(n)d are shown as “< %(n)d”."
            )
            % {"year": report.year, "n": MIN_COUNT},
            muted=True,
        ),
        pdf.KeyValues([(item.label, item.text) for item in report.highlights]),
    ]
    charted = {id(table): column for table, column in report.charts}
    for heading, tables in [*report.sections, *report.extra]:
        blocks.append(pdf.Heading(heading))
        for table in tables:
            blocks.append(pdf.Heading(str(table.title), level=2))
            if id(table) in charted:
                column = charted[id(table)]
                blocks.append(
                    pdf.Bars(
                        [row.label for row in table.rows],
                        [row.cells[column - 1].value for row in table.rows],
                        [row.cells[column - 1].text for row in table.rows],
                    )
                )
            blocks.append(_table_block(table))
            if table.note:
                blocks.append(pdf.Paragraph(str(table.note), muted=True))
    blocks.append(pdf.Heading(_("Published posts")))
    if report.posts:
        blocks.append(
            pdf.Table(
                [_("Date"), _("Title")],
                [
                    [formats.date_format(day, "SHORT_DATE_FORMAT"), title]
                    for day, title in report.posts
                ],
                widths=(1, 4),
            )
        )
    else:
        blocks.append(pdf.Paragraph(_("No posts were published on the news page this year.")))
    return pdf.render_pdf(report.title, blocks, footer=report.title)
