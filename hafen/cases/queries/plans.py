"""A plan with its goals, measures, reviews and the progress of every goal over time."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch

from hafen.accounts.models import User
from hafen.cases import access
from hafen.cases.models import (
    LIVE_PLAN_STATES,
    Goal,
    Measure,
    Plan,
    ProgressRating,
    Review,
    Template,
)
from hafen.cases.queries._common import open_optional, open_sealed


@dataclass(frozen=True)
class MeasureView:
    id: int
    text: str | None
    responsible: str
    staff: User | None
    partner: str | None


@dataclass(frozen=True)
class ProgressPoint:
    held_on: date
    rating: int
    comment: str | None


@dataclass(frozen=True)
class GoalView:
    id: int
    wording: str | None
    indicator: str | None
    target_on: date | None
    measures: list[MeasureView]
    # Ratings over time, oldest first, including those of earlier plan versions.
    progress: list[ProgressPoint]


@dataclass(frozen=True)
class ReviewView:
    id: int
    due_on: date
    held_on: date | None
    note: str | None
    ratings: dict[int, int]  # goal id -> rating


@dataclass(frozen=True)
class PlanPage:
    plan: Plan
    rights: access.CaseRights
    shredded: bool
    title: str | None
    participants: str | None
    situation: str | None
    agreement_note: str | None
    goals: list[GoalView]
    reviews: list[ReviewView]
    versions: list[Plan]  # every version of this plan, oldest first
    editable: bool


def plan_page(user: User, plan: Plan) -> PlanPage:
    """A plan with goals, measures, reviews and the progress of every goal; audited."""
    case = plan.case
    rights = access.case_rights(user, case)
    access.require(rights, write=False)
    access.record_case_read(user, case, part="plan", via=rights.via)
    shredded = case.data_key.is_shredded
    plan.case = case
    all_plans = {p.pk: p for p in Plan.objects.filter(case=case)}
    goals_of_case = {
        g.pk: g
        for g in Goal.objects.filter(plan__case=case).prefetch_related(
            Prefetch("measures", queryset=Measure.objects.select_related("staff").order_by("pk"))
        )
    }
    for goal in goals_of_case.values():
        goal.plan = all_plans[goal.plan_id]
        goal.plan.case = case
        for measure in goal.measures.all():
            measure.goal = goal
    ratings: dict[int, list[ProgressRating]] = defaultdict(list)
    for rating in (
        ProgressRating.objects.filter(goal__plan__case=case, review__held_on__isnull=False)
        .select_related("review")
        .order_by("review__held_on", "review_id")
    ):
        rating.goal = goals_of_case[rating.goal_id]
        ratings[rating.goal_id].append(rating)
    goals = sorted(
        (g for g in goals_of_case.values() if g.plan_id == plan.pk),
        key=lambda g: (g.position, g.pk),
    )
    reviews = list(
        Review.objects.filter(plan=plan).prefetch_related("ratings").order_by("due_on", "pk")
    )
    for review in reviews:
        review.plan = plan
    return PlanPage(
        plan=plan,
        rights=rights,
        shredded=shredded,
        title=open_sealed(plan, "title", shredded),
        participants=open_optional(plan, "participants", shredded),
        situation=open_optional(plan, "situation", shredded),
        agreement_note=open_optional(plan, "agreement_note", shredded),
        goals=[_goal_view(goal, goals_of_case, ratings, shredded) for goal in goals],
        reviews=[
            ReviewView(
                r.pk,
                r.due_on,
                r.held_on,
                open_optional(r, "note", shredded),
                {rating.goal_id: rating.rating for rating in r.ratings.all()},
            )
            for r in reviews
        ],
        versions=_versions(plan, all_plans),
        editable=rights.write
        and plan.status in LIVE_PLAN_STATES
        and plan.agreed_on is None
        and not shredded,
    )


def _goal_view(
    goal: Goal,
    goals: dict[int, Goal],
    ratings: dict[int, list[ProgressRating]],
    shredded: bool,
) -> GoalView:
    lineage: list[int] = []
    current: Goal | None = goal
    while current is not None and current.pk not in lineage:
        lineage.append(current.pk)
        current = goals.get(current.copied_from_id) if current.copied_from_id else None
    points = [
        ProgressPoint(
            rating.review.held_on,  # type: ignore[arg-type]
            rating.rating,
            open_optional(rating, "comment", shredded),
        )
        for goal_id in reversed(lineage)
        for rating in ratings.get(goal_id, [])
    ]
    return GoalView(
        id=goal.pk,
        wording=open_sealed(goal, "wording", shredded),
        indicator=open_optional(goal, "indicator", shredded),
        target_on=goal.target_on,
        measures=[
            MeasureView(
                m.pk,
                open_sealed(m, "text", shredded),
                m.responsible,
                m.staff,
                open_optional(m, "partner", shredded),
            )
            for m in goal.measures.all()
        ],
        progress=points,
    )


def _versions(plan: Plan, plans: dict[int, Plan]) -> list[Plan]:
    """The chain of versions this plan belongs to, oldest first."""
    following = {p.previous_id: p for p in plans.values() if p.previous_id}
    first = plan
    seen = {plan.pk}
    while first.previous_id and first.previous_id in plans and first.previous_id not in seen:
        first = plans[first.previous_id]
        seen.add(first.pk)
    chain = [first]
    while chain[-1].pk in following and len(chain) <= len(plans):
        chain.append(following[chain[-1].pk])
    return chain


def offered_templates(user: User, kind: str) -> list[Template]:
    """The organisation's templates of ``kind`` that a form can start from (no content)."""
    if user.organisation_id is None:
        return []
    return list(
        Template.objects.filter(organisation_id=user.organisation_id, kind=kind, is_active=True)
        .only("pk", "title")
        .order_by("title")
    )
