"""The privacy core's background work, found by ``hafen worker`` (hafen.lib.periodic)."""

from django_tasks import task

from hafen.lib.periodic import every
from hafen.privacy import audit
from hafen.privacy.retention.tasks import apply_retention  # noqa: F401  (daily retention run)


@every(hours=24)
@task()
def verify_audit_chain() -> bool:
    """Verify the whole chain daily, so the cockpit shows a fresh result without a click;
    the result is itself an audit entry (the cockpit reads the latest)."""
    result = audit.verify()
    audit.record("audit.verified", intact=result.ok, checked=result.checked)
    return result.ok
