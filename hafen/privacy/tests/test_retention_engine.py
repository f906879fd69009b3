"""The retention run deletes exactly what the rules say, and nothing the law or a hold keeps.

Records are made through the apps' own actions; only their dates are moved into the
past. Every test passes ``now`` to the engine, so nothing depends on the clock.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from hafen.accounts.models import Team
from hafen.cases import actions as case_actions
from hafen.cases.models import Case, CaseCategory, CaseEntryVersion, CaseStatus
from hafen.cases.tests.conftest import entry, open_case
from hafen.conversations import actions as conversation_actions
from hafen.conversations.attachments import check_upload
from hafen.conversations.models import Conversation, Message
from hafen.privacy import audit, crypto
from hafen.privacy.models import AuditEntry, DataKey
from hafen.privacy.retention import actions, engine
from hafen.privacy.retention.blockers import erasure_blockers, is_restricted
from hafen.privacy.retention.models import (
    CategoryStatute,
    DeletionLog,
    LegalHold,
    ProcessingRestriction,
    RetentionFacts,
    RetentionKind,
    Statute,
)

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
SECRET = "Leon erzählt von der Schule"


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English, the source language."""
    with translation.override("en"):
        yield


@pytest.fixture
def youth(org) -> Team:
    return Team.objects.select_related("facility").get(slug="jugendberatung")


@pytest.fixture
def now():
    return timezone.now()


def conversation(team: Team, last_activity, *, with_file: bool = False) -> Conversation:
    """A client's conversation with a message (and a PDF), last active at ``last_activity``."""
    made = conversation_actions.start_conversation(team).conversation
    conversation_actions.post_client_message(made.pk, SECRET, "aaaaaaaa-0001")
    if with_file:
        upload = check_upload(SimpleUploadedFile("brief.pdf", PDF, "application/pdf"))
        conversation_actions.post_client_attachment(made.pk, upload, "", "aaaaaaaa-0002")
    Conversation.objects.filter(pk=made.pk).update(last_activity_at=last_activity)
    return Conversation.objects.get(pk=made.pk)


def closed_case(
    user, team: Team, closed_on: date | None, *, with_file=False, linked=None, **fields
) -> Case:
    """A case with one entry (and a PDF, a linked conversation), closed on ``closed_on``."""
    opened = (closed_on or timezone.localdate()) - timedelta(days=400)
    case = open_case(user, team, name="Leon Krause", opened_on=opened, **fields)
    made = entry(user, case, SECRET, occurred_on=opened)
    if with_file:
        upload = check_upload(SimpleUploadedFile("bescheid.pdf", PDF, "application/pdf"))
        case_actions.add_attachment(user, made, upload)
    if linked is not None:
        case_actions.link_conversation(user, case, linked)
    if closed_on is not None:
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_on=closed_on)
    return Case.objects.select_related("data_key").get(pk=case.pk)


def sgb8_category(user) -> CaseCategory:
    category = case_actions.create_category(user, "§ 27 SGB VIII Hilfe zur Erziehung")
    CategoryStatute.objects.create(category=category, statute=Statute.SGB_VIII_9B)
    return category


def planned_ids(now, kind: str) -> set[int]:
    return {item.record_id for item in engine.plan_run(now) if item.kind == kind}


def snapshot() -> dict[str, set]:
    """Every row of every model, by model and primary key."""
    return {
        model._meta.label: set(model._default_manager.values_list("pk", flat=True))
        for model in apps.get_models(include_auto_created=True)
    }


def stored_files(settings) -> set[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return {path for path in root.rglob("*") if path.is_file()}


# -- the boundaries of a period ------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "deleted"),
    [
        (timedelta(days=90) - timedelta(seconds=1), False),
        (timedelta(days=90), True),
        (timedelta(days=90) + timedelta(seconds=1), True),
        (timedelta(days=3000), True),
        (timedelta(0), False),
    ],
)
def test_a_conversation_goes_once_90_days_passed_since_its_last_message(youth, now, age, deleted):
    chat = conversation(youth, now - age)
    assert (chat.pk in planned_ids(now, RetentionKind.CONVERSATION)) is deleted
    engine.apply_run(now)
    assert Conversation.objects.filter(pk=chat.pk).exists() is not deleted


def test_the_organisations_own_period_replaces_the_default(youth, now, dpo):
    chat = conversation(youth, now - timedelta(days=40))
    assert chat.pk not in planned_ids(now, RetentionKind.CONVERSATION)
    actions.set_rule(dpo, RetentionKind.CONVERSATION, 30, "Art. 17 DSGVO")
    assert chat.pk in planned_ids(now, RetentionKind.CONVERSATION)


@pytest.mark.parametrize(
    ("days_ago", "deleted"),
    [(3652, False), (3653, True), (3654, True), (10, False)],
)
def test_a_closed_case_goes_ten_years_after_closing(counsellor, youth, now, days_ago, deleted):
    case = closed_case(counsellor, youth, timezone.localdate(now) - timedelta(days=days_ago))
    assert not engine.apply_run(now).failed
    assert Case.objects.filter(pk=case.pk).exists() is not deleted


