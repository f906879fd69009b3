"""One function per figure, over a period and a scope; each returns ``Table``s of cells that
passed the small-number rule (``suppression``). They read times, senders, states and
channels — never a message body, a case entry or a pseudonym.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from django.db import connection
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from hafen.bridge import queries as bridge_queries
from hafen.cases.models import Case
from hafen.conversations.models import Conversation, DoorSettings, Message, Origin, Sender
from hafen.publishing.models import (
    ChannelKind,
    Delivery,
    DeliveryState,
    Post,
    PostState,
    PostVersion,
)
from hafen.strategy.figures import suppression as s
from hafen.strategy.figures import tally
from hafen.strategy.figures.period import Period, Scope, month_start, next_month

RISKY = ("low", "medium", "high")


def month_label(month: date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def weekday_labels() -> list[str]:
    return [
        pgettext("weekday", "Monday"),
        pgettext("weekday", "Tuesday"),
        pgettext("weekday", "Wednesday"),
        pgettext("weekday", "Thursday"),
        pgettext("weekday", "Friday"),
        pgettext("weekday", "Saturday"),
        pgettext("weekday", "Sunday"),
    ]


def _local_month(moment: datetime) -> date:
    return month_start(timezone.localtime(moment).date())


# --- reachability ------------------------------------------------------------------------


@dataclass
class Reachability:
    by_hour: s.Table  # weekdays by hours of the day
    by_team: s.Table  # per team: messages, outside office hours, share
    messages: int
    outside: int
    share_outside: s.Cell


def doors(team_ids: Iterable[int]) -> dict[int, DoorSettings]:
    doors = {door.team_id: door for door in DoorSettings.objects.filter(team_id__in=team_ids)}
    # A team that never changed its door has the default office hours (not saved here:
    # reading figures writes nothing).
    return {team_id: doors.get(team_id) or DoorSettings(team_id=team_id) for team_id in team_ids}


def reachability(scope: Scope, period: Period) -> Reachability:
    """When clients write (weekday and hour, local time) and how many of their messages
    arrived outside the team's office hours (as set when the month was counted)."""
    teams = scope.teams()
    found = tally.tallies([team.pk for team in teams], period.months())
    grid = [[0] * 24 for _day in range(7)]
    per_team: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for (team_id, _month), counted in found.items():
        for index, n in enumerate(counted.grid):
            grid[index // 24][index % 24] += n
        per_team[team_id][0] += counted.messages
        per_team[team_id][1] += counted.outside
    columns = [_("Weekday")] + [f"{hour:02d}" for hour in range(24)] + [_("Total")]
    by_hour = s.Table(
        "reachability_hours",
        _("When clients write (messages by weekday and hour)"),
        columns,
        [
            s.Row(label, s.protect([s.count(n) for n in grid[day]] + [s.count(sum(grid[day]))]))
            for day, label in enumerate(weekday_labels())
        ],
    )
    team_rows = []
    for team in teams:
        total, outside = per_team[team.pk]
        team_rows.append(
            s.Row(str(team), [s.count(total), s.count(outside), s.share(outside, total)])
        )
    messages = sum(values[0] for values in per_team.values())
    outside = sum(values[1] for values in per_team.values())
    share_outside = s.share(outside, messages)
    team_rows.append(s.Row(_("All teams"), [s.count(messages), s.count(outside), share_outside]))
    by_team = s.Table(
        "reachability_teams",
        _("Messages of clients outside office hours"),
        [_("Team"), _("Messages"), _("Outside office hours"), _("Share outside")],
        team_rows,
        note=_(
            "Measured against each team's office hours as they were set when the month was "
            "counted (a month is counted for good two weeks after its end)."
        ),
    )
    return Reachability(by_hour, by_team, messages, outside, share_outside)


# --- response times -----------------------------------------------------------------------


@dataclass
class Responses:
    by_month: s.Table  # the scope per month
    by_team: s.Table  # per team and month
    first_median: s.Cell  # the whole period, for goals and the report
    first_p90: s.Cell
    answer_median: s.Cell


def _hours(delta_seconds: float) -> float:
    return max(delta_seconds, 0.0) / 3600


def first_answers(team_ids: list[int], period: Period) -> dict[tuple[int, date], list[float]]:
    """Hours from a conversation's first client message to the team's first answer, by team
    and the month of that first message."""
    rows = (
        # Answered in or after the period, started before its end: only these can have
        # their first client message in it (the answer comes after that message).
        Conversation.objects.filter(
            team_id__in=team_ids, created_at__lt=period.until, first_answer_at__gte=period.since
        )
        .annotate(
            first_client=Min("messages__created_at", filter=Q(messages__sender=Sender.CLIENT))
        )
        .filter(
            first_client__gte=period.since,
            first_client__lt=period.until,
            first_answer_at__isnull=False,
        )
        .values_list("team_id", "first_client", "first_answer_at")
    )
    waits: dict[tuple[int, date], list[float]] = defaultdict(list)
    for team_id, first_client, first_answer in rows:
        if first_answer >= first_client:
            waits[(team_id, _local_month(first_client))].append(
                _hours((first_answer - first_client).total_seconds())
            )
    return waits


_ANSWER_WAITS = """
WITH m AS (
    SELECT msg.conversation_id, c.team_id, msg.seq, msg.sender, msg.created_at,
           LAG(msg.sender) OVER (PARTITION BY msg.conversation_id ORDER BY msg.seq) AS prev
    FROM {message} msg JOIN {conversation} c ON c.id = msg.conversation_id
    WHERE c.team_id IN ({teams}) AND msg.sender <> %s
      AND msg.created_at >= %s AND msg.created_at < %s
),
w AS (
    SELECT team_id, sender, prev, created_at,
           MAX(CASE WHEN sender = %s AND (prev IS NULL OR prev = %s) THEN created_at END)
               OVER (PARTITION BY conversation_id ORDER BY seq
                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS waiting_since
    FROM m
)
SELECT team_id, waiting_since, {seconds}
FROM w WHERE sender = %s AND prev = %s AND waiting_since IS NOT NULL
"""
_SECONDS = {
    "sqlite": "(julianday(created_at) - julianday(waiting_since)) * 86400.0",
    "postgresql": "EXTRACT(EPOCH FROM (created_at - waiting_since))",
}


def each_answer(team_ids: list[int], period: Period) -> dict[tuple[int, date], list[float]]:
    """Hours from the first unanswered client message to the team's next message.

    In the database, with window functions, in one pass over the messages in order: a
    client message after the team's (or the first) starts a wait; the team's message
    after the client's ends it, and the latest start so far (a running maximum: times
    grow with the sequence) is when that wait began. Only numbers come back: a year of
    messages is one query, not a loop over every message.
    """
    if not team_ids:
        return {}
    sql = _ANSWER_WAITS.format(
        message=Message._meta.db_table,
        conversation=Conversation._meta.db_table,
        teams=", ".join(["%s"] * len(team_ids)),
        seconds=_SECONDS[connection.vendor],
    )
    params: list[Any] = [
        *team_ids,
        Sender.SYSTEM,
        period.since,
        period.until,
        Sender.CLIENT,
        Sender.STAFF,
        Sender.STAFF,
        Sender.CLIENT,
    ]
    months = period.months()
    zone = timezone.get_current_timezone()
    bounds = [datetime.combine(next_month(month), time.min, tzinfo=zone) for month in months]
    waits: dict[tuple[int, date], list[float]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for team_id, raw, seconds in cursor.fetchall():
            # SQLite gives naive UTC datetimes (or text), PostgreSQL aware ones.
            started = datetime.fromisoformat(raw) if isinstance(raw, str) else raw
            if started.tzinfo is None:
                started = started.replace(tzinfo=UTC)
            month = months[min(bisect_right(bounds, started), len(months) - 1)]
            waits[(team_id, month)].append(_hours(float(seconds)))
    return waits


def responses(scope: Scope, period: Period) -> Responses:
    teams = scope.teams()
    team_ids = [team.pk for team in teams]
    found = tally.tallies(team_ids, period.months())
    first = {key: tally.hours(counted.first) for key, counted in found.items()}
    each = {key: tally.hours(counted.each) for key, counted in found.items()}
    columns = [
        _("Month"),
        _("First answer: median"),
        _("First answer: 90 % within"),
        _("Each answer: median"),
        _("Each answer: 90 % within"),
        _("Answers"),
    ]

    def row(label: str, firsts: list[float], answers: list[float]) -> s.Row:
        return s.Row(
            label,
            [
                s.quantile(firsts, 0.5),
                s.quantile(firsts, 0.9),
                s.quantile(answers, 0.5),
                s.quantile(answers, 0.9),
                s.count(len(answers)),
            ],
        )

    month_rows, team_rows = [], []
    all_first: list[float] = []
    all_each: list[float] = []
    for month in period.months():
        firsts = [w for team_id in team_ids for w in first.get((team_id, month), [])]
        answers = [w for team_id in team_ids for w in each.get((team_id, month), [])]
        all_first += firsts
        all_each += answers
        month_rows.append(row(month_label(month), firsts, answers))
    for team in teams:
        for month in period.months():
            firsts, answers = first.get((team.pk, month), []), each.get((team.pk, month), [])
            if firsts or answers:
                team_rows.append(row(f"{team} · {month_label(month)}", firsts, answers))
    note = _(
        "Time from the client's first message (or first unanswered message) to the team's "
        "next message, office hours or not, to the minute."
    )
    by_month = s.Table("responses_months", _("Time to answer per month"), columns, month_rows, note)
    team_columns = [_("Team and month"), *columns[1:]]
    by_team = s.Table(
        "responses_teams", _("Time to answer per team and month"), team_columns, team_rows, note
    )
    return Responses(
        by_month,
        by_team,
        s.quantile(all_first, 0.5),
        s.quantile(all_first, 0.9),
        s.quantile(all_each, 0.5),
    )


# --- the bridge's funnel --------------------------------------------------------------------


@dataclass
class BridgeFunnel:
    table: s.Table
    made: int
    continued: int
    conversion: s.Cell  # continued of made
    wrote: s.Cell  # the client wrote (first message) of made


def bridge_funnel(scope: Scope, period: Period) -> BridgeFunnel:
    """Handovers made in the period → opened → first message → conversation continued, per
    channel of origin (a cohort: each handover counts in every stage it reached)."""
    team_ids = set(scope.team_ids())
    funnel = bridge_queries.funnel(scope.organisation.pk, period.since, period.until)
    stages = ("made", "opened", "first_message", "continued")
    by_channel: dict[str, list[int]] = {}
    labels: dict[str, str] = {}
    for row in funnel.rows:
        if row.team_id not in team_ids:
            continue
        values = by_channel.setdefault(row.channel, [0] * len(stages))
        labels[row.channel] = row.channel_label
        for index, stage in enumerate(stages):
            values[index] += getattr(row, stage)
    totals = [sum(values[index] for values in by_channel.values()) for index in range(4)]
    rows = [
        s.Row(labels[channel], [*(s.count(n) for n in values), s.share(values[3], values[0])])
        for channel, values in sorted(by_channel.items(), key=lambda item: labels[item[0]])
    ]
    _protect_columns(rows, len(stages))
    conversion = s.share(totals[3], totals[0])
    rows.append(s.Row(_("All channels"), [*(s.count(n) for n in totals), conversion]))
    table = s.Table(
        "bridge_funnel",
        _("Handovers from social networks"),
        [
            _("Channel of origin"),
            _("Links made"),
            _("Opened"),
            _("First message"),
            _("Conversation continued"),
            _("Continued of made"),
        ],
        rows,
    )
    return BridgeFunnel(table, totals[0], totals[3], conversion, s.share(totals[2], totals[0]))


def _protect_columns(rows: list[s.Row], columns: int) -> None:
    """Rows above a total row: protect each column's hidden cell from the total."""
    for index in range(columns):
        protected = s.protect([row.cells[index] for row in rows])
        for row, cell in zip(rows, protected, strict=True):
            row.cells[index] = cell


# --- volume ------------------------------------------------------------------------------


@dataclass
class Volume:
    by_month: s.Table
    by_team: s.Table
    by_origin: s.Table
    new_conversations: int
    cases_opened: int


def _by_month(
    queryset: QuerySet[Any], field: str, team_field: str, counted: str = "pk"
) -> dict[tuple[int, date], int]:
    """How many ``counted`` (distinct) per team and local month of a date field."""
    rows = (
        queryset.annotate(month=TruncMonth(field))
        .values_list(team_field, "month")
        .annotate(n=Count(counted, distinct=True))
        .order_by()
    )
    counts: dict[tuple[int, date], int] = defaultdict(int)
    for team_id, month, n in rows:
        counts[(team_id, month_start(month))] += n
    return counts


def volume(scope: Scope, period: Period) -> Volume:
    teams = scope.teams()
    team_ids = [team.pk for team in teams]
    months = period.months()
    found = tally.tallies(team_ids, months)
    new = {key: counted.new for key, counted in found.items()}
    active = {key: counted.active for key, counted in found.items()}
    opened = _by_month(
        Case.objects.filter(
            team_id__in=team_ids, opened_on__gte=period.first, opened_on__lte=period.last_day
        ),
        "opened_on",
        "team_id",
    )
    closed = _by_month(
        Case.objects.filter(
            team_id__in=team_ids, closed_on__gte=period.first, closed_on__lte=period.last_day
        ),
        "closed_on",
        "team_id",
    )
    measures = (new, active, opened, closed)
    columns = [
        _("New conversations"),
        _("Active conversations"),
        _("Cases opened"),
        _("Cases closed"),
    ]
    month_rows = []
    for month in period.months():
        month_rows.append(
            s.Row(
                month_label(month),
                [s.count(sum(m.get((t, month), 0) for t in team_ids)) for m in measures],
            )
        )
    team_rows = [
        s.Row(
            str(team),
            [s.count(sum(n for (t, _m), n in m.items() if t == team.pk)) for m in measures],
        )
        for team in teams
    ]
    origins = tally.total(found, found).origins
    total_new = sum(origins.values())
    origin_rows = [
        s.Row(
            str(label), [s.count(origins.get(value, 0)), s.share(origins.get(value, 0), total_new)]
        )
        for value, label in Origin.choices
        if origins.get(value)
    ]
    _protect_columns(origin_rows, 1)
    origin_rows.append(s.Row(_("All"), [s.count(total_new), s.empty()]))
    return Volume(
        s.Table(
            "volume_months",
            _("Conversations and cases per month"),
            [_("Month"), *columns],
            month_rows,
        ),
        s.Table(
            "volume_teams", _("Conversations and cases per team"), [_("Team"), *columns], team_rows
        ),
        s.Table(
            "volume_origins",
            _("New conversations by first contact"),
            [_("First contact"), _("New conversations"), _("Share")],
            origin_rows,
        ),
        total_new,
        sum(n for m in (opened,) for n in m.values()),
    )


# --- public communication --------------------------------------------------------------


@dataclass
class Publishing:
    by_channel: s.Table
    by_month: s.Table
    published: int  # deliveries made in the period
    planned: int  # posts planned for the period (on any channel)
    planned_published: int  # of those, the ones published


def publishing(scope: Scope, period: Period) -> Publishing:
    """Posts planned versus published per channel and month, how often the check found
    something, and the time from the first draft to approval. Posts are the
    organisation's own public words, about no client: their counts are not suppressed."""
    organisation_id = scope.organisation.pk
    planned = (
        Post.objects.filter(
            organisation_id=organisation_id,
            planned_at__gte=period.since,
            planned_at__lt=period.until,
        )
        .annotate(month=TruncMonth("planned_at"))
        .values_list("channels__kind", "channels__name", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    published = (
        Delivery.objects.filter(
            post__organisation_id=organisation_id,
            state=DeliveryState.DELIVERED,
            delivered_at__gte=period.since,
            delivered_at__lt=period.until,
        )
        .annotate(month=TruncMonth("delivered_at"))
        .values_list("channel__kind", "channel__name", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0])
    for index, rows in enumerate((planned, published)):
        for kind, name, month, n in rows:
            if kind is None:
                continue  # a planned post without a channel yet
            label = name or str(ChannelKind(kind).label)
            counts[(label, month_start(month.date()))][index] += n
    channel_rows = [
        s.Row(f"{label} · {month_label(month)}", [s.number(p, str(p)), s.number(d, str(d))])
        for (label, month), (p, d) in sorted(
            counts.items(), key=lambda item: (item[0][1], item[0][0])
        )
    ]
    by_channel = s.Table(
        "posts_channels",
        _("Posts planned and published per channel and month"),
        [_("Channel and month"), _("Planned"), _("Published")],
        channel_rows,
    )

    created = Post.objects.filter(
        organisation_id=organisation_id, created_at__gte=period.since, created_at__lt=period.until
    )
    first_risk = dict(
        PostVersion.objects.filter(post__in=created, number=1).values_list("post_id", "risk")
    )
    months: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for post_id, created_at in created.values_list("pk", "created_at"):
        month = _local_month(created_at)
        if first_risk.get(post_id):
            months[month][0] += 1
            months[month][1] += first_risk[post_id] in RISKY
    approvals: dict[date, list[float]] = defaultdict(list)
    for created_at, approved_at in Post.objects.filter(
        organisation_id=organisation_id,
        approved_at__gte=period.since,
        approved_at__lt=period.until,
    ).values_list("created_at", "approved_at"):
        assert approved_at is not None  # filtered on it above
        approvals[_local_month(approved_at)].append(
            _hours((approved_at - created_at).total_seconds())
        )
    month_rows = []
    for month in period.months():
        checked, risky = months.get(month, [0, 0])
        waits = sorted(approvals.get(month, []))
        median = (
            s.number(waits[len(waits) // 2], s.hours_text(waits[len(waits) // 2]))
            if waits
            else s.empty()
        )
        share = (
            s.number(risky / checked, f"{risky / checked * 100:.0f} %") if checked else s.empty()
        )
        month_rows.append(
            s.Row(month_label(month), [s.number(checked, str(checked)), share, median])
        )
    by_month = s.Table(
        "posts_months",
        _("Drafts, findings of the recognisability check, and approval"),
        [
            _("Month"),
            _("New drafts"),
            _("First draft with findings"),
            _("Draft to approval: median"),
        ],
        month_rows,
    )
    planned_posts = Post.objects.filter(
        organisation_id=organisation_id,
        planned_at__gte=period.since,
        planned_at__lt=period.until,
    )
    return Publishing(
        by_channel,
        by_month,
        sum(d for _p, d in counts.values()),
        planned_posts.count(),
        planned_posts.filter(state=PostState.PUBLISHED).count(),
    )


# --- network ---------------------------------------------------------------------------


@dataclass
class Network:
    referrals: s.Table  # per partner
    events: s.Table  # per kind of event
    referred: int


def network(scope: Scope, period: Period) -> Network:
    """Referrals to partners (with their outcome) and the events staff went to."""
    from hafen.network.models import Event, EventKind, Referral, ReferralOutcome

    referrals = (
        Referral.objects.filter(
            team_id__in=scope.team_ids(),
            referred_on__gte=period.first,
            referred_on__lte=period.last_day,
        )
        .values_list("partner__name")
        .annotate(
            n=Count("pk"),
            taken_up=Count(
                "pk",
                filter=Q(outcome__in=[ReferralOutcome.ACCEPTED, ReferralOutcome.COMPLETED]),
            ),
        )
        .order_by("partner__name")
    )
    rows = [
        s.Row(name, [s.count(n), s.count(taken), s.share(taken, n)]) for name, n, taken in referrals
    ]
    _protect_columns(rows, 2)
    total = sum(n for _name, n, _taken in referrals)
    taken_total = sum(taken for _name, _n, taken in referrals)
    rows.append(
        s.Row(
            _("All partners"),
            [s.count(total), s.count(taken_total), s.share(taken_total, total)],
        )
    )
    events = (
        Event.objects.filter(
            organisation=scope.organisation,
            starts_at__gte=period.since,
            starts_at__lt=period.until,
        )
        .values_list("kind")
        .annotate(n=Count("pk", distinct=True), going=Count("attendees"))
        .order_by("kind")
    )
    labels = dict(EventKind.choices)
    # Events and who of the staff went are the organisation's own work: not suppressed.
    event_rows = [
        s.Row(str(labels.get(kind, kind)), [s.number(n, str(n)), s.number(going, str(going))])
        for kind, n, going in events
    ]
    return Network(
        s.Table(
            "network_referrals",
            _("Referrals to partner organisations"),
            [_("Partner"), _("Referrals"), _("Accepted or completed"), _("Share")],
            rows,
        ),
        s.Table(
            "network_events",
            _("Events of the network"),
            [_("Kind of event"), _("Events"), _("Staff who went")],
            event_rows,
        ),
        total,
    )
