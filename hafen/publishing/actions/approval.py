"""Submitting for approval, approving exactly the version shown, sending back.

Nothing reaches a channel without an approval: deliveries are made only here, at the
moment of approval, for the approved version.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hafen.accounts.models import User
from hafen.privacy import audit
from hafen.publishing import access, checking
from hafen.publishing.actions.errors import PublishingError
from hafen.publishing.actions.posts import add_comment
from hafen.publishing.models import (
    ChannelKind,
    CommentKind,
    Delivery,
    DeliveryState,
    Post,
    PostState,
)


def _locked(user: User, post: Post) -> Post:
    if not access.may_see_posts(user) or post.organisation_id != user.organisation_id:
        raise PublishingError(_("You may not work on this post."))
    return (
        Post.objects.select_for_update(of=("self",))
        .select_related("current_version")
        .get(pk=post.pk)
    )


def _check_shown_version(post: Post, version_id: int | None) -> None:
    if version_id is None or post.current_version_id != version_id:
        raise PublishingError(
            _(
                "The text changed since you opened this page. Nothing was done; "
                "please read the current version."
            )
        )


@transaction.atomic
def submit(user: User, post: Post, *, version_id: int | None, justification: str = "") -> Post:
    """The draft goes to the approvers; a second click changes nothing."""
    post = _locked(user, post)
    if post.state == PostState.SUBMITTED and post.submitted_version_id == version_id:
        return post  # a double click: already submitted, exactly this version
    if post.state != PostState.DRAFT:
        raise PublishingError(_("Only a draft can be submitted for approval."))
    _check_shown_version(post, version_id)
    if not post.channels.exists():
        raise PublishingError(_("Choose at least one channel before submitting."))
    assert post.current_version is not None
    version = post.current_version
    outcome = checking.check_post_text(
        post.organisation_id, checking.whole_post(version.title, version.text)
    )
    justification = justification.strip()
    if checking.needs_justification(outcome) and not justification:
        raise PublishingError(
            _(
                "The check found details that could make a person recognisable. Rewrite the "
                "text, or write down why it may be published as it is (for example: the "
                "person agreed in writing)."
            )
        )
    post.state = PostState.SUBMITTED
    post.submitted_version_id = post.current_version_id
    post.submitted_at = timezone.now()
    post.justification = justification
    post.save(update_fields=["state", "submitted_version", "submitted_at", "justification"])
    audit.record(
        "publishing.submitted",
        actor=user,
        target=post,
        organisation_id=post.organisation_id,
        version=post.current_version.number,
        risk=str(outcome[1]) if outcome else "unchecked",
        justified=bool(justification),
    )
    return post


def _check_approver(user: User, post: Post) -> None:
    if not access.is_approver(user, post.organisation_id):
        raise PublishingError(_("You are not one of the people who approve posts."))
    if access.wrote(user, post):
        raise PublishingError(
            _("You wrote this post, so somebody else must approve it (four-eyes principle).")
        )


@transaction.atomic
def approve(user: User, post: Post, *, version_id: int | None) -> Post:
    post = _locked(user, post)
    _check_shown_version(post, version_id)
    _check_approver(user, post)
    if post.state != PostState.SUBMITTED or post.submitted_version_id != version_id:
        raise PublishingError(_("This post is not waiting for approval."))
    now = timezone.now()
    due = max(now, post.planned_at) if post.planned_at else now
    assert post.current_version is not None
    for channel in post.channels.all():
        Delivery.objects.create(
            post=post,
            channel=channel,
            version=post.current_version,
            due_at=due,
            state=DeliveryState.BY_HAND
            if channel.kind == ChannelKind.MANUAL
            else DeliveryState.PENDING,
        )
    post.state = PostState.APPROVED
    post.approved_version_id = post.current_version_id
    post.approved_by = user
    post.approved_at = now
    post.save(update_fields=["state", "approved_version", "approved_by", "approved_at"])
    audit.record(
        "publishing.approved",
        actor=user,
        target=post,
        organisation_id=post.organisation_id,
        version=post.current_version.number,
    )
    if due <= now:
        from hafen.publishing.tasks import publish_due_deliveries

        transaction.on_commit(lambda: publish_due_deliveries.enqueue())
    return post


@transaction.atomic
def send_back(user: User, post: Post, *, version_id: int | None, comment: str) -> Post:
    post = _locked(user, post)
    _check_shown_version(post, version_id)
    _check_approver(user, post)
    if post.state != PostState.SUBMITTED:
        raise PublishingError(_("This post is not waiting for approval."))
    if not comment.strip():
        raise PublishingError(_("Please say in a comment what should change."))
    post.state = PostState.DRAFT
    post.submitted_version = None
    post.submitted_at = None
    post.save(update_fields=["state", "submitted_version", "submitted_at"])
    add_comment(user, post, comment.strip(), kind=CommentKind.SENT_BACK)
    assert post.current_version is not None
    audit.record(
        "publishing.sent_back",
        actor=user,
        target=post,
        organisation_id=post.organisation_id,
        version=post.current_version.number,
    )
    return post
