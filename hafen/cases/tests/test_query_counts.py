"""Pages cost the same number of queries however much a case holds (no N+1)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from hafen.cases import access, actions, queries
from hafen.cases.models import Confidentiality, EntryKind, MeetingKind, PlanKind
from hafen.cases.tests.conftest import entry
from hafen.cases.validation import today
from hafen.conversations.actions import start_conversation
from hafen.conversations.attachments import check_upload

pytestmark = pytest.mark.django_db


def _photo():
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return check_upload(SimpleUploadedFile("foto.png", out.getvalue(), "image/png"))


def _grow_case(case, counsellor, colleague, count: int) -> None:
    """Entries of every kind: restricted, corrected, with attachments, by two authors."""
    photo = _photo()
    for number in range(count):
        author = counsellor if number % 2 else colleague
        made = entry(
            author,
            case,
            f"Eintrag {number}",
            kind=EntryKind.values[number % len(EntryKind.values)],
            confidentiality=Confidentiality.ENTRUSTED if number % 5 == 0 else "normal",
            substitute=counsellor if number % 10 == 0 else None,
        )
        if number % 3 == 0:
            actions.correct_entry(author, made, text=f"Eintrag {number}, korrigiert")
        if number % 4 == 0:
            actions.add_attachment(author, made, photo)
    actions.link_conversation(counsellor, case, _conversation(case))
    plan = actions.create_plan(counsellor, case, kind=PlanKind.HELP_PLAN, title=f"Plan {count}")
    actions.schedule_review(counsellor, plan, today() + timedelta(days=count))


def _conversation(case):
    return start_conversation(case.team).conversation


def _count(function, *args) -> int:
    with CaptureQueriesContext(connection) as captured:
        function(*args)
    return len(captured)


def test_the_case_page_costs_the_same_for_5_or_60_entries(case, counsellor, colleague) -> None:
    _grow_case(case, counsellor, colleague, 5)
    fresh = access.access_case(colleague, case.pk)
    small = _count(queries.case_page, colleague, fresh)

    _grow_case(case, counsellor, colleague, 55)
    fresh = access.access_case(colleague, case.pk)
    page = queries.case_page(colleague, fresh)

    assert len(page.entries) == 61
    assert any(e.withheld for e in page.entries) and any(e.attachments for e in page.entries)
    assert any(e.corrected for e in page.entries)
    assert _count(queries.case_page, colleague, fresh) == small


def test_the_plan_page_costs_the_same_for_1_or_12_goals(case, counsellor) -> None:
    plan = actions.create_plan(counsellor, case, kind=PlanKind.HELP_PLAN, title="Plan")

    def grow(count: int) -> None:
        goals = [actions.add_goal(counsellor, plan, wording=f"Ziel {n}") for n in range(count)]
        for goal in goals:
            actions.add_measure(counsellor, goal, text="Maßnahme", responsible="client")
        review = actions.schedule_review(counsellor, plan, today() + timedelta(days=count))
        actions.record_review(counsellor, review, held_on=today(), ratings={g.pk: 5 for g in goals})

    grow(1)
    small = _count(queries.plan_page, counsellor, access.access_plan(counsellor, plan.pk))
    grow(11)
    fresh = access.access_plan(counsellor, plan.pk)

    assert len(queries.plan_page(counsellor, fresh).goals) == 12
    assert _count(queries.plan_page, counsellor, fresh) == small


def test_lists_cost_the_same_for_few_or_many_rows(case, youth, counsellor, colleague) -> None:
    def grow(count: int) -> None:
        meeting = actions.create_meeting(
            counsellor, youth, kind=MeetingKind.TEAM_MEETING, held_on=today()
        )
        plan = actions.create_plan(counsellor, case, kind=PlanKind.HELP_PLAN, title="P")
        for number in range(count):
            actions.add_action_item(counsellor, meeting, text=f"Aufgabe {number}", owner=counsellor)
            actions.schedule_review(counsellor, plan, today() + timedelta(days=number + 1))
            actions.open_case(counsellor, youth, pseudonym=f"Fall {number}")

    def lists() -> None:
        list(queries.case_list(counsellor))
        queries.open_action_items(counsellor)
        queries.due_reviews(counsellor)

    grow(2)
    small = _count(lists)
    grow(10)

    assert len(queries.open_action_items(counsellor)) == 12
    assert _count(lists) == small
