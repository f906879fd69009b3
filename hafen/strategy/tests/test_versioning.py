"""Versioning and sign-off through the real stack: leadership and communications staff
edit a draft, leadership signs exactly the version shown, staff see the signed version
and who signed it; a change makes a new draft while the signed version stays in force."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from hafen.conftest import login_client
from hafen.privacy.models import AuditEntry
from hafen.strategy import actions
from hafen.strategy.models import Goal, Participant, StrategyVersion, VersionState
from hafen.strategy.tests.conftest import (
    draft_of,
    english,
    post_basics,
    post_goals,
    sign,
    signed_of,
)

pytestmark = pytest.mark.django_db


def _review_day() -> str:
    return (timezone.localdate() + timedelta(days=90)).isoformat()


def test_leadership_edits_and_signs_and_a_counsellor_sees_who_signed(org, leader, counsellor):
    boss = login_client(leader)
    response = boss.post("/strategie/entwurf/beginnen/")
    assert response.status_code == 302
    draft = draft_of(org)
    assert draft.number == 1

    response = post_goals(
        boss,
        draft,
        [
            {"text": "Schnell antworten"},
            {
                "text": "Mehr Beiträge",
                "metric": "posts_published",
                "direction": "at_least",
                "target": "4",
            },
        ],
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Goal.objects.filter(version=draft).values_list("text", "metric", "target")) == [
        ("Schnell antworten", "first_response_median_hours", 24),
        ("Mehr Beiträge", "posts_published", 4),
    ]
    draft.refresh_from_db()
    assert post_basics(boss, draft, review_on=_review_day(), budget="2500,50").status_code == 302
    draft.refresh_from_db()
    assert str(draft.budget) == "2500.50"

    # The counsellor sees no strategy before it is signed, nor the draft.
    colleague = login_client(counsellor)
    assert "Schnell antworten" not in colleague.get("/strategie/").content.decode()
    assert colleague.get("/strategie/entwurf/").status_code == 403

    page = boss.get("/strategie/entwurf/").content.decode()
    assert "Schnell antworten" in page and 'id="sign-form"' in page
    response = sign(boss, draft)
    assert response.status_code == 302 and response["Location"] == "/strategie/"
    signed = StrategyVersion.objects.get(pk=draft.pk)
    assert signed.state == VersionState.SIGNED
    assert signed.signed_by == leader and signed.signed_at is not None
    entry = AuditEntry.objects.get(action="strategy.signed")
    assert entry.actor_id == leader.pk and entry.object_id == str(signed.pk)

    page = colleague.get("/strategie/").content.decode()
    assert "Schnell antworten" in page
    assert "Dr. Petra Hahn" in page and 'id="signature"' in page
    # ... and on the start page, as a panel.
    start = colleague.get("/start/counsellor/", follow=True).content.decode()
    assert 'id="panel-strategy"' in start and "Dr. Petra Hahn" in start


def _signed_strategy(org, leader) -> StrategyVersion:
    from hafen.strategy.demo import create_demo_strategy

    return create_demo_strategy(org)


def test_changing_a_signed_strategy_makes_a_new_draft_and_the_signed_one_stays(
    org, leader, comms, counsellor
):
    first = _signed_strategy(org, leader)
    writer = login_client(comms)  # communications staff prepare the change
    assert writer.post("/strategie/entwurf/beginnen/").status_code == 302
    draft = draft_of(org)
    assert draft.number == first.number + 1
    # The draft starts as a copy of everything signed, facility additions included.
    assert Goal.objects.filter(version=draft).count() == Goal.objects.filter(version=first).count()
    assert Participant.objects.filter(version=draft, facility__isnull=False).count() == 1

    response = post_goals(writer, draft, [{"text": "Antwort binnen eines Tages", "target": "12"}])
    assert response.status_code == 302
    # Staff still see the signed version until leadership signs the new one.
    colleague = login_client(counsellor)
    page = colleague.get("/strategie/").content.decode()
    assert "Wir antworten schnell auf die erste Nachricht" in page
    assert "Antwort binnen eines Tages" not in page
    assert signed_of(org).pk == first.pk

    # Communications staff cannot sign.
    draft.refresh_from_db()
    assert sign(writer, draft).status_code == 403
    assert draft_of(org).state == VersionState.DRAFT

    # The comparison names what changed, readably.
    boss = login_client(leader)
    compared = boss.get(f"/strategie/vergleich/?von={first.number}&bis={draft.number}")
    text = compared.content.decode()
    assert compared.status_code == 200
    assert "Antwort binnen eines Tages" in text and "<ins>" in text
    assert "Wir antworten schnell auf die erste Nachricht" in text and "<del>" in text
    assert "Menschen mit Schulden" not in text  # unchanged parts are left out

    assert sign(boss, draft).status_code == 302
    assert signed_of(org).pk == draft.pk
    assert StrategyVersion.objects.get(pk=first.pk).state == VersionState.SUPERSEDED
    page = colleague.get("/strategie/").content.decode()
    assert "Antwort binnen eines Tages" in page
    history = boss.get("/strategie/versionen/").content.decode()
    assert "/strategie/versionen/1/" in history and "/strategie/versionen/2/" in history


def test_signing_a_version_changed_since_it_was_loaded_is_refused(org, leader, comms):
    _signed_strategy(org, leader)
    boss, writer = english(login_client(leader)), login_client(comms)
    boss.post("/strategie/entwurf/beginnen/")
    shown = draft_of(org)  # what leadership has on the screen
    post_goals(writer, shown, [{"text": "Heimlich geändert"}])  # a colleague changes it
    response = sign(boss, shown, revision=shown.revision)
    assert response.status_code == 302
    assert draft_of(org).state == VersionState.DRAFT
    assert not AuditEntry.objects.filter(action="strategy.signed", object_id=str(shown.pk)).exists()
    page = boss.get(response["Location"]).content.decode()
    assert "changed after you loaded it" in page


def test_the_signer_is_recorded_even_when_leadership_wrote_the_draft(org, leader):
    # No four eyes: leadership may sign its own draft; who and when are recorded.
    version = _signed_strategy(org, leader)
    boss = login_client(leader)
    boss.post("/strategie/entwurf/beginnen/")
    draft = draft_of(org)
    post_goals(boss, draft, [{"text": "Eigenes Ziel"}])
    draft.refresh_from_db()
    sign(boss, draft)
    assert signed_of(org).signed_by == leader
    assert version.number == 1


def test_discarding_a_draft_keeps_the_signed_strategy(org, leader):
    first = _signed_strategy(org, leader)
    boss = login_client(leader)
    boss.post("/strategie/entwurf/beginnen/")
    draft = draft_of(org)
    response = boss.post(
        "/strategie/entwurf/verwerfen/", {"version": draft.pk, "revision": draft.revision}
    )
    assert response.status_code == 302
    assert not StrategyVersion.objects.filter(pk=draft.pk).exists()
    assert signed_of(org).pk == first.pk


def test_the_review_date_reminds_leadership_once(
    org, leader, time_machine, django_capture_on_commit_callbacks
):
    leader.email = "leitung@example.org"
    leader.save(update_fields=["email"])
    version = _signed_strategy(org, leader)
    assert actions.send_review_reminders() == 0
    assert version.review_on is not None
    time_machine.move_to(timezone.now() + timedelta(days=181))
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.send_review_reminders() == 1
    assert [message.to for message in mail.outbox] == [["leitung@example.org"]]
    assert actions.send_review_reminders() == 0  # once
    version.refresh_from_db()
    assert version.review_reminded_at is not None
    assert AuditEntry.objects.filter(action="strategy.review_reminded").count() == 1
    start = english(login_client(leader)).get("/start/leadership/").content.decode()
    assert "review date" in start


def test_the_pages_need_as_many_queries_for_many_parts_as_for_few(org, leader):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _signed_strategy(org, leader)
    boss = login_client(leader)
    boss.post("/strategie/entwurf/beginnen/")

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert boss.get(url).status_code == 200
        return len(queries)

    pages = ["/strategie/", "/strategie/entwurf/", "/strategie/vergleich/"]
    before = [count(url) for url in pages]
    draft = draft_of(org)
    post_goals(boss, draft, [{"text": f"Ziel {index}"} for index in range(12)])
    draft.refresh_from_db()
    sign(boss, draft)
    boss.post("/strategie/entwurf/beginnen/")
    assert [count(url) for url in pages] == before


def test_the_daily_task_is_registered_and_the_figures_find_the_goals_in_force(org, leader):
    from hafen.lib.periodic import REGISTRY
    from hafen.strategy import metrics, queries
    from hafen.strategy.tasks import remind_strategy_reviews

    assert REGISTRY[remind_strategy_reviews.module_path][1] == timedelta(days=1)
    assert remind_strategy_reviews.call() == 0
    _signed_strategy(org, leader)
    goals = queries.signed_goals(org.pk)
    assert [goal.facility is not None for goal in goals] == [False, False, False, True]
    assert all(goal.metric in metrics.METRICS for goal in goals)
