"""Reads of data-subject requests: the open ones by deadline (the DSB's cockpit), done ones,
and the one door to a single request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.http import Http404
from django.utils import timezone

from hafen.cases.access import parse_id
from hafen.privacy.requests.actions import is_officer
from hafen.privacy.requests.deadlines import urgency
from hafen.privacy.requests.models import SubjectRequest

DONE_SHOWN = 100


@dataclass(frozen=True)
class RequestRow:
    request: SubjectRequest
    due_on: date
    days_left: int  # negative when overdue
    urgency: str  # "overdue", "soon" (within seven days) or ""

    @property
    def overdue(self) -> bool:
        return self.urgency == "overdue"

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    @property
    def due_soon(self) -> bool:
        return self.urgency == "soon"


def row(request: SubjectRequest, today: date | None = None) -> RequestRow:
    today = today or timezone.localdate()
    due = request.due_on
    return RequestRow(request, due, (due - today).days, urgency(due, today))


def open_requests(organisation_id: int, today: date | None = None) -> list[RequestRow]:
    """The organisation's open requests with their deadlines, the most urgent first."""
    requests = SubjectRequest.objects.filter(
        organisation_id=organisation_id, closed_at__isnull=True
    ).select_related("case")
    rows = [row(request, today) for request in requests]
    return sorted(rows, key=lambda r: (r.due_on, r.request.pk))


def done_requests(organisation_id: int, limit: int = DONE_SHOWN) -> list[SubjectRequest]:
    return list(
        SubjectRequest.objects.filter(organisation_id=organisation_id, closed_at__isnull=False)
        .select_related("case")
        .order_by("-closed_at", "-pk")[:limit]
    )


def request_for(user: object, request_id: object) -> SubjectRequest:
    """The request if ``user`` is the DSB of its organisation; 404 for everybody else."""
    request = (
        SubjectRequest.objects.select_related("case", "restriction", "closed_by", "created_by")
        .filter(pk=parse_id(request_id))
        .first()
    )
    if request is None or not is_officer(user, request.organisation_id):
        raise Http404
    return request
