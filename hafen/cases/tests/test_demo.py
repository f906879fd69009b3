"""The demo case files show every part: a history with a correction and an entrusted entry,
a plan with progress over two reviews and one due soon, a conference with an action item."""

from __future__ import annotations

import pytest

from hafen.cases import access, demo, queries
from hafen.cases.models import Template

pytestmark = pytest.mark.django_db


def test_the_demo_shows_case_files_as_a_counsellor_sees_them(org, counsellor, leader) -> None:
    assert not demo.demo_cases_exist(org)

    first, _street = demo.create_demo_cases(org)

    assert demo.demo_cases_exist(org)
    page = queries.case_page(counsellor, access.access_case(counsellor, first.pk))
    assert page.name == "Leon Krause" and len(page.entries) == 6
    assert any(e.corrected for e in page.entries)
    plan = access.access_plan(counsellor, page.plans[0].id)
    progress = queries.plan_page(counsellor, plan).goals[0].progress
    assert [p.rating for p in progress] == [3, 6]
    assert [r.case_reference for r in queries.due_reviews(counsellor)] == [first.reference]
    assert [i.text for i in queries.open_action_items(counsellor)] == [
        "Anfrage Schulbegleitung an das Jugendamt schicken"
    ]
    assert Template.objects.filter(organisation=org).count() == 4
    # Leadership attended the conference, but sees the case only in figures.
    assert not access.cases_visible_to(leader).exists()
    assert sum(row.open for row in queries.case_figures(leader)) == 2


def test_hafen_demo_gives_the_counsellor_case_files_to_open(db) -> None:
    from io import StringIO

    from django.core.management import call_command

    from hafen.accounts.models import User
    from hafen.cases import access
    from hafen.cases.models import Case

    out = StringIO()
    call_command("demo", stdout=out)

    assert "demo case files" in out.getvalue()
    counsellor = User.objects.get(username="fachkraft")
    visible = access.cases_visible_to(counsellor)
    assert visible.exists() and visible.count() == Case.objects.count()
    call_command("demo", stdout=StringIO())  # again: nothing new
    assert Case.objects.count() == visible.count()
