"""Drafts: posts, their immutable versions, images, comments and campaigns."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hafen.accounts.models import User
from hafen.privacy import audit
from hafen.publishing import access, checking, images
from hafen.publishing.actions.errors import PublishingError
from hafen.publishing.models import (
    Campaign,
    Channel,
    CommentKind,
    Post,
    PostComment,
    PostImage,
    PostState,
    PostVersion,
)

EDITABLE = (PostState.DRAFT, PostState.SUBMITTED)


def _check_may_write(user: User) -> int:
    if not access.may_see_posts(user) or user.organisation_id is None:
        raise PublishingError(_("You may not write posts."))
    return user.organisation_id


def _check_channels(organisation_id: int, channels: Iterable[Channel]) -> list[Channel]:
    chosen = list(channels)
    if any(channel.organisation_id != organisation_id or not channel.active for channel in chosen):
        raise PublishingError(_("One of the channels is not a channel of your organisation."))
    return chosen


@transaction.atomic
def _risk(organisation_id: int, title: str, text: str) -> str:
    """The check's risk level of a version, kept for the figures (how often the check
    finds something, and whether it was rewritten before submitting); "" if it failed."""
    outcome = checking.check_post_text(organisation_id, checking.whole_post(title, text))
    return str(outcome[1]) if outcome else ""


def create_post(
    user: User,
    *,
    title: str,
    text: str,
    channels: Iterable[Channel] = (),
    planned_at: datetime | None = None,
    campaign: Campaign | None = None,
) -> Post:
    organisation_id = _check_may_write(user)
    chosen = _check_channels(organisation_id, channels)
    if campaign is not None and campaign.organisation_id != organisation_id:
        raise PublishingError(_("The campaign is not one of your organisation."))
    post = Post.objects.create(
        organisation_id=organisation_id, author=user, campaign=campaign, planned_at=planned_at
    )
    version = PostVersion.objects.create(
        post=post, number=1, title=title, text=text, created_by=user,
        risk=_risk(organisation_id, title, text),
    )
    post.current_version = version
    post.save(update_fields=["current_version"])
    post.channels.set(chosen)
    audit.record(
        "publishing.post_created", actor=user, target=post, organisation_id=organisation_id
    )
    return post


@transaction.atomic
def edit_post(
    user: User,
    post: Post,
    *,
    base_version_id: int,
    title: str,
    text: str,
    channels: Iterable[Channel],
    planned_at: datetime | None,
    campaign: Campaign | None,
) -> Post:
    """Save the draft; a changed title or text becomes a new version.

    ``base_version_id`` is the version the person started from: if somebody saved
    another version meanwhile, nothing is saved (the form keeps the person's words).
    A submitted post that changes in any way (text, channels, time, campaign) goes back
    to draft: the approver would otherwise approve what they never saw.
    """
    organisation_id = _check_may_write(user)
    post = Post.objects.select_for_update().get(pk=post.pk, organisation_id=organisation_id)
    if post.state not in EDITABLE:
        raise PublishingError(_("This post is approved and can no longer be changed."))
    if post.current_version_id != base_version_id:
        raise PublishingError(
            _(
                "Somebody saved a newer version meanwhile. Your text was not saved; "
                "copy it, reload the post and work it into the newest version."
            )
        )
    chosen = _check_channels(organisation_id, channels)
    if campaign is not None and campaign.organisation_id != organisation_id:
        raise PublishingError(_("The campaign is not one of your organisation."))
    current = post.current_version
    assert current is not None
    fields = ["campaign", "planned_at"]
    changed = (
        {channel.pk for channel in chosen} != set(post.channels.values_list("pk", flat=True))
        or planned_at != post.planned_at
        or (campaign.pk if campaign else None) != post.campaign_id
    )
    if (title, text) != (current.title, current.text):
        changed = True
        version = PostVersion.objects.create(
            post=post, number=current.number + 1, title=title, text=text, created_by=user,
            risk=_risk(organisation_id, title, text),
        )
        post.current_version = version
        fields.append("current_version")
    if changed and post.state == PostState.SUBMITTED:
        # The approver would otherwise approve channels or a time they never saw.
        post.state = PostState.DRAFT
        post.submitted_version = None
        post.submitted_at = None
        fields += ["state", "submitted_version", "submitted_at"]
    post.campaign = campaign
    post.planned_at = planned_at
    post.save(update_fields=fields)
    post.channels.set(chosen)
    audit.record(
        "publishing.post_edited",
        actor=user,
        target=post,
        organisation_id=organisation_id,
        version=post.current_version.number if post.current_version else None,
    )
    return post


@transaction.atomic
def add_image(user: User, post: Post, image: images.CheckedImage, *, alt_text: str) -> PostImage:
    organisation_id = _check_may_write(user)
    if post.organisation_id != organisation_id:
        raise PublishingError(_("You may not change this post."))
    if post.state not in EDITABLE:
        raise PublishingError(_("This post is approved and can no longer be changed."))
    stored = images.store(image)
    made = PostImage.objects.create(
        post=post,
        stored_name=stored,
        content_type=image.content_type,
        size=len(image.data),
        width=image.width,
        height=image.height,
        faces=image.faces,
        alt_text=alt_text,
        uploaded_by=user,
    )
    if post.state == PostState.SUBMITTED:
        # A new picture is a change the approver has not seen.
        Post.objects.filter(pk=post.pk).update(
            state=PostState.DRAFT, submitted_version=None, submitted_at=None
        )
    audit.record(
        "publishing.image_added",
        actor=user,
        target=made,
        organisation_id=organisation_id,
        post=post.pk,
    )
    return made


@transaction.atomic
def add_comment(
    user: User, post: Post, text: str, *, kind: str = CommentKind.COMMENT
) -> PostComment:
    organisation_id = _check_may_write(user)
    if post.organisation_id != organisation_id or post.current_version_id is None:
        raise PublishingError(_("You may not comment on this post."))
    comment = PostComment.objects.create(
        post=post, author=user, kind=kind, version_id=post.current_version_id, text=text
    )
    audit.record(
        "publishing.commented",
        actor=user,
        target=comment,
        organisation_id=organisation_id,
        post=post.pk,
        kind=kind,
    )
    return comment


def create_campaign(user: User, name: str) -> Campaign:
    """A campaign of the person's organisation; the same name twice gives the same one."""
    organisation_id = _check_may_write(user)
    existing = Campaign.objects.filter(organisation_id=organisation_id, name__iexact=name).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(organisation_id=organisation_id, name=name)
            audit.record(
                "publishing.campaign_created",
                actor=user,
                target=campaign,
                organisation_id=organisation_id,
            )
    except IntegrityError:
        return Campaign.objects.get(organisation_id=organisation_id, name=name)
    return campaign