def test_an_open_case_is_never_deleted(counsellor, youth, now):
    case = closed_case(counsellor, youth, None)
    Case.objects.filter(pk=case.pk).update(opened_on=date(1990, 1, 1))
    engine.apply_run(now + timedelta(days=365 * 150))
    assert Case.objects.filter(pk=case.pk).exists()


# -- what keeps a case ---------------------------------------------------------------------


def test_a_legal_hold_keeps_the_case_until_it_is_lifted(counsellor, youth, now, dpo):
    case = closed_case(counsellor, youth, date(2000, 1, 1))
    hold = LegalHold.objects.create(case=case, reason="Klage anhängig", placed_by=dpo)
    assert engine.plan_run(now) == []
    assert engine.apply_run(now).total_deleted == 0
    assert erasure_blockers(case) == ["A legal hold (Löschsperre) is in place."]
    hold.lifted_at, hold.lifted_by = now, dpo
    hold.save()
    assert engine.apply_run(now).total_deleted == 1
    assert not Case.objects.filter(pk=case.pk).exists()


def test_a_restricted_case_is_kept_and_says_so(counsellor, youth, now, dpo):
    case = closed_case(counsellor, youth, date(2000, 1, 1))
    assert not is_restricted(case)
    ProcessingRestriction.objects.create(
        case=case, reason="Art. 18 Abs. 1 lit. c", restricted_by=dpo
    )
    assert is_restricted(case)
    engine.apply_run(now)
    assert Case.objects.filter(pk=case.pk).exists()


def test_a_youth_welfare_file_without_birth_date_is_never_deleted(counsellor, leader, youth, now):
    case = closed_case(counsellor, youth, date(1950, 1, 1), category=sgb8_category(leader))
    engine.apply_run(now + timedelta(days=365 * 150))
    assert Case.objects.filter(pk=case.pk).exists()
    reasons = erasure_blockers(case)
    assert any("§ 9b SGB VIII" in reason for reason in reasons)
    assert any("date of birth" in reason for reason in reasons)


@pytest.mark.parametrize(("born", "deleted"), [(date(1925, 1, 1), True), (date(1990, 1, 1), False)])
def test_a_youth_welfare_file_goes_after_the_100th_birthday(
    counsellor, leader, youth, now, born, deleted
):
    case = closed_case(counsellor, youth, date(2005, 1, 1), category=sgb8_category(leader))
    RetentionFacts.objects.create(case=case, birth_date=born)
    engine.apply_run(now)
    assert Case.objects.filter(pk=case.pk).exists() is not deleted
    if not deleted:
        assert erasure_blockers(case) == [
            "Youth-welfare files must be kept until the person's 100th birthday (§ 9b SGB VIII)."
        ]


def test_a_conversation_of_a_case_stays_with_the_case(counsellor, youth, now):
    case = closed_case(counsellor, youth, None)
    chat = conversation(youth, now - timedelta(days=400))
    case_actions.link_conversation(counsellor, case, chat)
    engine.apply_run(now)
    assert Conversation.objects.filter(pk=chat.pk).exists()
    assert erasure_blockers(chat) == [
        "The conversation belongs to a case file and is kept with it."
    ]


# -- a whole run ---------------------------------------------------------------------------


@pytest.fixture
def mixed(counsellor, youth, now, dpo):
    """Due and kept records side by side."""
    old = now - timedelta(days=200)
    of_the_case = conversation(youth, now - timedelta(days=5))
    due = {
        "chat": conversation(youth, old, with_file=True),
        "case": closed_case(
            counsellor, youth, date(2001, 5, 1), with_file=True, linked=of_the_case
        ),
    }
    kept = {
        "chat": conversation(youth, now - timedelta(days=5), with_file=True),
        "of_the_case": of_the_case,
        "open": closed_case(counsellor, youth, None),
        "held": closed_case(counsellor, youth, date(2001, 5, 1)),
        "recent": closed_case(counsellor, youth, timezone.localdate(now) - timedelta(days=30)),
    }
    LegalHold.objects.create(case=kept["held"], reason="Akteneinsicht beantragt", placed_by=dpo)
    return due, kept


