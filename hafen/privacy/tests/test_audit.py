"""The audit chain: entries appear for staff actions; any alteration is found."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from hafen.conftest import login_client
from hafen.privacy import audit
from hafen.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


def _raw(sql: str, params: list[object]) -> None:
    """Change the table behind the application's back, as an intruder with DB access would."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_staff_actions_leave_entries_without_content(admin_user, counsellor) -> None:
    client = login_client(admin_user)
    client.post(
        "/konto/team/",
        {
            "display_name": "Neue Kollegin",
            "role": "counsellor",
            "team": counsellor.memberships.first().team_id,
        },
    )

    actions = list(AuditEntry.objects.values_list("action", "actor_label"))
    assert ("account.login", "admin") in actions
    assert ("staff.invited", "admin") in actions
    invited = AuditEntry.objects.get(action="staff.invited")
    assert "Neue Kollegin" not in str(invited.details)  # names are content of the invitation


def test_details_refuse_anything_that_looks_like_content() -> None:
    with pytest.raises(audit.AuditDetailError):
        audit.record("case.entry_written", text="x" * 500)
    with pytest.raises(audit.AuditDetailError):
        audit.record("case.entry_written", body={"nested": "text"})  # type: ignore[arg-type]


def test_verify_passes_on_an_untouched_chain() -> None:
    for i in range(5):
        audit.record("test.action", step=i)

    result = audit.verify()

    assert result.ok and result.checked == 5


def test_an_altered_entry_is_found(capsys) -> None:
    entries = [audit.record("test.action", step=i) for i in range(5)]
    _raw(
        "UPDATE privacy_auditentry SET action = %s WHERE seq = %s", ["test.forged", entries[2].seq]
    )

    with pytest.raises(CommandError, match=f"entry {entries[2].seq}: its content was altered"):
        call_command("audit", "verify")


def test_a_deleted_entry_in_the_middle_is_found() -> None:
    entries = [audit.record("test.action", step=i) for i in range(5)]
    _raw("DELETE FROM privacy_auditentry WHERE seq = %s", [entries[1].seq])

    result = audit.verify()

    assert not result.ok and result.broken_seq == entries[1].seq


def test_entries_cut_off_at_the_end_are_found() -> None:
    entries = [audit.record("test.action", step=i) for i in range(5)]
    _raw("DELETE FROM privacy_auditentry WHERE seq >= %s", [entries[3].seq])

    result = audit.verify()

    assert not result.ok and result.broken_seq == entries[3].seq


def test_a_rewritten_hash_is_found_at_the_next_entry() -> None:
    entries = [audit.record("test.action", step=i) for i in range(3)]
    _raw(
        "UPDATE privacy_auditentry SET details = %s, entry_hash = %s WHERE seq = %s",
        ['{"step": 99}', "f" * 64, entries[1].seq],
    )

    result = audit.verify()

    assert not result.ok and result.broken_seq == entries[1].seq


def test_the_application_cannot_change_or_delete_entries() -> None:
    entry = audit.record("test.action")

    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.update(action="x")


def test_the_command_reports_an_intact_log(capsys) -> None:
    audit.record("test.action")

    call_command("audit", "verify")

    assert "intact: 1 entries verified" in capsys.readouterr().out


def test_the_dpo_verifies_the_chain_from_the_browser(dpo) -> None:
    client = login_client(dpo)

    response = client.post("/audit/verify/", follow=True)

    assert response.status_code == 200
    assert AuditEntry.objects.filter(action="audit.verified", actor_id=dpo.pk).exists()


def test_a_counsellor_cannot_verify_or_read_the_audit_log(counsellor) -> None:
    client = login_client(counsellor)

    assert client.post("/audit/verify/").status_code == 403
    assert client.get("/start/dpo/").status_code == 302
