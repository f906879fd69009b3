"""What case work adds to the start page: the person's to-do list and notices.

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


def notices_panel(request: HttpRequest) -> dict[str, Any]:
    """Unread notices: a review due (responsible staff), an emergency access to case
    files (the data-protection officer). Nothing is shown when there are none."""
    from hafen.cases import queries

    user = request.user
    if not isinstance(user, User):
        return {}
    return {"notices": queries.unread_notices(user), "here": request.get_full_path()}


def register() -> None:
    """Called once from ``CasesConfig.ready``."""
    from hafen.accounts.models import Role
    from hafen.home.roles import PANELS, Panel

    todo = Panel("cases/panel_todo.html", todo_panel)
    notices = Panel("cases/panel_notices.html", notices_panel)
    for panel, roles in (
        (notices, (Role.DPO, Role.COUNSELLOR, Role.VOLUNTEER, Role.LEADERSHIP)),
        (todo, (Role.COUNSELLOR, Role.VOLUNTEER)),
    ):
        for role in roles:
            if not any(known.template == panel.template for known in PANELS[role]):
                PANELS[role].append(panel)
