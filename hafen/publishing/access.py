"""Who may see and do what in public communication: the one door to posts.

- posts, the calendar, campaigns and comments: communications staff, counsellors and
  leadership of the organisation (``POST_ROLES``); everybody else gets 404;
- approving: leadership, or staff whom leadership named (``Approver``) — never the
  author of the post nor anybody who wrote one of its versions (four eyes);
- channels: communications and leadership; approvers and guidelines: leadership.
"""

from __future__ import annotations

from django.http import Http404

from hafen.accounts.access import has_role
from hafen.accounts.models import Role, User
from hafen.publishing.models import Approver, Delivery, Post

POST_ROLES = (Role.COMMUNICATIONS, Role.COUNSELLOR, Role.LEADERSHIP)
CHANNEL_ROLES = (Role.COMMUNICATIONS, Role.LEADERSHIP)


def may_see_posts(user: object) -> bool:
    return (
        isinstance(user, User) and user.organisation_id is not None and has_role(user, *POST_ROLES)
    )


def may_manage_channels(user: object) -> bool:
    return (
        isinstance(user, User)
        and user.organisation_id is not None
        and has_role(user, *CHANNEL_ROLES)
    )


def is_approver(user: User, organisation_id: int) -> bool:
    if user.organisation_id != organisation_id or not user.is_active:
        return False
    if has_role(user, Role.LEADERSHIP):
        return True
    return Approver.objects.filter(organisation_id=organisation_id, user=user).exists()


def wrote(user: User, post: Post) -> bool:
    """Is ``user`` the author or the writer of any version of ``post``?"""
    return post.author_id == user.pk or post.versions.filter(created_by=user).exists()


def access_post(user: object, post_id: int) -> Post:
    """The post, if the person may see it; 404 otherwise (ids of others reveal nothing)."""
    if not may_see_posts(user):
        raise Http404
    assert isinstance(user, User) and user.organisation_id is not None
    try:
        return Post.objects.select_related(
            "organisation", "author", "campaign", "current_version", "approved_by"
        ).get(pk=post_id, organisation_id=user.organisation_id)
    except Post.DoesNotExist:
        raise Http404 from None


def access_delivery(user: object, delivery_id: int) -> Delivery:
    if not may_see_posts(user):
        raise Http404
    assert isinstance(user, User) and user.organisation_id is not None
    try:
        return Delivery.objects.select_related("post", "channel").get(
            pk=delivery_id, post__organisation_id=user.organisation_id
        )
    except Delivery.DoesNotExist:
        raise Http404 from None
