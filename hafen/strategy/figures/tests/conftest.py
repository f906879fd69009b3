"""The world of the figures tests: team Jugendberatung answers Monday to Friday 9 to 17
(set here); September 2026 holds five conversations answered after 1 to 5 hours, one of
them answered again after 30 minutes; October holds client messages inside and outside
office hours, and two of Streetwork. Made through the apps' own actions at chosen
moments (time_machine)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from hafen.accounts.models import Team, User
from hafen.conversations import actions as conversation_actions
from hafen.conversations.hours import door_of
from hafen.conversations.models import Conversation
from hafen.strategy.figures import suppression as s
from hafen.strategy.figures.period import Period

BERLIN = ZoneInfo("Europe/Berlin")
NOTHING = s.empty().text  # a cell with nothing to count
SEPTEMBER = Period(date(2026, 9, 1), date(2026, 9, 1))
AUTUMN = Period(date(2026, 9, 1), date(2026, 10, 1))
_ids = itertools.count()


def at(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=BERLIN)


def client_writes(conversation: Conversation, when: datetime) -> None:
    with time_machine.travel(when, tick=False):
        conversation_actions.post_client_message(conversation.pk, "Hallo", f"id-{next(_ids)}")


def team_answers(user: User, conversation: Conversation, when: datetime) -> None:
    with time_machine.travel(when, tick=False):
        conversation_actions.post_staff_message(user, conversation.pk, "Antwort")


def new_conversation(team: Team, when: datetime) -> Conversation:
    with time_machine.travel(when, tick=False):
        return conversation_actions.start_conversation(team).conversation


@pytest.fixture
def youth(org) -> Team:
    team = Team.objects.get(slug="jugendberatung")
    door = door_of(team.pk)
    door.office_hours = {str(day): [["09:00", "17:00"]] for day in range(1, 6)}
    door.save()
    return team


@pytest.fixture
def street(org) -> Team:
    return Team.objects.get(slug="streetwork")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def answered(youth, counsellor) -> None:
    """September: five first answers after 1, 2, 3, 4 and 5 hours; the first conversation
    is answered a second time 30 minutes after the client wrote again."""
    for hours in range(1, 6):
        start = at(f"2026-09-0{hours}", "09:00")
        conversation = new_conversation(youth, start)
        client_writes(conversation, start)
        client_writes(conversation, start + timedelta(minutes=10))  # still waiting
        team_answers(counsellor, conversation, start + timedelta(hours=hours))
        if hours == 1:
            client_writes(conversation, start + timedelta(hours=6))
            team_answers(counsellor, conversation, start + timedelta(hours=6, minutes=30))


@pytest.fixture
def october(youth, street) -> None:
    fill_october(youth, street)


def fill_october(youth: Team, street: Team) -> None:
    """Tuesday 6 October: six messages at 10:15 (open), five at 20:00 (closed); Saturday
    10 October: five at 11:00 (closed); Streetwork: two at Tuesday 14:00."""
    conversation = new_conversation(youth, at("2026-10-06", "08:00"))
    for _ in range(6):
        client_writes(conversation, at("2026-10-06", "10:15"))
    for _ in range(5):
        client_writes(conversation, at("2026-10-06", "20:00"))
    for _ in range(5):
        client_writes(conversation, at("2026-10-10", "11:00"))
    other = new_conversation(street, at("2026-10-06", "08:00"))
    for _ in range(2):
        client_writes(other, at("2026-10-06", "14:00"))
