"""Every erasure leaves a row in the deletion log, whatever its cause, so that a restored
backup can shred the same keys again (replay): retention, the client in the door, a request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from hafen.conversations.models import Conversation, Message
from hafen.conversations.tests.conftest import start_conversation
from hafen.privacy.models import AuditEntry, DataKey
from hafen.privacy.retention import engine
from hafen.privacy.retention.models import DeletionCause, DeletionLog, RetentionKind


@pytest.fixture(autouse=True)
def _office_hours(during_office_hours):
    """The door answers without an automatic away message."""


def test_the_clients_own_deletion_writes_the_deletion_log(org, django_capture_on_commit_callbacks):
    door = start_conversation()
    door.send("Bitte alles löschen")
    conversation = door.conversation

    with django_capture_on_commit_callbacks(execute=True):
        response = door.browser.post("/gespraech/loeschen/", {"confirm": "yes"})

    assert response.status_code == 200
    assert not Conversation.objects.filter(pk=conversation.pk).exists()
    assert not Message.objects.filter(conversation_id=conversation.pk).exists()
    assert DataKey.objects.get(pk=conversation.data_key_id).is_shredded
    log = DeletionLog.objects.get()
    assert (log.kind, log.record_id, log.data_key_id, log.cause) == (
        RetentionKind.CONVERSATION,
        str(conversation.pk),
        conversation.data_key_id,
        DeletionCause.CLIENT,
    )
    assert log.organisation_id == conversation.organisation_id
    assert log.rule_period_days is None and log.request_id is None
    assert AuditEntry.objects.filter(action="conversation.deleted_by_client").count() == 1


def test_an_unconfirmed_deletion_by_the_client_logs_nothing(org):
    door = start_conversation()
    assert door.browser.post("/gespraech/loeschen/", {}).status_code == 400
    assert not DeletionLog.objects.exists()


def test_retention_names_its_cause_and_rule(org):
    door = start_conversation()
    door.send("Hallo")
    now = timezone.now()
    Conversation.objects.filter(pk=door.conversation.pk).update(
        last_activity_at=now - timedelta(days=100)
    )
    engine.apply_run(now)
    log = DeletionLog.objects.get()
    assert (log.cause, log.rule_period_days) == (DeletionCause.RETENTION, 90)


def test_the_database_refuses_a_retention_row_without_its_rule_or_a_request_row_without_request(
    db,
):
    now = timezone.now()
    for cause, record_id in ((DeletionCause.RETENTION, "1"), (DeletionCause.REQUEST, "2")):
        with pytest.raises(IntegrityError), transaction.atomic():
            DeletionLog.objects.create(
                kind=RetentionKind.CASE, record_id=record_id, cause=cause, deleted_at=now
            )
