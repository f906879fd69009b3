"""Office hours of a team's door: is the team answering now, and when next?

Office hours are local time of the installation (HAFEN_TIME_ZONE), stored per ISO
weekday as a list of ["HH:MM", "HH:MM"] intervals.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from hafen.conversations.models import DoorSettings


def door_of(team_id: int) -> DoorSettings:
    door, _ = DoorSettings.objects.get_or_create(team_id=team_id)
    return door


def public_door(team_id: int) -> DoorSettings:
    """The team's door settings for a public page: the defaults (not saved) if staff
    never changed them. Never writes: an anonymous visit to a door, or a refused
    request, must not create rows."""
    return DoorSettings.objects.filter(team_id=team_id).first() or DoorSettings(team_id=team_id)


def is_open_at(door: DoorSettings, when: datetime | None = None) -> bool:
    local = timezone.localtime(when or timezone.now())
    moment = local.time()
    return any(start <= moment < end for start, end in door.intervals(local.isoweekday()))


def next_opening(door: DoorSettings, when: datetime | None = None) -> datetime | None:
    """The next local time the team starts answering, within a week; None if never."""
    local = timezone.localtime(when or timezone.now())
    for offset in range(8):
        day = local + timedelta(days=offset)
        for start, _end in sorted(door.intervals(day.isoweekday())):
            candidate = day.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
            if candidate > local:
                return candidate
    return None


def weekly_table(door: DoorSettings) -> list[tuple[int, list[tuple[str, str]]]]:
    """Office hours per ISO weekday for display: [(1, [("09:00", "17:00")]), ...]."""
    return [
        (
            day,
            [
                (start.strftime("%H:%M"), end.strftime("%H:%M"))
                for start, end in door.intervals(day)
            ],
        )
        for day in range(1, 8)
    ]
