"""Start-page panels of public communication (registered in ``apps.PublishingConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest

from hafen.accounts.models import User
from hafen.publishing import access, queries
from hafen.publishing.models import Post, PostState


def posts_panel(request: HttpRequest) -> dict[str, Any]:
    """Counts by state, and for approvers the posts waiting for them."""
    user = request.user
    if not isinstance(user, User) or not access.may_see_posts(user):
        return {}
    assert user.organisation_id is not None
    counts = dict(
        Post.objects.of_organisation(user.organisation_id)
        .values_list("state")
        .annotate(count=Count("pk"))
        .values_list("state", "count")
    )
    waiting: list[Post] = []
    if access.is_approver(user, user.organisation_id):
        waiting = [
            post
            for post in queries.posts_of(user.organisation_id).filter(state=PostState.SUBMITTED)[
                :10
            ]
            if not access.wrote(user, post)
        ]
    return {
        "counts": [(state, label, counts.get(state, 0)) for state, label in PostState.choices],
        "waiting": waiting,
    }


def guideline_panel(request: HttpRequest) -> dict[str, Any]:
    """A notice until the person acknowledged the current guidelines."""
    user = request.user
    if not isinstance(user, User) or user.organisation_id is None:
        return {}
    current = queries.current_guideline(user.organisation_id)
    if current is None or queries.has_acknowledged(user, current):
        return {}
    return {"current": current}
