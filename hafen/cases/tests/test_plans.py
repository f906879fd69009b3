"""Help and support plans: goals, measures, reviews with progress over time, the client's
agreement, versions that keep the old one, and dates that must be in order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from hafen.cases import access, actions, queries
from hafen.cases.models import (
    AgreementWay,
    Goal,
    Measure,
    Plan,
    PlanKind,
    PlanStatus,
    ProgressRating,
    Responsible,
    Review,
)
from hafen.cases.validation import today
from hafen.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(case, counsellor) -> Plan:
    made = actions.create_plan(
        counsellor,
        case,
        kind=PlanKind.HELP_PLAN,
        title="Hilfeplan Leon",
        participants="Leon, Mutter, Jugendamt",
    )
    return access.access_plan(counsellor, made.pk)


@pytest.fixture
def goals(plan, counsellor) -> list[Goal]:
    school = actions.add_goal(
        counsellor,
        plan,
        wording="Leon geht regelmäßig zur Schule.",
        indicator="Höchstens zwei Fehltage im Monat",
        target_on=today() + timedelta(days=90),
    )
    room = actions.add_goal(counsellor, plan, wording="Leon hat einen Lernplatz.")
    return [school, room]


def test_a_plan_with_goals_and_measures_reads_back_decrypted(
    plan, goals, counsellor, colleague
) -> None:
    actions.add_measure(
        counsellor,
        goals[0],
        text="Wöchentliches Gespräch",
        responsible=Responsible.STAFF,
        staff=colleague,
    )
    actions.add_measure(
        counsellor,
        goals[1],
        text="Hausaufgabenhilfe",
        responsible=Responsible.PARTNER,
        partner="Jugendhaus Nord",
    )
    actions.add_measure(counsellor, goals[1], text="Führt ein Heft", responsible=Responsible.CLIENT)

    page = queries.plan_page(colleague, plan)

    assert page.title == "Hilfeplan Leon" and page.participants == "Leon, Mutter, Jugendamt"
    assert [g.wording for g in page.goals] == [
        "Leon geht regelmäßig zur Schule.",
        "Leon hat einen Lernplatz.",
    ]
    assert page.goals[0].indicator == "Höchstens zwei Fehltage im Monat"
    assert [(m.text, m.responsible, m.staff) for m in page.goals[0].measures] == [
        ("Wöchentliches Gespräch", Responsible.STAFF, colleague)
    ]
    assert [(m.responsible, m.partner) for m in page.goals[1].measures] == [
        (Responsible.PARTNER, "Jugendhaus Nord"),
        (Responsible.CLIENT, ""),
    ]
    assert page.editable
    assert AuditEntry.objects.filter(
        action="case.read", actor_id=colleague.pk, details__part="plan"
    ).exists()
    assert b"Lernplatz" not in bytes(Goal.objects.get(pk=goals[1].pk).wording_sealed)


def test_measures_need_their_responsible_person(goals, counsellor) -> None:
    with pytest.raises(ValidationError, match="choose the staff member"):
        actions.add_measure(counsellor, goals[0], text="Gespräch", responsible=Responsible.STAFF)
    with pytest.raises(ValidationError, match="Partner"):
        actions.add_measure(counsellor, goals[0], text="Kurs", responsible=Responsible.PARTNER)
    with pytest.raises(ValidationError, match="valid value"):
        actions.add_measure(counsellor, goals[0], text="Kurs", responsible="everybody")
    assert not Measure.objects.exists()


def test_a_review_date_in_the_past_is_refused(plan, counsellor) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.schedule_review(counsellor, plan, today() - timedelta(days=1))

    assert "Review date cannot be in the past" in refused.value.messages[0]
    assert not Review.objects.exists()


def test_the_same_review_date_twice_is_one_review(plan, counsellor) -> None:
    day = today() + timedelta(days=30)

    first = actions.schedule_review(counsellor, plan, day)
    second = actions.schedule_review(counsellor, plan, day)

    assert first.pk == second.pk and Review.objects.count() == 1


def test_a_goal_target_in_the_past_is_refused(plan, counsellor) -> None:
    with pytest.raises(ValidationError, match="Target date cannot be in the past"):
        actions.add_goal(counsellor, plan, wording="Ziel", target_on=today() - timedelta(days=1))
    assert not Goal.objects.exists()


def test_ratings_at_each_review_make_a_line_over_time(plan, goals, counsellor) -> None:
    school, room = goals
    first = actions.schedule_review(counsellor, plan, today() + timedelta(days=10))
    second = actions.schedule_review(counsellor, plan, today() + timedelta(days=40))

    actions.record_review(
        counsellor,
        first,
        held_on=today() - timedelta(days=20),
        ratings={school.pk: (3, "Noch viele Fehltage"), room.pk: 2},
        note="Mutter war dabei.",
    )
    actions.record_review(counsellor, second, held_on=today(), ratings={school.pk: 7})

    page = queries.plan_page(counsellor, plan)
    by_goal = {g.id: g for g in page.goals}
    assert [(p.held_on, p.rating, p.comment) for p in by_goal[school.pk].progress] == [
        (today() - timedelta(days=20), 3, "Noch viele Fehltage"),
        (today(), 7, ""),
    ]
    assert [p.rating for p in by_goal[room.pk].progress] == [2]
    assert [r.note for r in page.reviews] == ["Mutter war dabei.", ""]
    assert page.reviews[0].ratings == {school.pk: 3, room.pk: 2}


@pytest.mark.parametrize(
    ("held_on", "ratings", "message"),
    [
        ("tomorrow", {}, "Held on cannot be in the future."),
        ("before_case", {}, "Held on cannot be before the opening of the case file"),
        ("today", {"school": 11}, "A rating is a whole number from 0 to 10."),
        ("today", {"school": -1}, "A rating is a whole number from 0 to 10."),
        ("today", {"school": "7"}, "A rating is a whole number from 0 to 10."),
        ("today", {"school": True}, "A rating is a whole number from 0 to 10."),
        ("today", {"other": 5}, "A rating is for a goal of this plan only."),
    ],
)
def test_a_bad_review_record_changes_nothing(
    case, plan, goals, counsellor, held_on, ratings, message
) -> None:
    review = actions.schedule_review(counsellor, plan, today() + timedelta(days=3))
    other_plan = actions.create_plan(counsellor, case, kind=PlanKind.SUPPORT_PLAN, title="F")
    foreign = actions.add_goal(counsellor, other_plan, wording="Anderes Ziel")
    day = {
        "tomorrow": today() + timedelta(days=1),
        "before_case": case.opened_on - timedelta(days=1),
        "today": today(),
    }[held_on]
    ids = {"school": goals[0].pk, "other": foreign.pk}

    with pytest.raises(ValidationError) as refused:
        actions.record_review(
            counsellor,
            review,
            held_on=day,
            ratings={ids[key]: value for key, value in ratings.items()},
        )

    assert message in refused.value.messages[0]
    assert Review.objects.get(pk=review.pk).held_on is None
    assert not ProgressRating.objects.exists()


def test_a_review_is_recorded_once(plan, goals, counsellor) -> None:
    review = actions.schedule_review(counsellor, plan, today() + timedelta(days=3))
    actions.record_review(counsellor, review, held_on=today(), ratings={goals[0].pk: 5})

    with pytest.raises(ValidationError, match="recorded already"):
        actions.record_review(counsellor, review, held_on=today(), ratings={goals[0].pk: 9})

    assert list(ProgressRating.objects.values_list("rating", flat=True)) == [5]


def test_the_agreement_freezes_the_version_and_a_new_version_copies_the_goals(
    plan, goals, counsellor
) -> None:
    actions.add_measure(counsellor, goals[0], text="Gespräch", responsible=Responsible.CLIENT)
    held = actions.schedule_review(counsellor, plan, today() + timedelta(days=5))
    pending = actions.schedule_review(counsellor, plan, today() + timedelta(days=60))
    actions.record_agreement(
        counsellor, plan, agreed_on=today(), how=AgreementWay.SIGNED, note="Unterschrieben"
    )
    actions.record_review(counsellor, held, held_on=today(), ratings={goals[0].pk: 4})

    with pytest.raises(ValidationError, match="make a new version"):
        actions.add_goal(counsellor, plan, wording="Noch ein Ziel")
    with pytest.raises(ValidationError, match="recorded already"):
        actions.record_agreement(counsellor, plan, agreed_on=today(), how=AgreementWay.ORAL)

    second = actions.new_plan_version(counsellor, plan)
    again = actions.new_plan_version(counsellor, plan)

    assert again.pk == second.pk
    old = Plan.objects.get(pk=plan.pk)
    assert old.status == PlanStatus.SUPERSEDED and old.agreed_how == AgreementWay.SIGNED
    assert (second.version, second.previous_id, second.status) == (2, plan.pk, PlanStatus.DRAFT)
    page = queries.plan_page(counsellor, access.access_plan(counsellor, second.pk))
    assert page.title == "Hilfeplan Leon" and page.editable
    assert [g.wording for g in page.goals] == [
        "Leon geht regelmäßig zur Schule.",
        "Leon hat einen Lernplatz.",
    ]
    assert [m.text for m in page.goals[0].measures] == ["Gespräch"]
    # The line of ratings goes on across versions.
    assert [p.rating for p in page.goals[0].progress] == [4]
    assert [p.pk for p in page.versions] == [plan.pk, second.pk]
    # The pending review moved to the version in force; the held one stayed.
    assert Review.objects.get(pk=pending.pk).plan_id == second.pk
    assert Review.objects.get(pk=held.pk).plan_id == plan.pk
    with pytest.raises(ValidationError, match="replaced"):
        actions.add_goal(counsellor, old, wording="Ins alte Ziel")
    actions.add_goal(counsellor, second, wording="Leon macht ein Praktikum.")


def test_an_agreement_cannot_be_in_the_future_or_before_the_plan(plan, counsellor) -> None:
    for day in (today() + timedelta(days=1), today() - timedelta(days=1)):
        with pytest.raises(ValidationError):
            actions.record_agreement(counsellor, plan, agreed_on=day, how=AgreementWay.ORAL)
    with pytest.raises(ValidationError, match="valid value"):
        actions.record_agreement(counsellor, plan, agreed_on=today(), how="handshake")
    assert Plan.objects.get(pk=plan.pk).agreed_on is None


def test_outsiders_cannot_touch_a_plan(plan, goals, other_team, volunteer, leader) -> None:
    for person in (other_team, volunteer, leader):
        with pytest.raises(Http404):
            access.access_plan(person, plan.pk)
        with pytest.raises(Http404):
            queries.plan_page(person, plan)
        with pytest.raises(Http404):
            actions.add_goal(person, plan, wording="Fremdes Ziel")
        with pytest.raises(Http404):
            actions.schedule_review(person, plan, today() + timedelta(days=3))
    assert Goal.objects.count() == 2


def test_a_volunteer_allowed_to_read_cannot_change_a_plan(
    street_case, counsellor, volunteer, leader
) -> None:
    actions.set_case_settings(leader, volunteers_see_cases=True)
    made = actions.create_plan(counsellor, street_case, kind=PlanKind.SUPPORT_PLAN, title="F")

    assert queries.plan_page(volunteer, made).title == "F"
    with pytest.raises(PermissionDenied):
        actions.add_goal(volunteer, made, wording="Ziel")


def test_only_live_plans_change_status_by_hand(plan, counsellor) -> None:
    assert actions.set_plan_status(counsellor, plan, PlanStatus.ACTIVE)
    with pytest.raises(ValidationError):
        actions.set_plan_status(counsellor, plan, PlanStatus.SUPERSEDED)
    assert actions.set_plan_status(counsellor, plan, PlanStatus.COMPLETED)
    with pytest.raises(ValidationError):
        actions.set_plan_status(counsellor, plan, PlanStatus.ACTIVE)


def test_plan_texts_are_checked_like_every_text(plan, counsellor) -> None:
    with pytest.raises(ValidationError, match="Goal is too long"):
        actions.add_goal(counsellor, plan, wording="z" * 2001)
    with pytest.raises(ValidationError, match="Please fill in: Goal"):
        actions.add_goal(counsellor, plan, wording="\u202e\x00 ")
    goal = actions.add_goal(counsellor, plan, wording="<b>Ziel</b>\r\nZeile\x07")

    page = queries.plan_page(counsellor, plan)

    assert [g.wording for g in page.goals] == ["<b>Ziel</b>\nZeile"]
    assert Goal.objects.get().pk == goal.pk
