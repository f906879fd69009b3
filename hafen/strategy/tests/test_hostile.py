"""Hostile and careless input: nonsense targets, huge texts, tampered forms, an empty
strategy, double submits, another organisation's leadership. Each gets a clear message,
nothing changes, and nothing answers with a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hafen.accounts.models import Facility, Membership, Role, User
from hafen.conftest import PASSWORD, login_client
from hafen.privacy.models import AuditEntry
from hafen.strategy.demo import create_demo_strategy
from hafen.strategy.models import Goal, Participant, StrategyVersion, VersionState
from hafen.strategy.tests.conftest import (
    draft_of,
    english,
    management,
    post_basics,
    post_goals,
    sign,
    signed_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(org, leader):
    client = english(login_client(leader))
    client.post("/strategie/entwurf/beginnen/")
    return client


def _unchanged(org, before: int) -> None:
    draft = draft_of(org)
    assert draft.revision == before
    assert not Goal.objects.filter(version=draft).exists()


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("-5", "cannot be negative"),
        ("viel", "Please enter a number"),
        ("1e400", "too large"),
        ("99999999999999999999", "too large"),
        ("150", "at most 100"),  # a share above 100 %
        ("NaN", "Please enter a number"),
    ],
)
def test_nonsense_targets_are_refused_with_a_message(org, boss, target, message):
    draft = draft_of(org)
    response = post_goals(
        boss, draft, [{"metric": "bridge_conversion", "direction": "at_least", "target": target}]
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'id="error-summary"' in page and 'href="#id_part-0-target"' in page
    _unchanged(org, draft.revision)


def test_an_unknown_figure_or_direction_is_refused(org, boss):
    draft = draft_of(org)
    response = post_goals(boss, draft, [{"metric": "clients_happiness", "direction": "sideways"}])
    assert response.status_code == 400
    assert "Please choose a figure from the list." in response.content.decode()
    _unchanged(org, draft.revision)


def test_huge_texts_are_refused_with_the_limit(org, boss):
    draft = draft_of(org)
    response = post_goals(boss, draft, [{"text": "x" * 100_000}])
    assert response.status_code == 400
    assert "at most 300 characters" in response.content.decode()
    _unchanged(org, draft.revision)
    response = post_basics(boss, draft, rules_note="y" * 5000)
    assert response.status_code == 400
    assert "at most 2000 characters" in response.content.decode()
    assert draft_of(org).rules_note == ""


def test_a_tampered_formset_is_refused(org, boss):
    draft = draft_of(org)
    base = {"version": draft.pk, "revision": draft.revision}
    # Far more rows than a section holds.
    data = {**base, **management(100_000)}
    response = boss.post("/strategie/entwurf/teil/ziele/", data)
    assert response.status_code == 400
    assert "at most 30 parts" in response.content.decode()
    # No management form at all.
    response = boss.post("/strategie/entwurf/teil/ziele/", base)
    assert response.status_code == 400
    assert "arrived incomplete" in response.content.decode()
    # Nonsense in the counts.
    response = boss.post(
        "/strategie/entwurf/teil/ziele/", {**base, **management(1), "part-TOTAL_FORMS": "drei"}
    )
    assert response.status_code == 400
    _unchanged(org, draft.revision)


def test_bad_amounts_hours_and_dates_are_refused(org, leader, boss, outsider):
    draft = draft_of(org)
    for values, message in [
        ({"budget": "-1"}, "cannot be negative"),
        ({"budget": "10000000000"}, "at most 100,000,000 euros"),
        ({"review_on": "2020-01-01"}, "cannot lie in the past"),
        ({"review_on": "morgen"}, "valid date"),
        ({"review_on": "2999-01-01"}, "within five years"),
        ({"guideline": "999999"}, "Please choose guidelines from the list."),
    ]:
        response = post_basics(boss, draft, **values)
        assert response.status_code == 400, values
        assert message in response.content.decode(), values
    assert draft_of(org).revision == draft.revision

    people = {
        **management(2),
        "version": draft.pk,
        "revision": draft.revision,
        "part-0-user": str(outsider.pk),  # staff of another organisation
        "part-0-hours_per_week": "4",
        "part-1-user": str(leader.pk),
        "part-1-hours_per_week": "500",
    }
    response = boss.post("/strategie/entwurf/teil/beteiligte/", people)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please choose a staff member from the list." in page
    assert "at most 60 hours a week" in page
    twice = {
        **management(2),
        "version": draft.pk,
        "revision": draft.revision,
        "part-0-user": str(leader.pk),
        "part-0-hours_per_week": "4",
        "part-1-user": str(leader.pk),
        "part-1-hours_per_week": "2",
    }
    response = boss.post("/strategie/entwurf/teil/beteiligte/", twice)
    assert response.status_code == 400
    assert "listed twice" in response.content.decode()
    assert not Participant.objects.filter(version=draft).exists()


def test_an_empty_strategy_cannot_be_signed(org, boss):
    draft = draft_of(org)
    response = sign(boss, draft)
    assert response.status_code == 302
    page = boss.get(response["Location"]).content.decode()
    assert "no goal yet" in page and "no review date yet" in page
    assert draft_of(org).state == VersionState.DRAFT
    assert not AuditEntry.objects.filter(action="strategy.signed").exists()


def test_double_submits_change_nothing_twice(org, boss, leader):
    # Starting twice gives the same draft.
    boss.post("/strategie/entwurf/beginnen/")
    assert StrategyVersion.objects.filter(strategy__organisation=org).count() == 1
    draft = draft_of(org)
    first = post_goals(boss, draft, [{"text": "Ziel A"}])
    again = post_goals(boss, draft, [{"text": "Ziel A"}])  # the same form, sent again
    assert first.status_code == again.status_code == 302
    assert "changed since you loaded it" in boss.get(again["Location"]).content.decode()
    assert list(Goal.objects.filter(version=draft).values_list("text", flat=True)) == ["Ziel A"]
    draft.refresh_from_db()
    tomorrow = (timezone.localdate() + timedelta(days=30)).isoformat()
    post_basics(boss, draft, review_on=tomorrow)
    draft.refresh_from_db()
    assert sign(boss, draft).status_code == 302
    second = sign(boss, draft)  # the signature sent twice
    assert second.status_code == 302
    assert "already signed" in boss.get(second["Location"]).content.decode()
    assert AuditEntry.objects.filter(action="strategy.signed").count() == 1
    assert signed_of(org).pk == draft.pk


def test_leadership_of_another_organisation_gets_404_and_changes_nothing(org, leader, outsider):
    version = create_demo_strategy(org)
    other = outsider.organisation
    boss = User.objects.create(username="andere-leitung", organisation=other)
    boss.set_password(PASSWORD)
    boss.save()
    Membership.objects.create(user=boss, organisation=other, role=Role.LEADERSHIP)
    client = english(login_client(boss))
    client.post("/strategie/entwurf/beginnen/")  # their own draft, of their own strategy
    own = draft_of(other)
    assert client.get(f"/strategie/versionen/{version.number + 5}/").status_code == 404
    # Signing, editing and discarding our version with their own revision numbers.
    assert sign(client, version, revision=version.revision).status_code == 404
    response = client.post(
        "/strategie/entwurf/verwerfen/", {"version": version.pk, "revision": version.revision}
    )
    assert response.status_code == 302
    assert StrategyVersion.objects.filter(pk=version.pk, state=VersionState.SIGNED).exists()
    # A facility of our organisation as the scope of their draft.
    facility = Facility.objects.filter(organisation=org).first()
    assert facility is not None
    response = post_goals(client, own, [{"text": "Fremd"}], query=f"?einrichtung={facility.pk}")
    assert response.status_code == 404
    assert (
        client.get(f"/strategie/entwurf/teil/ziele/?einrichtung={facility.pk}").status_code == 404
    )
    assert client.get("/strategie/entwurf/teil/ziele/?einrichtung=abc").status_code == 404
    # What they see as "the strategy" is theirs: nothing of ours.
    assert "Wir antworten schnell" not in client.get("/strategie/").content.decode()
    assert signed_of(org).pk == version.pk
    assert not Goal.objects.filter(version=own).exists()


def test_bad_comparison_requests_get_a_clear_answer(org, leader):
    create_demo_strategy(org)
    client = english(login_client(leader))
    client.post("/strategie/entwurf/beginnen/")
    for query in ("?von=1&bis=99", "?von=abc&bis=2", "?von=" + "9" * 40 + "&bis=1"):
        response = client.get(f"/strategie/vergleich/{query}")
        assert response.status_code == 400, query
        assert "Please choose two versions from the list." in response.content.decode()
    response = client.get("/strategie/vergleich/?von=2&bis=1")  # the wrong order is turned
    assert response.status_code == 200
    assert client.get("/strategie/entwurf/teil/unbekannt/").status_code == 404
    assert client.get("/strategie/versionen/" + "9" * 30 + "/").status_code == 404


def test_tampered_ids_and_revisions_change_nothing(org, boss):
    draft = draft_of(org)
    huge = "9" * 30
    for data in (
        {"version": huge, "revision": "1"},
        {"version": str(draft.pk), "revision": huge},
        {"version": "-1", "revision": "x"},
        {},
    ):
        for url in ("/strategie/entwurf/unterschreiben/", "/strategie/entwurf/verwerfen/"):
            response = boss.post(url, data)
            assert response.status_code == 302, (url, data)
            assert "out of date" in boss.get(response["Location"]).content.decode()
        response = boss.post("/strategie/entwurf/teil/ziele/", {**data, **management(0)})
        assert response.status_code == 302
    assert draft_of(org).revision == draft.revision
