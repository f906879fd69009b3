"""Retention rules: defaults, the organisation's own period, and nonsense refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from hafen.accounts.models import Team
from hafen.cases import actions as case_actions
from hafen.cases.models import Case
from hafen.cases.tests.conftest import open_case
from hafen.privacy.models import AuditEntry
from hafen.privacy.retention import actions, rules
from hafen.privacy.retention.blockers import has_legal_hold, is_restricted
from hafen.privacy.retention.models import (
    CategoryStatute,
    LegalHold,
    RetentionFacts,
    RetentionKind,
    RetentionRule,
    Statute,
)


def test_without_a_rule_each_kind_has_its_default_with_a_legal_basis(org):
    conversations = rules.period_for(org.pk, RetentionKind.CONVERSATION)
    assert conversations.days == 90 and conversations.is_default
    assert rules.period_for(org.pk, RetentionKind.CASE).days == 3653
    for kind in RetentionKind.values:
        assert "DSGVO" in str(rules.period_for(org.pk, kind).legal_basis)


def test_the_dpo_sets_a_period_which_is_audited_without_content(org, dpo):
    rule = actions.set_rule(dpo, RetentionKind.CONVERSATION, "30", " Art. 17 DSGVO ")
    assert (rule.period_days, rule.legal_basis) == (30, "Art. 17 DSGVO")
    assert rules.period_for(org.pk, RetentionKind.CONVERSATION).days == 30
    actions.set_rule(dpo, RetentionKind.CONVERSATION, 60, "Art. 17 DSGVO")
    assert RetentionRule.objects.filter(organisation=org).count() == 1
    entry = AuditEntry.objects.filter(action="retention.rule_set").last()
    assert entry.actor_id == dpo.pk and entry.details["period_days"] == 60


@pytest.mark.parametrize(
    ("days", "code"),
    [
        (-1, "too_short"),
        (0, "too_short"),
        ("-90", "too_short"),
        (200 * 366 + 1, "too_long"),
        (10**12, "too_long"),
        ("neunzig", "not_a_number"),
        ("", "not_a_number"),
        (None, "not_a_number"),
        (3.5, "not_a_number"),
        (True, "not_a_number"),
    ],
)
def test_nonsense_periods_are_refused_and_nothing_changes(org, dpo, days, code):
    actions.set_rule(dpo, RetentionKind.CONVERSATION, 90, "Art. 17 DSGVO")
    with pytest.raises(ValidationError) as refused:
        actions.set_rule(dpo, RetentionKind.CONVERSATION, days, "Art. 17 DSGVO")
    assert refused.value.code == code
    assert refused.value.messages[0].endswith(".")
    assert RetentionRule.objects.get(organisation=org).period_days == 90


def test_a_period_without_legal_basis_or_of_an_unknown_kind_is_refused(org, dpo):
    with pytest.raises(ValidationError):
        actions.set_rule(dpo, RetentionKind.CASE, 4000, "   ")
    with pytest.raises(ValidationError):
        actions.set_rule(dpo, "deletion_log", 4000, "Art. 17 DSGVO")
    assert not RetentionRule.objects.exists()


def test_a_period_shorter_than_a_statutory_minimum_is_refused_with_the_law(org, leader, dpo):
    category = case_actions.create_category(leader, "Psychotherapeutische Beratung")
    CategoryStatute.objects.create(category=category, statute=Statute.BGB_630F)
    with pytest.raises(ValidationError) as refused:
        actions.set_rule(dpo, RetentionKind.CASE, 5 * 365, "Art. 17 DSGVO")
    assert refused.value.code == "statutory_minimum"
    message = refused.value.messages[0]
    assert "Psychotherapeutische Beratung" in message and "§ 630f Abs. 3 BGB" in message
    assert actions.set_rule(dpo, RetentionKind.CASE, 3653, "§ 630f BGB").pk


def test_the_model_refuses_nonsense_in_full_clean_too(org):
    rule = RetentionRule(
        organisation=org, kind=RetentionKind.CASE, period_days=0, legal_basis="Art. 17 DSGVO"
    )
    with pytest.raises(ValidationError):
        rule.full_clean()


# -- who may change retention --------------------------------------------------------------


def test_a_counsellor_or_volunteer_may_not_set_rules_or_holds(some_case, counsellor, volunteer):
    case = some_case
    for user in (counsellor, volunteer):
        with pytest.raises(PermissionDenied):
            actions.set_rule(user, RetentionKind.CONVERSATION, 30, "Art. 17 DSGVO")
        with pytest.raises(PermissionDenied):
            actions.place_hold(user, case, "Klage vor dem Sozialgericht anhängig")
    assert not RetentionRule.objects.exists() and not LegalHold.objects.exists()


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English, the source language."""
    with translation.override("en"):
        yield


@pytest.fixture
def some_case(org, counsellor) -> Case:
    team = Team.objects.get(slug="jugendberatung")
    return open_case(counsellor, team)


def test_the_dpo_places_and_lifts_a_hold_with_a_reason_the_audit_does_not_repeat(some_case, dpo):
    reason = "Klage vor dem Sozialgericht anhängig"
    hold = actions.place_hold(dpo, some_case, reason)
    assert has_legal_hold(some_case)
    assert actions.lift_hold(dpo, hold) is True
    assert actions.lift_hold(dpo, hold) is False
    assert not has_legal_hold(some_case)
    entries = AuditEntry.objects.filter(action__startswith="retention.hold")
    assert [entry.action for entry in entries] == ["retention.hold_placed", "retention.hold_lifted"]
    assert all(reason not in str(entry.details) for entry in entries)


@pytest.mark.parametrize("reason", ["", "   ", "kurz", None, 42, "x" * 1001])
def test_a_hold_without_a_proper_reason_is_refused(some_case, dpo, reason):
    with pytest.raises(ValidationError):
        actions.place_hold(dpo, some_case, reason)
    assert not LegalHold.objects.exists()


def test_restriction_is_recorded_per_case(some_case, dpo):
    assert not is_restricted(some_case)
    restriction = actions.restrict_processing(
        dpo, some_case, "Art. 18 Abs. 1 lit. c DSGVO: Beweissicherung"
    )
    assert is_restricted(some_case)
    assert actions.lift_restriction(dpo, restriction) is True
    assert actions.lift_restriction(dpo, restriction) is False
    assert not is_restricted(some_case)


def test_a_birth_date_in_the_future_is_refused(some_case, dpo):
    with pytest.raises(ValidationError):
        actions.set_birth_date(dpo, some_case, timezone.localdate() + timedelta(days=1))
    assert not RetentionFacts.objects.exists()
