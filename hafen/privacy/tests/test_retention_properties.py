"""Property: for any mix of records, rules, holds, restrictions and statutes, a retention
run deletes exactly the records an independent reading of the rules names, and the
dry run names exactly those too.

The oracle below is written from the rules as the README states them, not from the
engine's code: a conversation goes once its period has passed since the last message
unless a case file holds it; a case file goes once closed for its period, unless a
legal hold or a restriction is in place or a statute still keeps it (§ 9b SGB VIII:
until the 100th birthday, never without a known birth date; § 630f BGB: ten years
after closing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hafen.accounts.models import Organisation, Team, User
from hafen.cases import actions as case_actions
from hafen.cases.models import Case, CaseCategory, CaseStatus
from hafen.conversations import actions as conversation_actions
from hafen.conversations.models import Conversation
from hafen.privacy.retention import engine
from hafen.privacy.retention.models import (
    CategoryStatute,
    DeletionLog,
    LegalHold,
    ProcessingRestriction,
    RetentionFacts,
    RetentionRule,
    Statute,
)

# One moment for the whole module: the oracle and the engine must share "now".
NOW = timezone.now()
TODAY = timezone.localdate(NOW)


@dataclass(frozen=True)
class ChatSpec:
    idle_days: int
    linked: bool


@dataclass(frozen=True)
class CaseSpec:
    closed_days_ago: int | None  # None: still open
    held: bool
    restricted: bool
    statute: str | None
    birth_date: date | None


chats = st.builds(ChatSpec, idle_days=st.integers(0, 400), linked=st.booleans())
# Weighted so that most examples hold files that a rule alone would delete: each
# blocker then has to prove itself against them.
sometimes = st.sampled_from([False, False, True])
cases = st.builds(
    CaseSpec,
    closed_days_ago=st.one_of(st.none(), st.integers(0, 40_000), st.integers(3653, 40_000)),
    held=sometimes,
    restricted=sometimes,
    statute=st.sampled_from([None, None, Statute.SGB_VIII_9B, Statute.BGB_630F]),
    birth_date=st.one_of(st.none(), st.dates(date(1900, 1, 1), date(2020, 12, 31))),
)


def _hundredth_birthday(born: date) -> date:
    day = 28 if (born.month, born.day) == (2, 29) else born.day
    return date(born.year + 100, born.month, day)


def conversation_due(spec: ChatSpec, period: int) -> bool:
    return not spec.linked and spec.idle_days >= period


def case_due(spec: CaseSpec, period: int) -> bool:
    if spec.closed_days_ago is None or spec.held or spec.restricted:
        return False
    closed = TODAY - timedelta(days=spec.closed_days_ago)
    if spec.closed_days_ago < period:
        return False
    if spec.statute == Statute.SGB_VIII_9B:
        return spec.birth_date is not None and _hundredth_birthday(spec.birth_date) <= TODAY
    if spec.statute == Statute.BGB_630F:
        day = 28 if (closed.month, closed.day) == (2, 29) else closed.day
        return date(closed.year + 10, closed.month, day) <= TODAY
    return True


def _make_chat(team: Team, spec: ChatSpec, counsellor: User) -> Conversation:
    made = conversation_actions.start_conversation(team).conversation
    conversation_actions.post_client_message(made.pk, "Hallo", f"prop-{made.pk:08d}")
    if spec.linked:
        holder = case_actions.open_case(
            counsellor, team, pseudonym="Halter", opened_on=TODAY - timedelta(days=10)
        )
        case_actions.link_conversation(counsellor, holder, made)
    Conversation.objects.filter(pk=made.pk).update(
        last_activity_at=NOW - timedelta(days=spec.idle_days)
    )
    return made


def _make_case(
    team: Team,
    spec: CaseSpec,
    counsellor: User,
    dpo: User,
    categories: dict[str | None, CaseCategory | None],
) -> Case:
    closed = None if spec.closed_days_ago is None else TODAY - timedelta(days=spec.closed_days_ago)
    opened = (closed or TODAY) - timedelta(days=30)
    case = case_actions.open_case(
        counsellor, team, pseudonym="Fall", opened_on=opened, category=categories[spec.statute]
    )
    if closed is not None:
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_on=closed)
    if spec.held:
        LegalHold.objects.create(case=case, reason="Sperre im Test", placed_by=dpo)
    if spec.restricted:
        ProcessingRestriction.objects.create(case=case, reason="Einschränkung", restricted_by=dpo)
    if spec.birth_date is not None:
        RetentionFacts.objects.create(case=case, birth_date=spec.birth_date)
    return case


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI stays repeatable
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    chat_specs=st.lists(chats, min_size=1, max_size=4),
    case_specs=st.lists(cases, min_size=2, max_size=6),
    chat_period=st.integers(1, 365),
    case_period=st.integers(3653, 12_000),
)
def test_a_run_deletes_exactly_what_the_rules_say(
    org: Organisation, counsellor, dpo, chat_specs, case_specs, chat_period, case_period
):
    team = Team.objects.get(slug="jugendberatung")
    with transaction.atomic():
        RetentionRule.objects.create(
            organisation=org, kind="conversation", period_days=chat_period, legal_basis="Test"
        )
        RetentionRule.objects.create(
            organisation=org, kind="case", period_days=case_period, legal_basis="Test"
        )
        categories: dict[str | None, CaseCategory | None] = {None: None}
        for statute in Statute.values:
            category = CaseCategory.objects.create(organisation=org, name=f"Kategorie {statute}")
            CategoryStatute.objects.create(category=category, statute=statute)
            categories[statute] = category
        made_chats = [(_make_chat(team, spec, counsellor), spec) for spec in chat_specs]
        made_cases = [
            (_make_case(team, spec, counsellor, dpo, categories), spec) for spec in case_specs
        ]
        expected = {
            ("conversation", chat.pk)
            for chat, spec in made_chats
            if conversation_due(spec, chat_period)
        }
        expected |= {("case", case.pk) for case, spec in made_cases if case_due(spec, case_period)}

        planned = {(item.kind, item.record_id) for item in engine.plan_run(NOW)}
        report = engine.apply_run(NOW)

        assert planned == expected
        assert report.total_deleted == len(expected) and not report.failed
        kept_chats = set(Conversation.objects.values_list("pk", flat=True))
        kept_cases = set(Case.objects.values_list("pk", flat=True))
        for chat, _spec in made_chats:
            assert (chat.pk in kept_chats) == (("conversation", chat.pk) not in expected)
        for case, _spec in made_cases:
            assert (case.pk in kept_cases) == (("case", case.pk) not in expected)
        logged = {(row.kind, int(row.record_id)) for row in DeletionLog.objects.all()}
        assert logged == expected
        # A second run finds nothing more.
        assert engine.apply_run(NOW).total_deleted == 0
        transaction.set_rollback(True)
