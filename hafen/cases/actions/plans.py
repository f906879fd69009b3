"""Writes to help and support plans: goals, measures, reviews, ratings, agreement, versions.

A plan that the client agreed to is not changed any more: ``new_plan_version``
copies its goals and measures into a new draft that can be changed and agreed anew.
The old version stays as it was, marked "replaced".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hafen.accounts.models import User
from hafen.cases.actions._common import KEEP, Keep, once, require_case, staff_of
from hafen.cases.models import (
    LIVE_PLAN_STATES,
    MAX_GOAL_CHARS,
    MAX_PLAN_TEXT_CHARS,
    MAX_TITLE_CHARS,
    RATING_MAX,
    RATING_MIN,
    AgreementWay,
    Case,
    Goal,
    Measure,
    Plan,
    PlanKind,
    PlanStatus,
    ProgressRating,
    Responsible,
    Review,
)
from hafen.cases.validation import (
    choice,
    clean_line,
    clean_text,
    format_date,
    not_before,
    not_in_future,
    not_in_past,
    require_date,
)
from hafen.privacy import audit

MAX_GOALS = 50
MAX_PARTNER_CHARS = 200


def _audit(action: str, user: User, case: Case, **details: int | str | bool | None) -> None:
    audit.record(action, actor=user, target=case, organisation_id=case.organisation_id, **details)


def _lock(plan: Plan) -> Plan:
    locked = (
        Plan.objects.select_for_update(of=("self",))
        .select_related("case__data_key", "case__team__facility")
        .get(pk=plan.pk)
    )
    return locked


def _live(plan: Plan) -> None:
    if plan.status not in LIVE_PLAN_STATES:
        raise ValidationError(
            _("This plan is closed or replaced by a newer version; it cannot be changed."),
            code="closed",
        )


def _editable(plan: Plan) -> None:
    _live(plan)
    if plan.agreed_on is not None:
        raise ValidationError(
            _(
                "The client has agreed to this version of the plan. To change it, please "
                "make a new version."
            ),
            code="agreed",
        )


def create_plan(
    user: User,
    case: Case,
    *,
    kind: str,
    title: str,
    participants: str = "",
    situation: str = "",
    form_token: str = "",
) -> Plan:
    require_case(user, case, write=True)
    kind = choice(kind, PlanKind, label=_("Kind"))
    title = clean_line(title, label=_("Title"), limit=MAX_TITLE_CHARS)
    participants = _optional(participants, _("Participants"))
    situation = _optional(situation, _("Starting point"))

    @transaction.atomic
    def create() -> Plan:
        plan = Plan(case=case, kind=kind, created_by=user)
        plan.title = title
        plan.agreement_note_sealed = None
        _seal_optional(plan, "participants", participants)
        _seal_optional(plan, "situation", situation)
        plan.save(force_insert=True)
        _audit("case.plan_created", user, case, plan=plan.pk, kind=kind)
        return plan

    return once(user, form_token, Plan, create)


def _optional(text: str, label: str) -> str:
    return clean_text(text, label=label, limit=MAX_PLAN_TEXT_CHARS, required=False)


def _seal_optional(plan: Plan, field: str, text: str) -> None:
    if text:
        setattr(plan, field, text)
    else:
        setattr(plan, f"{field}_sealed", None)


def _stored(plan: Plan, field: str) -> str:
    return "" if getattr(plan, f"{field}_sealed") is None else str(getattr(plan, field))


@transaction.atomic
def update_plan(
    user: User,
    plan: Plan,
    *,
    title: str,
    participants: str = "",
    situation: str | Keep = KEEP,
) -> bool:
    """Change the title, participants and starting point of a plan not yet agreed to."""
    locked = _lock(plan)
    require_case(user, locked.case, write=True)
    _editable(locked)
    title = clean_line(title, label=_("Title"), limit=MAX_TITLE_CHARS)
    participants = _optional(participants, _("Participants"))
    situation = (
        _stored(locked, "situation")
        if isinstance(situation, Keep)
        else _optional(situation, _("Starting point"))
    )
    before = (locked.title, _stored(locked, "participants"), _stored(locked, "situation"))
    if (title, participants, situation) == before:
        return False
    locked.title = title
    _seal_optional(locked, "participants", participants)
    _seal_optional(locked, "situation", situation)
    locked.save(update_fields=["title_sealed", "participants_sealed", "situation_sealed"])
    _audit("case.plan_changed", user, locked.case, plan=locked.pk)
    return True


@transaction.atomic
def set_plan_status(user: User, plan: Plan, status: str) -> bool:
    """Put a draft in force, or complete a plan; "replaced" comes only from a new version."""
    locked = _lock(plan)
    require_case(user, locked.case, write=True)
    status = choice(status, PlanStatus, label=_("Status"))
    if status == locked.status:
        return False
    _live(locked)
    if status not in (PlanStatus.ACTIVE, PlanStatus.COMPLETED):
        raise ValidationError(_("This status cannot be set by hand."), code="status")
    locked.status = status
    locked.save(update_fields=["status"])
    _audit("case.plan_status", user, locked.case, plan=locked.pk, status=status)
    return True


def _goal_fields(
    wording: str, indicator: str, target_on: date | None
) -> tuple[str, str, date | None]:
    wording = clean_text(wording, label=_("Goal"), limit=MAX_GOAL_CHARS)
    indicator = clean_text(indicator, label=_("Indicator"), limit=MAX_GOAL_CHARS, required=False)
    if target_on is not None:
        label = _("Target date")
        target_on = not_in_past(require_date(target_on, label=label), label=label)
    return wording, indicator, target_on


@transaction.atomic
def add_goal(
    user: User,
    plan: Plan,
    *,
    wording: str,
    indicator: str = "",
    target_on: date | None = None,
    form_token: str = "",
) -> Goal:
    locked = _lock(plan)
    require_case(user, locked.case, write=True)
    _editable(locked)
    wording, indicator, target_on = _goal_fields(wording, indicator, target_on)

    def create() -> Goal:
        count = locked.goals.count()
        if count >= MAX_GOALS:
            raise ValidationError(
                _("A plan has at most %(limit)d goals.") % {"limit": MAX_GOALS}, code="too_many"
            )
        goal = Goal(plan=locked, position=count + 1, target_on=target_on)
        goal.wording = wording
        goal.indicator_sealed = None
        if indicator:
            goal.indicator = indicator
        goal.save(force_insert=True)
        _audit("case.goal_added", user, locked.case, plan=locked.pk, goal=goal.pk)
        return goal

    return once(user, form_token, Goal, create)


@transaction.atomic
def add_measure(
    user: User,
    goal: Goal,
    *,
    text: str,
    responsible: str,
    staff: User | None = None,
    partner: str = "",
    form_token: str = "",
) -> Measure:
    """A measure towards a goal: what is done, and who does it (client, staff, partner)."""
    plan = _lock(goal.plan)
    require_case(user, plan.case, write=True)
    _editable(plan)
    goal.plan = plan
    text = clean_text(text, label=_("Measure"), limit=MAX_GOAL_CHARS)
    responsible = choice(responsible, Responsible, label=_("Responsible"))
    partner = clean_line(partner, label=_("Partner"), limit=MAX_PARTNER_CHARS, required=False)
    if responsible == Responsible.STAFF:
        if staff is None:
            raise ValidationError(_("Please choose the staff member."), code="staff")
        staff_of(plan.case.organisation_id, [staff])
    else:
        staff = None
    if responsible == Responsible.PARTNER and not partner:
        raise ValidationError(_("Please fill in: %(field)s.") % {"field": _("Partner")})

    def create() -> Measure:
        measure = Measure(goal=goal, responsible=responsible, staff=staff)
        measure.text = text
        measure.partner_sealed = None
        if responsible == Responsible.PARTNER:
            measure.partner = partner
        measure.save(force_insert=True)
        _audit("case.measure_added", user, plan.case, plan=plan.pk, goal=goal.pk)
        return measure

    return once(user, form_token, Measure, create)


@transaction.atomic
def schedule_review(user: User, plan: Plan, due_on: date) -> Review:
    """A review date; not in the past. The same date twice gives the same review."""
    locked = _lock(plan)
    require_case(user, locked.case, write=True)
    _live(locked)
    day = not_in_past(require_date(due_on, label=_("Review date")), label=_("Review date"))
    existing = locked.reviews.filter(due_on=day, held_on__isnull=True).first()
    if existing is not None:
        return existing
    review = Review(plan=locked, due_on=day, scheduled_by=user)
    review.note_sealed = None
    review.save(force_insert=True)
    _audit("case.review_scheduled", user, locked.case, plan=locked.pk, review=review.pk)
    return review


def _rating(raw: object) -> tuple[int, str]:
    value, comment = raw if isinstance(raw, tuple) else (raw, "")
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not (RATING_MIN <= value <= RATING_MAX)
    ):
        raise ValidationError(
            _("A rating is a whole number from %(min)d to %(max)d.")
            % {"min": RATING_MIN, "max": RATING_MAX},
            code="rating",
        )
    return value, clean_text(comment, label=_("Comment"), limit=MAX_GOAL_CHARS, required=False)


@transaction.atomic
def record_review(
    user: User,
    review: Review,
    *,
    held_on: date,
    ratings: Mapping[int, int | tuple[int, str]],
    note: str = "",
) -> Review:
    """The review took place: the date, a rating 0-10 per goal (with a comment), a note.

    ``ratings`` maps goal ids of the review's plan to a rating or (rating, comment).
    """
    plan = _lock(review.plan)
    require_case(user, plan.case, write=True)
    locked = Review.objects.select_for_update().get(pk=review.pk)
    locked.plan = plan
    if locked.held_on is not None:
        raise ValidationError(
            _("This review was recorded already (held on %(date)s).")
            % {"date": format_date(locked.held_on)},
            code="recorded",
        )
    _live(plan)
    day = not_in_future(require_date(held_on, label=_("Held on")), label=_("Held on"))
    not_before(
        day,
        plan.case.opened_on,
        label=_("Held on"),
        earliest_label=_("the opening of the case file"),
    )
    goals = {goal.pk: goal for goal in plan.goals.all()}
    checked: list[tuple[Goal, int, str]] = []
    for goal_id, raw in ratings.items():
        goal = goals.get(goal_id) if isinstance(goal_id, int) else None
        if goal is None:
            raise ValidationError(_("A rating is for a goal of this plan only."), code="goal")
        goal.plan = plan
        checked.append((goal, *_rating(raw)))
    note = clean_text(note, label=_("Note"), limit=MAX_PLAN_TEXT_CHARS, required=False)
    locked.held_on, locked.recorded_by = day, user
    if note:
        locked.note = note
    locked.save(update_fields=["held_on", "recorded_by", "note_sealed"])
    for goal, value, comment in checked:
        rating = ProgressRating(goal=goal, review=locked, rating=value)
        rating.comment_sealed = None
        if comment:
            rating.comment = comment
        rating.save(force_insert=True)
    _audit(
        "case.review_recorded",
        user,
        plan.case,
        plan=plan.pk,
        review=locked.pk,
        ratings=len(checked),
    )
    return locked


@transaction.atomic
def record_agreement(user: User, plan: Plan, *, agreed_on: date, how: str, note: str = "") -> Plan:
    """The client agreed to this version of the plan (when, how); it is in force from now."""
    locked = _lock(plan)
    require_case(user, locked.case, write=True)
    _live(locked)
    if locked.agreed_on is not None:
        raise ValidationError(_("The agreement to this plan is recorded already."), code="recorded")
    day = not_in_future(require_date(agreed_on, label=_("Agreed on")), label=_("Agreed on"))
    not_before(
        day,
        timezone.localdate(locked.created_at),
        label=_("Agreed on"),
        earliest_label=_("the day the plan was made"),
    )
    how = choice(how, AgreementWay, label=_("How the client agreed"))
    note = clean_text(note, label=_("Note"), limit=MAX_PLAN_TEXT_CHARS, required=False)
    locked.agreed_on, locked.agreed_how = day, how
    if note:
        locked.agreement_note = note
    locked.status = PlanStatus.ACTIVE
    locked.save(update_fields=["agreed_on", "agreed_how", "agreement_note_sealed", "status"])
    _audit("case.plan_agreed", user, locked.case, plan=locked.pk, how=how)
    return locked


@transaction.atomic
def new_plan_version(user: User, plan: Plan) -> Plan:
    """A new draft version with copies of the goals and measures; the old one is replaced.

    Reviews that have not taken place move to the new version (they are the plan's
    dates, not the version's); held reviews and their ratings stay with the old one.
    Asking twice for a new version of the same plan returns the one made first.
    """
    locked = _lock(plan)
    case = locked.case
    require_case(user, case, write=True)
    following = Plan.objects.filter(previous=locked).first()
    if following is not None:
        return following
    _live(locked)
    new = Plan(
        case=case,
        kind=locked.kind,
        version=locked.version + 1,
        previous=locked,
        created_by=user,
    )
    new.title = locked.title  # sealed anew: a fresh nonce for a new record
    _seal_optional(new, "participants", _stored(locked, "participants"))
    _seal_optional(new, "situation", _stored(locked, "situation"))
    new.agreement_note_sealed = None
    new.save(force_insert=True)
    for goal in locked.goals.prefetch_related("measures"):
        goal.plan = locked
        copy = Goal(plan=new, position=goal.position, target_on=goal.target_on, copied_from=goal)
        copy.wording = goal.wording
        copy.indicator_sealed = None
        if goal.indicator_sealed is not None:
            copy.indicator = goal.indicator
        copy.save(force_insert=True)
        for measure in goal.measures.all():
            measure.goal = goal
            twin = Measure(goal=copy, responsible=measure.responsible, staff_id=measure.staff_id)
            twin.text = measure.text
            twin.partner_sealed = None
            if measure.partner_sealed is not None:
                twin.partner = measure.partner
            twin.save(force_insert=True)
    moved = locked.reviews.filter(held_on__isnull=True).update(plan=new)
    locked.status = PlanStatus.SUPERSEDED
    locked.save(update_fields=["status"])
    _audit(
        "case.plan_versioned",
        user,
        case,
        plan=new.pk,
        previous=locked.pk,
        version=new.version,
        reviews_moved=moved,
    )
    return new
