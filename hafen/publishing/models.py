"""Public communication: posts and their versions, images, comments, campaigns, channels,
deliveries (one per post and channel), the approvers of an organisation, and the
versioned social-media guidelines with their acknowledgements.

Every write goes through ``actions``; the rules "published" and "visible to staff" are
written once here as queryset methods and used by views, the feed and tests alike.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hafen.accounts.models import Organisation

# Limits of what one post may hold; the forms say them to the author.
MAX_TITLE_CHARS = 200
MAX_TEXT_CHARS = 20_000
MAX_COMMENT_CHARS = 4_000
MAX_JUSTIFICATION_CHARS = 2_000


class ImmutableError(RuntimeError):
    """A version row was about to be changed: versions are written once."""


class Campaign(models.Model):
    """A free-named campaign of one organisation (for filtering the calendar)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="campaigns"
    )
    name = models.CharField(_("name"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="campaign_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ChannelKind(models.TextChoices):
    NEWS = "news", _("Public news page")
    MANUAL = "manual", _("Publish by hand")
    MASTODON = "mastodon", _("Mastodon")
    BLUESKY = "bluesky", _("Bluesky")
    FACEBOOK = "facebook", _("Facebook")
    INSTAGRAM = "instagram", _("Instagram")
    NEWSLETTER = "newsletter", _("Newsletter")


# Kinds Hafen delivers itself; every other kind goes through an adapter (``delivery``).
INTERNAL_KINDS = frozenset({ChannelKind.NEWS, ChannelKind.MANUAL})


class Channel(models.Model):
    """A place the organisation publishes to.

    ``config`` holds what is not secret (an instance address, a list id); access tokens
    are sealed with the channel's own data key (``actions.set_channel_secret``) and never
    shown back but for their last characters (``secret_hint``).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="channels"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=120)
    config = models.JSONField(_("settings"), default=dict, blank=True)
    data_key = models.ForeignKey(
        "privacy.DataKey", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sealed_secret = models.BinaryField(null=True, blank=True)
    secret_hint = models.CharField(max_length=8, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["name"]
        constraints = [
            # One news page per organisation: /n/<slug>/ is one page.
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(kind="news"),
                name="channel_one_news_page",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PostState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for approval")
    APPROVED = "approved", _("Scheduled")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")


class PostQuerySet(models.QuerySet["Post"]):
    def of_organisation(self, organisation_id: int) -> PostQuerySet:
        return self.filter(organisation_id=organisation_id)

    def on_news_page(self, organisation_id: int) -> PostQuerySet:
        """Posts the public may read: delivered to the organisation's news page."""
        return self.filter(
            organisation_id=organisation_id,
            deliveries__channel__kind=ChannelKind.NEWS,
            deliveries__state="delivered",
        ).distinct()


class Post(models.Model):
    """A post: its current wording lives in its newest ``PostVersion``."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=PostState.choices, default=PostState.DRAFT
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="posts"
    )
    channels = models.ManyToManyField(Channel, related_name="posts", blank=True)
    planned_at = models.DateTimeField(_("planned for"), null=True, blank=True, db_index=True)
    current_version = models.ForeignKey(
        "PostVersion", on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_version = models.ForeignKey(
        "PostVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # A written reason to go ahead despite high-risk findings of the check; the approver sees it.
    justification = models.TextField(blank=True)
    approved_version = models.ForeignKey(
        "PostVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.current_version.title if self.current_version else f"#{self.pk}"

    @property
    def title(self) -> str:
        return self.current_version.title if self.current_version else ""


class PostVersion(models.Model):
    """One immutable wording of a post: every save of the text makes a new one."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=MAX_TITLE_CHARS)
    text = models.TextField(_("text"))
    # The recognisability check's risk of this wording when it was saved: "none", "low",
    # "medium", "high"; "" when the check was not available (or before it was kept).
    risk = models.CharField(max_length=10, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("post version")
        verbose_name_plural = _("post versions")
        ordering = ["post", "number"]
        constraints = [
            models.UniqueConstraint(fields=["post", "number"], name="post_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.post_id} v{self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ImmutableError("A post version is never changed; write a new one.")
        super().save(*args, **kwargs)


class PostImage(models.Model):
    """An image of a post, checked by its content and stored under a random name."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")
    stored_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    alt_text = models.CharField(_("description for people who cannot see it"), max_length=300)
    # Faces the check counted on upload (None: not counted); > 0 asks about § 22 KUG.
    faces = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("post image")
        verbose_name_plural = _("post images")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.alt_text


class CommentKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    SENT_BACK = "sent_back", _("Sent back")


class PostComment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=CommentKind.choices, default=CommentKind.COMMENT)
    version = models.ForeignKey(PostVersion, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("comment on a post")
        verbose_name_plural = _("comments on posts")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.post_id}: {self.get_kind_display()}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Scheduled")
    SENDING = "sending", _("Being published")
    BY_HAND = "by_hand", _("Waiting to be published by hand")
    DELIVERED = "delivered", _("Published")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """Publishing one approved post to one channel.

    The worker finds due work by ``due_at`` (indexed) among pending rows, so a worker
    that was down catches up; ``idempotency_key`` goes to external services so that a
    retry after a lost answer does not post twice.
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="deliveries")
    version = models.ForeignKey(PostVersion, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        max_length=20, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    due_at = models.DateTimeField(db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    external_url = models.URLField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    idempotency_key = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["due_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["post", "channel"], name="delivery_unique")]
        indexes = [models.Index(fields=["state", "due_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.post_id} → {self.channel_id}"


class Approver(models.Model):
    """A staff member whom leadership named to approve posts (leadership always may)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="post_approvers"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("approver")
        verbose_name_plural = _("approvers")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="approver_unique")
        ]

    def __str__(self) -> str:
        return str(self.user)


class GuidelineVersion(models.Model):
    """One immutable version of the organisation's social-media guidelines."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="guideline_versions"
    )
    number = models.PositiveIntegerField()
    text = models.TextField(_("text"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("guideline version")
        verbose_name_plural = _("guideline versions")
        ordering = ["organisation", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"], name="guideline_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} v{self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ImmutableError("A guideline version is never changed; publish a new one.")
        super().save(*args, **kwargs)


class GuidelineAcknowledgement(models.Model):
    version = models.ForeignKey(
        GuidelineVersion, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("acknowledgement of guidelines")
        verbose_name_plural = _("acknowledgements of guidelines")
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="guideline_ack_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ✓ {self.version_id}"


class Subscriber(models.Model):
    """A person who asked for a newsletter by e-mail (double opt-in).

    The address is sealed with a data key of its own, shredded when the person
    unsubscribes or never confirms, so a restored backup cannot bring it back;
    ``address_digest`` (a keyed hash) finds a repeated subscription without reading any
    address. Nothing else is kept: no IP address, no name. ``confirmed_at`` with
    ``created_at`` is the proof of the double opt-in (§ 7 UWG, Art. 7 Abs. 1 DSGVO).
    """

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="subscribers")
    data_key = models.ForeignKey("privacy.DataKey", on_delete=models.PROTECT, related_name="+")
    address_sealed = models.BinaryField()
    address_digest = models.CharField(max_length=64)
    # Part of the confirm and unsubscribe links' keyed hashes; a new nonce voids old links.
    nonce = models.CharField(max_length=32)
    language = models.CharField(max_length=10, default="de")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("newsletter subscriber")
        verbose_name_plural = _("newsletter subscribers")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address_digest"], name="subscriber_address_unique"
            )
        ]

    def __str__(self) -> str:
        return f"subscriber {self.pk}"


class NewsletterSend(models.Model):
    """One subscriber's copy of one newsletter delivery (the mail server accepted it).

    A retry after an interrupted sending goes to the subscribers without a row only.
    """

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="sends")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="sends")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("newsletter copy")
        verbose_name_plural = _("newsletter copies")
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "subscriber"], name="newsletter_send_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} → {self.subscriber_id}"
