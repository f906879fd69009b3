"""What case work adds to the start page: the person's to-do list.

Counsellors and volunteers see their open action items (from minutes) and the plan
reviews due within two weeks or overdue, each linking to its page. The action items
are decrypted for their owner only (``queries.open_action_items``); the reviews show
the file number, never the client's name.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from hafen.accounts.models import User

# Reviews due within this many days show up in the to-do list.
REVIEW_HORIZON_DAYS = 14


def todo_panel(request: HttpRequest) -> dict[str, Any]:
    from hafen.cases import queries

    user = request.user
    if not isinstance(user, User):
        return {}
    items = queries.open_action_items(user)
    reviews = queries.due_reviews(user, days=REVIEW_HORIZON_DAYS)
    return {
        "action_items": items,
        "reviews": reviews,
        "empty": not items and not reviews,
        "horizon": REVIEW_HORIZON_DAYS,
        "here": request.get_full_path(),
    }


def register() -> None:
    """Called once from ``CasesConfig.ready``."""
    from hafen.accounts.models import Role
    from hafen.home.roles import PANELS, Panel

    todo = Panel("cases/panel_todo.html", todo_panel)
    for role in (Role.COUNSELLOR, Role.VOLUNTEER):
        if not any(panel.template == todo.template for panel in PANELS[role]):
            PANELS[role].append(todo)
