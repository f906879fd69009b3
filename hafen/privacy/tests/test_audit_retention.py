"""Audit entries past their period leave the start of the chain, and the chain still
verifies; a checkpoint that the chain does not confirm is found."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from hafen.conftest import login_client
from hafen.privacy import audit
from hafen.privacy.models import AuditCheckpoint, AuditEntry, prune_audit_entries
from hafen.privacy.retention import actions, engine
from hafen.privacy.retention.models import DeletionLog, RetentionKind, RetentionRun


def _age(entries, days: int) -> None:
    """Move entries into the past, as if they had been written ``days`` ago (the
    application cannot change entries, so this goes around it, like time would)."""
    then = timezone.now() - timedelta(days=days)
    with connection.cursor() as cursor:
        for entry in entries:
            cursor.execute(
                "UPDATE privacy_auditentry SET at = %s WHERE seq = %s", [then, entry.seq]
            )


def _rehash_from(seq: int) -> None:
    """Re-chain every entry from ``seq`` on after their times were moved (the test's
    stand-in for entries that really were written years ago)."""
    previous = AuditEntry.objects.filter(seq__lt=seq).order_by("-seq").first()
    previous_hash = previous.entry_hash if previous else audit.GENESIS_HASH
    with connection.cursor() as cursor:
        for entry in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
            entry.previous_hash = previous_hash
            new_hash = audit.entry_hash(entry)
            cursor.execute(
                "UPDATE privacy_auditentry SET previous_hash = %s, entry_hash = %s WHERE seq = %s",
                [previous_hash, new_hash, entry.seq],
            )
            previous_hash = new_hash
        cursor.execute("UPDATE privacy_audithead SET entry_hash = %s WHERE id = 1", [previous_hash])


@pytest.fixture
def old_and_new(db):
    """Five entries four years old, three from today; the chain verifies."""
    old = [audit.record("test.old", number=n) for n in range(5)]
    new = [audit.record("test.new", number=n) for n in range(3)]
    _age(old, days=4 * 365)
    _rehash_from(old[0].seq)
    assert audit.verify().ok
    return old, new


def test_entries_past_the_period_go_and_the_chain_still_verifies(old_and_new):
    old, new = old_and_new
    report = engine.apply_run()
    assert not report.failed
    assert not AuditEntry.objects.filter(seq__in=[e.seq for e in old]).exists()
    assert AuditEntry.objects.filter(seq__in=[e.seq for e in new]).count() == 3
    result = audit.verify()
    assert result.ok, result.reason
    checkpoint = AuditCheckpoint.objects.get()
    assert checkpoint.seq == old[-1].seq
    proof = AuditEntry.objects.get(action="audit.pruned")
    assert proof.details["up_to"] == old[-1].seq and proof.details["count"] == 5
    assert RetentionRun.objects.get().deleted_audit == 5
    logged = DeletionLog.objects.get(kind=RetentionKind.AUDIT)
    assert logged.record_id == f"{old[0].seq}-{old[-1].seq}"


def test_a_second_run_removes_nothing_more(old_and_new):
    engine.apply_run()
    count = AuditEntry.objects.count()
    engine.apply_run()
    assert AuditEntry.objects.filter(action__in=["test.old", "test.new"]).count() == 3
    assert AuditCheckpoint.objects.count() == 1
    assert audit.verify().ok
    assert AuditEntry.objects.count() >= count


def test_a_longer_rule_keeps_the_entries(old_and_new, dpo):
    actions.set_rule(dpo, RetentionKind.AUDIT, 6 * 365, "§ 78a SGB X, Prüfung durch den Träger")
    engine.apply_run()
    assert AuditEntry.objects.filter(action="test.old").count() == 5
    assert not AuditCheckpoint.objects.exists()


def test_a_checkpoint_the_chain_does_not_confirm_is_found(old_and_new):
    old, _new = old_and_new
    # An attacker removes old entries and plants a checkpoint, without the proof entry.
    AuditCheckpoint.objects.create(seq=old[-1].seq, entry_hash=old[-1].entry_hash)
    prune_audit_entries(old[-1].seq)
    result = audit.verify()
    assert not result.ok and "not confirmed" in result.reason


def test_entries_removed_after_the_checkpoint_are_still_found(old_and_new):
    _old, new = old_and_new
    engine.apply_run()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM privacy_auditentry WHERE seq = %s", [new[1].seq])
    result = audit.verify()
    assert not result.ok and result.broken_seq == new[1].seq


def test_the_dry_run_counts_the_old_entries(old_and_new, dpo):
    browser = login_client(dpo)
    browser.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = browser.get("/datenschutz/aufbewahrung/vorschau/").content.decode()
    assert "Also 5 audit entries past their period" in page
    assert AuditEntry.objects.filter(action="test.old").count() == 5