def test_the_run_deletes_exactly_what_the_dry_run_showed_and_nothing_else(
    mixed, now, settings, django_capture_on_commit_callbacks
):
    due, kept = mixed
    plan = engine.plan_run(now)
    assert {(item.kind, item.record_id) for item in plan} == {
        (RetentionKind.CONVERSATION, due["chat"].pk),
        (RetentionKind.CASE, due["case"].pk),
    }
    due_keys = {due["chat"].data_key_id, due["case"].data_key_id}
    due_messages = set(
        Message.objects.filter(conversation=due["chat"]).values_list("pk", flat=True)
    )
    due_versions = set(
        CaseEntryVersion.objects.filter(entry__case=due["case"]).values_list("pk", flat=True)
    )
    before, files_before = snapshot(), stored_files(settings)
    assert len(files_before) == 3

    with django_capture_on_commit_callbacks(execute=True):
        report = engine.apply_run(now)

    after, files_after = snapshot(), stored_files(settings)
    assert report.deleted == {RetentionKind.CONVERSATION: 1, RetentionKind.CASE: 1}
    removed = {label: before[label] - after[label] for label in before}
    added = {label: after[label] - before[label] for label in before}
    assert removed["conversations.Conversation"] == {due["chat"].pk}
    assert removed["conversations.Message"] == due_messages
    assert len(removed["conversations.Attachment"]) == 1
    assert removed["cases.Case"] == {due["case"].pk}
    assert removed["cases.CaseEntryVersion"] == due_versions
    expected_labels = {
        "conversations.Conversation",
        "conversations.Message",
        "conversations.Attachment",
        "cases.Case",
        "cases.CaseEntry",
        "cases.CaseEntryVersion",
        "cases.Case_responsible",
        "cases.CaseAttachment",
        "cases.CaseConversationLink",
        # the record of the notice a conversation was started under goes with it
        "privacy.ConsentRecord",
    }
    assert {label for label, rows in removed.items() if rows} <= expected_labels
    assert {label for label, rows in added.items() if rows} == {
        "privacy.DeletionLog",
        "privacy.AuditEntry",
        "privacy.RetentionRun",  # the run's counts for the cockpit
    }
    # The files of the deleted conversation and case are gone, the kept one's is there.
    assert len(files_before - files_after) == 2 and len(files_after) == 1
    assert len(removed["cases.CaseAttachment"]) == 1
    assert len(removed["cases.CaseConversationLink"]) == 1
    shredded = set(DataKey.objects.filter(shredded_at__isnull=False).values_list("pk", flat=True))
    assert shredded == due_keys
    for record in kept.values():
        assert type(record).objects.filter(pk=record.pk).exists()


def test_shredded_content_is_unreadable_even_from_a_copy_of_the_rows(mixed, now):
    due, _kept = mixed
    sealed = Message.objects.filter(conversation=due["chat"]).first()
    engine.apply_run(now)
    key = DataKey.objects.get(pk=due["chat"].data_key_id)
    with pytest.raises(crypto.ContentShredded):
        crypto.decrypt_text(key, sealed.body_sealed, context="message.body")


def test_the_deletion_log_and_the_audit_hold_proof_but_no_content(mixed, now):
    due, _kept = mixed
    reference = due["case"].reference
    pseudonym = due["chat"].pseudonym
    engine.apply_run(now)
    logged = {(row.kind, row.record_id) for row in DeletionLog.objects.all()}
    assert logged == {
        (RetentionKind.CONVERSATION, str(due["chat"].pk)),
        (RetentionKind.CASE, str(due["case"].pk)),
    }
    case_row = DeletionLog.objects.get(kind=RetentionKind.CASE)
    assert case_row.rule_period_days == 3653 and "DSGVO" in case_row.legal_basis
    assert case_row.data_key_id == due["case"].data_key_id
    proofs = AuditEntry.objects.filter(action="retention.deleted")
    assert {(proof.object_type, proof.object_id) for proof in proofs} == {
        ("conversations.conversation", str(due["chat"].pk)),
        ("cases.case", str(due["case"].pk)),
    }
    for text in [
        *(str(vars(row)) for row in DeletionLog.objects.all()),
        *(str(vars(proof)) for proof in AuditEntry.objects.filter(action__startswith="retention")),
    ]:
        for secret in (SECRET, "Leon Krause", reference, pseudonym):
            assert secret not in text
    assert audit.verify().ok


def test_a_second_run_deletes_nothing_more(mixed, now):
    first = engine.apply_run(now)
    assert first.total_deleted == 2
    logged = DeletionLog.objects.count()
    second = engine.apply_run(now)
    assert second.total_deleted == 0 and second.planned == 0
    assert DeletionLog.objects.count() == logged
    assert audit.verify().ok


def test_a_hold_placed_after_the_plan_still_protects(mixed, now, dpo):
    due, _kept = mixed
    plan = engine.plan_run(now)
    LegalHold.objects.create(case=due["case"], reason="Anfrage Gericht", placed_by=dpo)
    case_item = next(item for item in plan if item.kind == RetentionKind.CASE)
    assert engine._delete_one(case_item, now) is False
    assert Case.objects.filter(pk=due["case"].pk).exists()


def test_the_daily_task_is_registered_and_runs_the_engine(mixed, now):
    from hafen.lib.periodic import REGISTRY
    from hafen.privacy.retention import tasks

    assert REGISTRY[tasks.apply_retention.module_path][1] == timedelta(hours=24)
    assert tasks.apply_retention.call() == 2


def test_a_conversation_of_a_deleted_case_then_follows_its_own_rule(counsellor, youth, now):
    chat = conversation(youth, now - timedelta(days=400))
    case = closed_case(counsellor, youth, date(2001, 5, 1), linked=chat)
    assert {(item.kind, item.record_id) for item in engine.plan_run(now)} == {
        (RetentionKind.CASE, case.pk)
    }
    engine.apply_run(now)
    assert Conversation.objects.filter(pk=chat.pk).exists()
    assert engine.apply_run(now).deleted == {RetentionKind.CONVERSATION: 1}
    assert not Conversation.objects.filter(pk=chat.pk).exists()
