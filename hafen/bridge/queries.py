"""Read-side helpers of the bridge: a person's handovers and the handover funnel.

The funnel is derived from the data itself, not from counters kept on the side, so
it cannot drift from what happened. It counts only: no text, no pseudonym.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from hafen.bridge.models import CHANNEL_CHOICES, Handover
from hafen.conversations.models import Message, Sender

FUNNEL_DEFAULT_DAYS = 30
STAGES = ("made", "opened", "started", "first_message", "continued")


def my_handovers(user_id: int, limit: int = 50) -> list[Handover]:
    return list(Handover.objects.made_by(user_id).select_related("team__facility")[:limit])


@dataclass
class FunnelRow:
    team_id: int | None
    team: str
    channel: str
    channel_label: str
    made: int = 0
    opened: int = 0
    started: int = 0
    first_message: int = 0
    continued: int = 0

    def add(self, other: FunnelRow) -> None:
        for stage in STAGES:
            setattr(self, stage, getattr(self, stage) + getattr(other, stage))


@dataclass
class Funnel:
    since: datetime
    until: datetime
    rows: list[FunnelRow] = field(default_factory=list)
    by_channel: list[FunnelRow] = field(default_factory=list)
    total: FunnelRow = field(default_factory=lambda: FunnelRow(None, "", "", ""))

    @property
    def first_day(self) -> date:
        return timezone.localtime(self.since).date()

    @property
    def last_day(self) -> date:
        return timezone.localtime(self.until - timedelta(microseconds=1)).date()


def period(start: date | None = None, end: date | None = None) -> tuple[datetime, datetime]:
    """Local whole days from ``start`` to ``end`` (both included) as [since, until)."""
    today = timezone.localdate()
    end = end or today
    start = start or end - timedelta(days=FUNNEL_DEFAULT_DAYS - 1)
    tz = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=tz)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    return since, until


def funnel(organisation_id: int, since: datetime, until: datetime) -> Funnel:
    """Handovers made in [since, until) per team and channel, and how far each got.

    A cohort view: a handover made in the period counts in every stage it reached,
    even if the client opened it or wrote after the period ended.

    - made: handovers made;
    - opened: the client opened the link (link previews of messengers excluded);
    - started: the link started a conversation;
    - first_message: that conversation holds a message of the client;
    - continued: the client wrote again after the team's first answer.

    A conversation the client deleted no longer counts in the last two stages: its
    messages are gone, and the figures must not keep what deletion removed.

    Counts below 5 are shown as they are; the strategy issue adds the suppression of
    small numbers for reports that leave the organisation.
    """
    client_messages = Message.objects.filter(
        conversation_id=OuterRef("conversation_id"), sender=Sender.CLIENT
    )
    # An answer is a staff message after a client message; "continued" is a client
    # message after such an answer (a greeting the team wrote first does not count).
    client_before = Message.objects.filter(
        conversation_id=OuterRef("conversation_id"), sender=Sender.CLIENT, seq__lt=OuterRef("seq")
    )
    answer_before = Message.objects.filter(
        conversation_id=OuterRef("conversation_id"), sender=Sender.STAFF, seq__lt=OuterRef("seq")
    ).filter(Exists(client_before))
    grouped = (
        Handover.objects.filter(
            team__facility__organisation_id=organisation_id,
            created_at__gte=since,
            created_at__lt=until,
        )
        .annotate(
            wrote=Exists(client_messages),
            wrote_again=Exists(client_messages.filter(Exists(answer_before))),
        )
        .values("team_id", "team__name", "team__facility__name", "channel")
        .annotate(
            made=Count("pk"),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            started=Count("pk", filter=Q(used_at__isnull=False)),
            first_message=Count("pk", filter=Q(wrote=True)),
            continued=Count("pk", filter=Q(wrote_again=True)),
        )
        .order_by("team__facility__name", "team__name", "channel")
    )
    labels = dict(CHANNEL_CHOICES)
    result = Funnel(since=since, until=until)
    channels: dict[str, FunnelRow] = {}
    for values in grouped:
        channel = values["channel"]
        row = FunnelRow(
            team_id=values["team_id"],
            team=f"{values['team__facility__name']} · {values['team__name']}",
            channel=channel,
            channel_label=str(labels.get(channel, channel)),
            **{stage: values[stage] for stage in STAGES},
        )
        result.rows.append(row)
        channels.setdefault(
            channel, FunnelRow(None, "", channel, str(labels.get(channel, channel)))
        ).add(row)
        result.total.add(row)
    result.by_channel = [channels[value] for value, _label in CHANNEL_CHOICES if value in channels]
    return result


def rate(part: int, whole: int) -> int | None:
    """Whole per cent, or None when there is nothing to divide by."""
    return round(100 * part / whole) if whole else None
