"""Background work of push notifications (run by `hafen worker`)."""

from __future__ import annotations

from django_tasks import task

from hafen.push import actions


@task()
def send_answer_notifications(conversation_id: int) -> int:
    """Tell the client's browsers that the team answered (no content); see actions."""
    return actions.send_answer_notifications(conversation_id)
