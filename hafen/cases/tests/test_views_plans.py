"""Help and support plans through the real HTTP stack: a plan made from a case, goals,
measures, reviews with ratings drawn as a chart, the client's agreement, versions,
templates, the PDF — and everybody who may not, refused without a trace of change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from hafen.cases import access, actions
from hafen.cases.models import (
    Disclosure,
    Goal,
    Measure,
    Plan,
    PlanKind,
    PlanStatus,
    ProgressRating,
    Responsible,
    Review,
    TemplateKind,
)
from hafen.cases.tests.conftest import open_case
from hafen.cases.tests.test_pdf import pdf_text
from hafen.cases.validation import format_date, today
from hafen.conftest import login_client
from hafen.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
DE = {"HTTP_ACCEPT_LANGUAGE": "de"}
TOKEN = "form-token-0001"


def _plan(user, case, **fields) -> Plan:
    fields.setdefault("kind", PlanKind.HELP_PLAN)
    fields.setdefault("title", "Hilfeplan Leon")
    made = actions.create_plan(user, case, **fields)
    return access.access_plan(user, made.pk)


@pytest.fixture
def plan(case, counsellor) -> Plan:
    made = _plan(counsellor, case, participants="Leon, Mutter", situation="Ausgangslage: Schule")
    actions.add_goal(
        counsellor,
        made,
        wording="Leon geht regelmäßig zur Schule.",
        indicator="Höchstens zwei Fehltage im Monat",
        target_on=today() + timedelta(days=90),
    )
    actions.add_goal(counsellor, made, wording="Leon hat einen Lernplatz.")
    return made


def _url(plan: Plan, part: str = "") -> str:
    return f"/faelle/plaene/{plan.pk}/{part}"


def _said(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


def _counts() -> tuple[int, ...]:
    return (
        Plan.objects.count(),
        Goal.objects.count(),
        Measure.objects.count(),
        Review.objects.count(),
        ProgressRating.objects.count(),
        Disclosure.objects.count(),
        Plan.objects.exclude(agreed_on=None).count(),
    )


# -- the counsellor's way through a plan --------------------------------------------------


def test_a_counsellor_makes_a_plan_from_the_case_page_with_goals_measures_and_a_review(
    case, counsellor, colleague
) -> None:
    jonas = login_client(counsellor)
    case_page = jonas.get(f"/faelle/{case.pk}/").content.decode()
    assert f"/faelle/plaene/neu/{case.pk}/" in case_page

    response = jonas.post(
        f"/faelle/plaene/neu/{case.pk}/",
        {
            "kind": PlanKind.SUPPORT_PLAN,
            "title": "Förderplan Leon",
            "situation": "Leon fehlt oft in der Schule.",
            "participants": "Leon, Mutter, Jugendamt",
            "form_token": TOKEN,
        },
    )
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == _url(plan)
    assert plan.kind == PlanKind.SUPPORT_PLAN and plan.case_id == case.pk
    assert b"Leon fehlt" not in bytes(plan.situation_sealed)  # sealed with the case's key

    jonas.post(
        _url(plan, "ziele/"),
        {
            "wording": "Regelmäßiger Schulbesuch",
            "indicator": "Höchstens zwei Fehltage",
            "target_on": (today() + timedelta(days=60)).isoformat(),
            "form_token": "goal-token-01",
        },
    )
    goal = Goal.objects.get(plan=plan)
    prefix = f"massnahme-{goal.pk}"
    for fields in (
        {"text": "Wecker stellen", "responsible": Responsible.CLIENT},
        {"text": "Wöchentliches Gespräch", "responsible": Responsible.STAFF, "staff": colleague.pk},
        {"text": "Hausaufgabenhilfe", "responsible": Responsible.PARTNER, "partner": "Jugendhaus"},
    ):
        posted = {f"{prefix}-{k}": v for k, v in fields.items()}
        posted[f"{prefix}-form_token"] = f"measure-{fields['responsible']}"
        assert jonas.post(_url(plan, f"ziele/{goal.pk}/massnahmen/"), posted).status_code == 302
    due = today() + timedelta(days=30)
    jonas.post(_url(plan, "ueberpruefungen/"), {"due_on": due.isoformat()})

    page = jonas.get(_url(plan), **EN).content.decode()
    for shown in (
        "Förderplan Leon",
        "Leon fehlt oft in der Schule.",
        "Regelmäßiger Schulbesuch",
        "Höchstens zwei Fehltage",
        "Wecker stellen",
        "Lena Vogt",
        "Jugendhaus",
        format_date(due),
    ):
        assert shown in page
    assert measure_responsibles(goal) == [
        Responsible.CLIENT,
        Responsible.STAFF,
        Responsible.PARTNER,
    ]
    assert Review.objects.get().due_on == due
    # Every page view is an audited read of the case, never with content.
    reads = AuditEntry.objects.filter(action="case.read", actor_id=counsellor.pk)
    assert reads.filter(details__part="plan").exists()


def measure_responsibles(goal: Goal) -> list[str]:
    return list(
        Measure.objects.filter(goal=goal).order_by("pk").values_list("responsible", flat=True)
    )


def test_a_measure_for_a_staff_member_or_partner_needs_the_name(plan, counsellor) -> None:
    goal = plan.goals.first()
    prefix = f"massnahme-{goal.pk}"
    jonas = login_client(counsellor)
    for fields, message in (
        ({"responsible": Responsible.STAFF}, "Please choose the staff member."),
        ({"responsible": Responsible.PARTNER}, "Please fill in: Partner."),
        ({"responsible": "boss"}, "Select a valid choice."),
    ):
        posted = {f"{prefix}-text": "Etwas tun", **{f"{prefix}-{k}": v for k, v in fields.items()}}
        response = jonas.post(_url(plan, f"ziele/{goal.pk}/massnahmen/"), posted, **EN)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not Measure.objects.exists()


def test_recording_a_review_rates_each_goal_and_the_page_draws_the_progress(
    plan, counsellor
) -> None:
    school, room = plan.goals.order_by("position")
    jonas = login_client(counsellor)
    first = actions.schedule_review(counsellor, plan, today())
    response = jonas.post(
        _url(plan, f"ueberpruefungen/{first.pk}/"),
        {
            "held_on": (today() - timedelta(days=20)).isoformat(),
            f"rating_{school.pk}": "3",
            f"comment_{school.pk}": "Noch viele Fehltage",
            f"rating_{room.pk}": "",  # not discussed: no rating
            "note": "Mutter war dabei.",
        },
    )
    assert response.status_code == 302
    second = actions.schedule_review(counsellor, plan, today() + timedelta(days=1))
    jonas.post(
        _url(plan, f"ueberpruefungen/{second.pk}/"),
        {"held_on": today().isoformat(), f"rating_{school.pk}": "7", f"rating_{room.pk}": "5"},
    )

    assert sorted(ProgressRating.objects.values_list("rating", flat=True)) == [3, 5, 7]
    page = jonas.get(_url(plan), **EN).content.decode()
    assert '<svg class="progress-chart"' in page
    assert 'role="img" aria-labelledby="progress-title progress-desc"' in page
    assert "<polyline" in page  # goal 1 has two ratings: a line
    assert "Goal 1, " in page and ": 7 of 10</title>" in page
    # The same figures as a table for screen readers: rows per review, a cell per goal.
    table = page[page.index('<table class="chart-table">') :]
    table = table[: table.index("</table>")]
    assert table.count("<tr>") == 3  # head and two reviews
    assert "<td>3</td>" in table and "<td>7</td><td>5</td>" in table
    assert "not rated" in table
    assert "Mutter war dabei." in page
    assert "Noch viele Fehltage" in page  # the comment beside its rating
    # Strict CSP: no inline styles anywhere on the page.
    assert "style=" not in page and "<style" not in page

    # A review is recorded once; a second try says so and changes nothing.
    again = jonas.post(
        _url(plan, f"ueberpruefungen/{first.pk}/"),
        {"held_on": today().isoformat(), f"rating_{school.pk}": "10"},
        follow=True,
        **EN,
    )
    assert "This review was recorded already." in _said(again)
    assert ProgressRating.objects.count() == 3


def test_a_rating_outside_the_scale_is_refused(plan, counsellor) -> None:
    school = plan.goals.first()
    review = actions.schedule_review(counsellor, plan, today())
    response = login_client(counsellor).post(
        _url(plan, f"ueberpruefungen/{review.pk}/"),
        {"held_on": today().isoformat(), f"rating_{school.pk}": "11"},
        **EN,
    )
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert Review.objects.get().held_on is None and not ProgressRating.objects.exists()


def test_the_agreement_freezes_the_version_and_a_new_version_keeps_the_old_one_readable(
    plan, counsellor
) -> None:
    jonas = login_client(counsellor)
    response = jonas.post(
        _url(plan, "zustimmung/"),
        {"agreed_on": today().isoformat(), "how": "signed", "note": "Im Hilfeplangespräch"},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.agreed_on == today() and plan.status == PlanStatus.ACTIVE

    page = jonas.get(_url(plan), **EN).content.decode()
    assert "Add a goal" not in page and "Im Hilfeplangespräch" in page
    refused = jonas.post(_url(plan, "ziele/"), {"wording": "Noch ein Ziel"}, **EN)
    assert refused.status_code == 400
    assert "please make a new version" in refused.content.decode()
    assert plan.goals.count() == 2
    # A measure form left open in another tab gets the same answer, beside the form.
    goal = plan.goals.first()
    stale = jonas.post(
        _url(plan, f"ziele/{goal.pk}/massnahmen/"),
        {f"massnahme-{goal.pk}-text": "Noch etwas", f"massnahme-{goal.pk}-responsible": "client"},
        **EN,
    )
    assert stale.status_code == 400
    assert "please make a new version" in stale.content.decode()
    assert not Measure.objects.exists()

    made = jonas.post(_url(plan, "neue-version/"))
    newer = Plan.objects.get(previous=plan)
    assert made["Location"] == _url(newer)
    assert [g.wording for g in newer.goals.all()] == [g.wording for g in plan.goals.all()]
    assert newer.situation == "Ausgangslage: Schule" and newer.version == 2
    # Asking twice (a double click) gives the same new version.
    assert jonas.post(_url(plan, "neue-version/"))["Location"] == _url(newer)
    assert Plan.objects.count() == 2

    old = jonas.get(_url(plan), **EN).content.decode()
    assert "This is an older version" in old and "Leon geht regelmäßig zur Schule." in old
    assert f'href="{_url(newer)}"' in old and "Add a goal" not in old
    current = jonas.get(_url(newer), **EN).content.decode()
    assert 'aria-current="page"' in current and f'href="{_url(plan)}"' in current
    assert "Add a goal" in current


def test_title_starting_point_and_participants_are_changed_until_the_client_agrees(
    plan, counsellor
) -> None:
    jonas = login_client(counsellor)
    form = jonas.get(_url(plan, "bearbeiten/")).content.decode()
    assert "Ausgangslage: Schule</textarea>" in form and 'value="Hilfeplan Leon"' in form
    fields = {"title": "Hilfeplan Leon K.", "situation": "Neu", "participants": "Leon"}
    assert jonas.post(_url(plan, "bearbeiten/"), fields).status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.situation, plan.participants) == ("Hilfeplan Leon K.", "Neu", "Leon")
    same = jonas.post(_url(plan, "bearbeiten/"), fields, follow=True, **EN)
    assert "Nothing changed." in _said(same)
    empty = jonas.post(_url(plan, "bearbeiten/"), {"title": " "}, **EN)
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()

    actions.record_agreement(counsellor, plan, agreed_on=today(), how="oral")
    late = jonas.post(_url(plan, "bearbeiten/"), {"title": "Zu spät"}, follow=True, **EN)
    assert "please make a new version" in _said(late)
    plan.refresh_from_db()
    assert plan.title == "Hilfeplan Leon K."


def test_completing_a_plan_and_hostile_status_values(plan, counsellor) -> None:
    jonas = login_client(counsellor)
    said = _said(jonas.post(_url(plan, "status/"), {"status": "superseded"}, follow=True, **EN))
    assert "This status cannot be set by hand." in said
    said = _said(jonas.post(_url(plan, "status/"), {"status": "<x>"}, follow=True, **EN))
    assert "Please choose a valid value" in said
    jonas.post(_url(plan, "status/"), {"status": "completed"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED
    assert "Add a goal" not in jonas.get(_url(plan), **EN).content.decode()


# -- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (EN, "Review date cannot be in the past"),
        (DE, "Überprüfungstermin darf nicht in der Vergangenheit liegen"),
    ],
)
def test_a_review_date_in_the_past_is_refused_in_the_users_language(
    plan, counsellor, language, message
) -> None:
    response = login_client(counsellor).post(
        _url(plan, "ueberpruefungen/"),
        {"due_on": (today() - timedelta(days=1)).isoformat()},
        **language,
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'id="id_due_on_error"' in page and 'aria-invalid="true"' in page
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    ("language", "messages"),
    [
        (
            EN,
            (
                "Agreed on cannot be before the day the plan was made",
                "Held on cannot be before the opening of the case file",
                "Target date cannot be in the past",
                "Held on cannot be in the future",
            ),
        ),
        (
            DE,
            (
                "Zugestimmt am darf nicht vor dem Tag, an dem der Plan angelegt wurde liegen",
                "Durchgeführt am darf nicht vor der Eröffnung der Fallakte liegen",
                "Zieldatum darf nicht in der Vergangenheit liegen",
                "Durchgeführt am darf nicht in der Zukunft liegen",
            ),
        ),
    ],
)
def test_dates_in_the_wrong_order_are_refused_in_the_users_language(
    plan, counsellor, language, messages
) -> None:
    jonas = login_client(counsellor)
    review = actions.schedule_review(counsellor, plan, today())
    before = _counts()
    answers = [
        jonas.post(
            _url(plan, "zustimmung/"),
            {"agreed_on": (today() - timedelta(days=5)).isoformat(), "how": "oral"},
            **language,
        ),
        jonas.post(
            _url(plan, f"ueberpruefungen/{review.pk}/"),
            {"held_on": (plan.case.opened_on - timedelta(days=1)).isoformat()},
            **language,
        ),
        jonas.post(
            _url(plan, "ziele/"),
            {"wording": "Ziel", "target_on": (today() - timedelta(days=1)).isoformat()},
            **language,
        ),
        jonas.post(
            _url(plan, f"ueberpruefungen/{review.pk}/"),
            {"held_on": (today() + timedelta(days=1)).isoformat()},
            **language,
        ),
    ]
    for response, message in zip(answers, messages, strict=True):
        assert response.status_code == 400
        assert message in response.content.decode(), message
    assert _counts() == before
    assert Review.objects.get().held_on is None


# -- templates -----------------------------------------------------------------------------


def test_a_plan_template_prefills_the_starting_point(case, counsellor, admin_user, outsider):
    template = actions.create_template(
        admin_user, kind=TemplateKind.PLAN, title="Hilfeplan §36", body="Ausgangslage:\n\nSicht:"
    )
    entry_template = actions.create_template(
        admin_user, kind=TemplateKind.ENTRY, title="Notiz", body="Nur für Einträge"
    )
    jonas = login_client(counsellor)
    form = jonas.get(f"/faelle/plaene/neu/{case.pk}/", **EN).content.decode()
    assert f'href="?vorlage={template.pk}"' in form and "Hilfeplan §36" in form
    assert "Nur für Einträge" not in form

    filled = jonas.get(f"/faelle/plaene/neu/{case.pk}/?vorlage={template.pk}", **EN)
    assert filled.status_code == 200
    assert "Ausgangslage:\n\nSicht:</textarea>" in filled.content.decode()

    for hostile in (entry_template.pk, "abc", "99999999999999999999999", "-1"):
        response = jonas.get(f"/faelle/plaene/neu/{case.pk}/?vorlage={hostile}", **EN)
        assert response.status_code == 200
        assert "This template does not exist (any more)." in _said(response)
        assert "Nur für Einträge" not in response.content.decode()


# -- the PDF -------------------------------------------------------------------------------


def test_the_pdf_export_is_recorded_before_the_file_leaves(plan, counsellor) -> None:
    goal = plan.goals.first()
    actions.add_measure(counsellor, goal, text="Wecker stellen", responsible=Responsible.CLIENT)
    response = login_client(counsellor).post(_url(plan, "pdf/"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert plan.case.reference in response["Content-Disposition"]
    assert "Leon" not in response["Content-Disposition"]
    printed = pdf_text(response.content)
    for shown in (
        plan.case.reference,
        "Leon geht regelmäßig zur Schule.",
        "Höchstens zwei Fehltage im Monat",
        "Wecker stellen",
        "Leon, Mutter",
    ):
        assert shown in printed, shown
    assert "Leon Krause" not in printed  # the file number, never the client's name
    disclosure = Disclosure.objects.get()
    assert disclosure.case_id == plan.case_id and disclosure.by_id == counsellor.pk
    assert not disclosure.includes_restricted
    assert AuditEntry.objects.filter(action="case.disclosed", actor_id=counsellor.pk).exists()
    # Only by POST: a link or a prefetch cannot make an export.
    assert login_client(counsellor).get(_url(plan, "pdf/")).status_code == 405


# -- hostile input -------------------------------------------------------------------------


def test_html_and_script_in_every_text_field_is_shown_as_text(case, counsellor) -> None:
    script = '<script>alert("x")</script><b>fett</b>'
    jonas = login_client(counsellor)
    jonas.post(
        f"/faelle/plaene/neu/{case.pk}/",
        {"kind": "help_plan", "title": script, "situation": script, "participants": script},
    )
    plan = Plan.objects.get()
    jonas.post(_url(plan, "ziele/"), {"wording": script, "indicator": script})
    goal = plan.goals.get()
    prefix = f"massnahme-{goal.pk}"
    jonas.post(
        _url(plan, f"ziele/{goal.pk}/massnahmen/"),
        {f"{prefix}-text": script, f"{prefix}-responsible": "partner", f"{prefix}-partner": script},
    )
    assert Measure.objects.count() == 1
    page = jonas.get(_url(plan)).content.decode()
    assert "<script>alert" not in page and "<b>fett</b>" not in page
    assert page.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") >= 6


def test_a_huge_text_gets_a_clear_message_and_changes_nothing(plan, counsellor) -> None:
    response = login_client(counsellor).post(_url(plan, "ziele/"), {"wording": "x" * 100_000}, **EN)
    assert response.status_code == 400
    assert "at most 2000 characters" in response.content.decode()
    assert plan.goals.count() == 2


def test_a_form_posted_twice_creates_once(case, counsellor) -> None:
    jonas = login_client(counsellor)
    fields = {"kind": "help_plan", "title": "Plan", "form_token": TOKEN}
    first = jonas.post(f"/faelle/plaene/neu/{case.pk}/", fields)
    second = jonas.post(f"/faelle/plaene/neu/{case.pk}/", fields)
    assert first["Location"] == second["Location"]
    plan = Plan.objects.get()
    goal = {"wording": "Ziel", "form_token": "goal-token-xyz"}
    jonas.post(_url(plan, "ziele/"), goal)
    jonas.post(_url(plan, "ziele/"), goal)
    assert plan.goals.count() == 1
    # A token that is not one of ours is a clear message, not a 500.
    bad = jonas.post(_url(plan, "ziele/"), {"wording": "Ziel", "form_token": "§§§"}, **EN)
    assert bad.status_code == 400
    assert "Please reload the page" in bad.content.decode()


def test_ids_that_are_not_ours_or_not_ids_are_not_found(plan, counsellor, case) -> None:
    other_plan = _plan(counsellor, open_case(counsellor, case.team, pseudonym="Mia"))
    other_goal = actions.add_goal(counsellor, other_plan, wording="Fremdes Ziel")
    jonas = login_client(counsellor)
    assert jonas.get("/faelle/plaene/99999999999999999999999/").status_code == 404
    assert jonas.get("/faelle/plaene/0/").status_code == 404
    # A goal of another plan under this plan's address.
    response = jonas.post(
        _url(plan, f"ziele/{other_goal.pk}/massnahmen/"),
        {
            f"massnahme-{other_goal.pk}-text": "x",
            f"massnahme-{other_goal.pk}-responsible": "client",
        },
    )
    assert response.status_code == 404
    review = actions.schedule_review(counsellor, other_plan, today())
    assert jonas.get(_url(plan, f"ueberpruefungen/{review.pk}/")).status_code == 404
    assert not Measure.objects.exists()


# -- who may -------------------------------------------------------------------------------


def _every_door(client: Client, plan: Plan, case_id: int) -> list[int]:
    goal = plan.goals.first()
    review = plan.reviews.first()
    today_ = today().isoformat()
    return [
        client.get(_url(plan)).status_code,
        client.get(f"/faelle/plaene/neu/{case_id}/").status_code,
        client.post(
            f"/faelle/plaene/neu/{case_id}/", {"kind": "help_plan", "title": "X"}
        ).status_code,
        client.get(_url(plan, "bearbeiten/")).status_code,
        client.post(_url(plan, "bearbeiten/"), {"title": "Übernommen"}).status_code,
        client.post(_url(plan, "ziele/"), {"wording": "Fremdes Ziel"}).status_code,
        client.post(
            _url(plan, f"ziele/{goal.pk}/massnahmen/"),
            {f"massnahme-{goal.pk}-text": "x", f"massnahme-{goal.pk}-responsible": "client"},
        ).status_code,
        client.post(_url(plan, "ueberpruefungen/"), {"due_on": today_}).status_code,
        client.post(
            _url(plan, f"ueberpruefungen/{review.pk}/"),
            {"held_on": today_, f"rating_{goal.pk}": "1"},
        ).status_code,
        client.post(_url(plan, "zustimmung/"), {"agreed_on": today_, "how": "oral"}).status_code,
        client.post(_url(plan, "status/"), {"status": "completed"}).status_code,
        client.post(_url(plan, "neue-version/")).status_code,
        client.post(_url(plan, "pdf/")).status_code,
    ]


def test_another_teams_counsellor_leadership_and_the_dpo_find_nothing_and_change_nothing(
    plan, counsellor, other_team, leader, dpo, outsider
) -> None:
    actions.schedule_review(counsellor, plan, today() + timedelta(days=7))
    before = _counts()
    title_before = bytes(plan.title_sealed)
    for person in (other_team, leader, dpo, outsider):
        assert set(_every_door(login_client(person), plan, plan.case_id)) == {404}, person
        assert not AuditEntry.objects.filter(action="case.read", actor_id=person.pk).exists()
    assert _counts() == before
    plan.refresh_from_db()
    assert bytes(plan.title_sealed) == title_before


def test_a_volunteer_reads_only_if_the_organisation_allows_and_never_writes(
    counsellor, volunteer, street_case, leader
) -> None:
    plan = _plan(counsellor, street_case)
    actions.add_goal(counsellor, plan, wording="Schlafplatz finden")
    actions.schedule_review(counsellor, plan, today() + timedelta(days=7))
    aylin = login_client(volunteer)
    assert aylin.get(_url(plan)).status_code == 404

    actions.set_case_settings(leader, volunteers_see_cases=True)
    before = _counts()
    doors = _every_door(aylin, plan, street_case.pk)
    assert doors[0] == 200  # reads the plan
    assert set(doors[1:-1]) == {403}  # but writes nothing
    assert doors[-1] == 200  # the PDF is a read, and recorded as a disclosure
    after = _counts()
    assert after[:5] + after[6:] == before[:5] + before[6:]
    page = aylin.get(_url(plan), **EN).content.decode()
    assert (
        "Schlafplatz finden" in page and "Add a goal" not in page and "Record agreement" not in page
    )


def test_break_glass_opens_another_teams_plan_for_a_while(plan, counsellor, other_team) -> None:
    kai = login_client(other_team)
    assert kai.get(_url(plan)).status_code == 404
    actions.break_glass_case(other_team, plan.case.reference, "Vertretung bei Krisenanruf von Leon")
    assert kai.get(_url(plan)).status_code == 200
    assert (
        kai.post(_url(plan, "ueberpruefungen/"), {"due_on": today().isoformat()}).status_code == 302
    )
    read = AuditEntry.objects.filter(action="case.read", actor_id=other_team.pk).last()
    assert read is not None and read.details["via"] == "break_glass"


# -- cost ----------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_plan_page_costs_the_same_queries_however_many_goals_and_reviews(
    plan, counsellor, colleague
) -> None:
    first = plan.goals.first()
    actions.add_measure(counsellor, first, text="Wecker", responsible=Responsible.CLIENT)
    held = actions.schedule_review(counsellor, plan, today())
    actions.record_review(counsellor, held, held_on=today(), ratings={first.pk: 2})
    actions.schedule_review(counsellor, plan, today() + timedelta(days=9))
    jonas = login_client(counsellor)
    jonas.get(_url(plan))  # warm the session and caches
    small = _queries(jonas, _url(plan))
    for number in range(6):
        goal = actions.add_goal(counsellor, plan, wording=f"Ziel {number}")
        actions.add_measure(
            counsellor, goal, text="Gespräch", responsible=Responsible.STAFF, staff=colleague
        )
        review = actions.schedule_review(counsellor, plan, today() + timedelta(days=number))
        if number < 3:
            actions.record_review(
                counsellor, review, held_on=today() - timedelta(days=number), ratings={goal.pk: 5}
            )
    assert _queries(jonas, _url(plan)) == small


def test_an_erased_case_shows_its_plan_as_unreadable_and_takes_nothing_new(
    plan, counsellor
) -> None:
    from hafen.privacy import crypto

    review = actions.schedule_review(counsellor, plan, today())
    crypto.shred(plan.case.data_key)
    jonas = login_client(counsellor)
    page = jonas.get(_url(plan), **EN)
    assert page.status_code == 200
    text = page.content.decode()
    assert "(not readable)" in text and "has been erased" in text
    assert "Add a goal" not in text and "Download as PDF" not in text
    record = jonas.get(_url(plan, f"ueberpruefungen/{review.pk}/"), follow=True, **EN)
    assert "no review can be recorded" in _said(record)
    export = jonas.post(_url(plan, "pdf/"), follow=True, **EN)
    assert "nothing can be added" in _said(export)
    assert not Disclosure.objects.exists()
