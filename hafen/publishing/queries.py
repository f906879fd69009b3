"""Read-side helpers: the post list, the calendar, version diffs, the news page and
who has not acknowledged the guidelines."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hafen.accounts.models import User
from hafen.publishing.models import (
    Delivery,
    GuidelineAcknowledgement,
    GuidelineVersion,
    Post,
    PostState,
    PostVersion,
)

CALENDAR_LABELS: dict[str, Promise] = {
    PostState.DRAFT: _("Planned"),
    PostState.SUBMITTED: _("Waiting for approval"),
    PostState.APPROVED: _("Scheduled"),
    PostState.PUBLISHED: _("Published"),
    PostState.FAILED: _("Failed"),
}


def posts_of(organisation_id: int) -> QuerySet[Post]:
    return (
        Post.objects.of_organisation(organisation_id)
        .select_related("current_version", "author", "campaign")
        .prefetch_related("channels")
    )


def when(post: Post) -> datetime | None:
    """The moment a post stands for in the calendar: published, else planned, else approved
    (a post approved for "as soon as possible" that failed)."""
    return post.published_at or post.planned_at or post.approved_at


@dataclass
class Day:
    day: date
    in_period: bool
    posts: list[Post] = field(default_factory=list)


def calendar(
    organisation_id: int,
    *,
    start: date,
    end: date,
    channel_id: int | None = None,
    campaign_id: int | None = None,
    anchor_month: int | None = None,
) -> list[Day]:
    """Every day from ``start`` to ``end`` (inclusive), each with its posts in time order."""
    tz = timezone.get_current_timezone()
    lower = datetime.combine(start, time.min, tzinfo=tz)
    upper = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    posts = posts_of(organisation_id)
    if channel_id is not None:
        posts = posts.filter(channels__pk=channel_id)
    if campaign_id is not None:
        posts = posts.filter(campaign_id=campaign_id)
    in_range = posts.annotate(moment=Coalesce("published_at", "planned_at", "approved_at")).filter(
        moment__gte=lower, moment__lt=upper
    )
    by_day: dict[date, list[Post]] = {}
    for post in in_range.distinct():
        moment = when(post)
        if moment is not None:
            by_day.setdefault(timezone.localtime(moment, tz).date(), []).append(post)
    days = []
    current = start
    while current <= end:
        listed = sorted(by_day.get(current, []), key=lambda post: when(post) or lower)
        in_period = anchor_month is None or current.month == anchor_month
        days.append(Day(current, in_period, listed))
        current += timedelta(days=1)
    return days


def month_bounds(anchor: date) -> tuple[date, date]:
    """Monday before the first to Sunday after the last of ``anchor``'s month."""
    first = anchor.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    last = following - timedelta(days=1)
    return first - timedelta(days=first.weekday()), last + timedelta(days=6 - last.weekday())


def week_bounds(anchor: date) -> tuple[date, date]:
    monday = anchor - timedelta(days=anchor.weekday())
    return monday, monday + timedelta(days=6)


@dataclass(frozen=True)
class VersionDiff:
    version: PostVersion
    previous: PostVersion | None
    lines: list[tuple[str, str]]  # ("same" | "added" | "removed", line)


def history(post: Post) -> list[VersionDiff]:
    """Every version, newest first, each with its line diff to the one before."""
    versions = list(post.versions.select_related("created_by").order_by("number"))
    diffs = []
    previous: PostVersion | None = None
    for version in versions:
        before = (f"{previous.title}\n\n{previous.text}" if previous else "").splitlines()
        after = f"{version.title}\n\n{version.text}".splitlines()
        lines = []
        for line in difflib.ndiff(before, after):
            tag, text = line[:2], line[2:]
            if tag == "  ":
                lines.append(("same", text))
            elif tag == "+ ":
                lines.append(("added", text))
            elif tag == "- ":
                lines.append(("removed", text))
        diffs.append(VersionDiff(version, previous, lines))
        previous = version
    return list(reversed(diffs))


def news_posts(organisation_id: int) -> QuerySet[Post]:
    """Published posts of the news page, newest first, with their wording and images."""
    return (
        Post.objects.on_news_page(organisation_id)
        .select_related("approved_version", "organisation")
        .prefetch_related("images")
        .order_by("-published_at", "-pk")
    )


def deliveries_of(post: Post) -> list[Delivery]:
    return list(post.deliveries.select_related("channel", "done_by").order_by("channel__name"))


def current_guideline(organisation_id: int) -> GuidelineVersion | None:
    return (
        GuidelineVersion.objects.filter(organisation_id=organisation_id)
        .select_related("published_by")
        .order_by("-number")
        .first()
    )


def has_acknowledged(user: User, version: GuidelineVersion) -> bool:
    return GuidelineAcknowledgement.objects.filter(version=version, user=user).exists()


def not_acknowledged(version: GuidelineVersion) -> QuerySet[User]:
    """Active staff of the organisation who have not acknowledged ``version``."""
    acknowledged = GuidelineAcknowledgement.objects.filter(version=version).values("user_id")
    return (
        User.objects.filter(organisation_id=version.organisation_id, is_active=True)
        .exclude(pk__in=acknowledged)
        .order_by("display_name", "username")
    )


def acknowledgements(version: GuidelineVersion) -> QuerySet[GuidelineAcknowledgement]:
    return version.acknowledgements.select_related("user").order_by("at")


def guideline_versions(organisation_id: int) -> QuerySet[GuidelineVersion]:
    return (
        GuidelineVersion.objects.filter(organisation_id=organisation_id)
        .select_related("published_by")
        .prefetch_related(Prefetch("acknowledgements"))
        .order_by("-number")
    )
