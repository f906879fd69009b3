"""Read side of the cockpit; one query per list, scoped to the DSB's organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from hafen.accounts.models import BreakGlass
from hafen.cases.models import Case
from hafen.privacy.models import AuditEntry
from hafen.privacy.requests import queries as request_queries
from hafen.privacy.retention import queries as retention_queries
from hafen.privacy.retention.models import RestrictedRead

RECENT_DAYS = 90


@dataclass(frozen=True)
class ChainStatus:
    """The last verification of the audit chain (by the DSB's button or the daily task)."""

    at: datetime | None
    intact: bool | None
    checked: int | None

    @property
    def stale(self) -> bool:
        return self.at is None or timezone.now() - self.at > timedelta(days=2)


def chain_status() -> ChainStatus:
    # The chain spans every organisation, so its verification does too.
    last = AuditEntry.objects.filter(action="audit.verified").order_by("-seq").first()
    if last is None:
        return ChainStatus(None, None, None)
    intact, checked = last.details.get("intact"), last.details.get("checked")
    return ChainStatus(last.at, bool(intact), checked if isinstance(checked, int) else None)


def _since(days: int = RECENT_DAYS) -> datetime:
    return timezone.now() - timedelta(days=days)


def break_glass_events(organisation_id: int) -> QuerySet[BreakGlass]:
    """Emergency accesses of the last 90 days: who, which team, why, until when."""
    return (
        BreakGlass.objects.filter(
            team__facility__organisation_id=organisation_id, created_at__gte=_since()
        )
        .select_related("user", "team")
        .order_by("-created_at")
    )


def restricted_reads(organisation_id: int) -> QuerySet[RestrictedRead]:
    """Readings of restricted case files in the last 90 days, with the stated purpose."""
    return (
        RestrictedRead.objects.filter(
            case__organisation_id=organisation_id, granted_at__gte=_since()
        )
        .select_related("user", "case")
        .order_by("-granted_at")
    )


def overview(organisation_id: int) -> dict[str, object]:
    preview = retention_queries.preview(organisation_id)
    requests = request_queries.open_requests(organisation_id)
    return {
        "requests": requests,
        "overdue_requests": sum(1 for row in requests if row.overdue),
        "chain": chain_status(),
        "entry_count": AuditEntry.objects.count(),
        "runs": retention_queries.runs(5),
        "due_conversations": preview.conversations,
        "due_cases": preview.cases,
        "break_glass": list(break_glass_events(organisation_id)[:20]),
        "restricted_reads": list(restricted_reads(organisation_id)[:20]),
        "holds": retention_queries.active_holds(organisation_id).count(),
        "restrictions": retention_queries.active_restrictions(organisation_id).count(),
    }


# -- the audit log search -----------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    since: date | None = None
    until: date | None = None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def search_audit(organisation_id: int, wanted: AuditFilter) -> QuerySet[AuditEntry]:
    """Entries of the organisation (and the system's own, such as retention runs),
    newest first, narrowed by who, what, which record and when."""
    entries = AuditEntry.objects.filter(
        Q(organisation_id=organisation_id) | Q(organisation_id__isnull=True)
    )
    if wanted.actor_id is not None:
        entries = entries.filter(actor_id=wanted.actor_id)
    if wanted.action:
        entries = entries.filter(action__startswith=wanted.action)
    if wanted.object_type:
        entries = entries.filter(object_type=wanted.object_type, object_id=wanted.object_id)
    if wanted.since:
        entries = entries.filter(at__gte=_day_start(wanted.since))
    if wanted.until:
        entries = entries.filter(at__lt=_day_start(wanted.until + timedelta(days=1)))
    return entries.order_by("-seq")


def action_groups(organisation_id: int) -> list[str]:
    """The first part of every action written for the organisation ("case", "retention")."""
    actions = (
        AuditEntry.objects.filter(
            Q(organisation_id=organisation_id) | Q(organisation_id__isnull=True)
        )
        .values_list("action", flat=True)
        .distinct()
    )
    return sorted({action.split(".")[0] for action in actions})


# -- one case -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseAccess:
    case: Case
    entries: list[AuditEntry]
    readers: list[tuple[str, int, datetime]]  # who read, how often, last time
    break_glass: list[BreakGlass]
    restricted_reads: list[RestrictedRead]


def case_access(case: Case) -> CaseAccess:
    """Who read or changed the case, when, and through which right (team, responsible,
    break-glass); the emergency accesses to its team and the restricted readings."""
    entries = list(
        AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).order_by("-seq")
    )
    readers: dict[str, tuple[int, datetime]] = {}
    for entry in entries:
        if entry.action != "case.read":
            continue
        count, last = readers.get(entry.actor_label, (0, entry.at))
        readers[entry.actor_label] = (count + 1, max(last, entry.at))
    grants = list(
        BreakGlass.objects.filter(team_id=case.team_id, created_at__gte=case.created_at)
        .select_related("user")
        .order_by("-created_at")
    )
    reads = list(
        RestrictedRead.objects.filter(case=case).select_related("user").order_by("-granted_at")
    )
    return CaseAccess(
        case,
        entries,
        sorted(
            ((label or "—", count, last) for label, (count, last) in readers.items()),
            key=lambda r: -r[1],
        ),
        grants,
        reads,
    )
