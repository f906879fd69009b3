"""Channels of an organisation, their sealed secrets, and the named approvers."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hafen.accounts.access import has_role
from hafen.accounts.models import Role, User
from hafen.privacy import audit, crypto
from hafen.publishing import access
from hafen.publishing.actions.errors import PublishingError
from hafen.publishing.delivery import OFFERED_KINDS
from hafen.publishing.models import Approver, Channel, ChannelKind

SECRET_CONTEXT = "publishing.channel.secret"  # noqa: S105 (a context name, not a secret)


def _check_manager(user: User) -> int:
    if not access.may_manage_channels(user) or user.organisation_id is None:
        raise PublishingError(_("You may not change the channels."))
    return user.organisation_id


def create_channel(user: User, *, kind: str, name: str) -> Channel:
    organisation_id = _check_manager(user)
    if kind not in OFFERED_KINDS:
        raise PublishingError(_("Hafen cannot publish to this kind of channel yet."))
    try:
        with transaction.atomic():
            channel = Channel.objects.create(organisation_id=organisation_id, kind=kind, name=name)
            audit.record(
                "publishing.channel_created",
                actor=user,
                target=channel,
                organisation_id=organisation_id,
                kind=kind,
            )
    except IntegrityError:
        raise PublishingError(_("Your organisation already has a public news page.")) from None
    return channel


@transaction.atomic
def update_channel(user: User, channel: Channel, *, name: str, active: bool) -> Channel:
    organisation_id = _check_manager(user)
    if channel.organisation_id != organisation_id:
        raise PublishingError(_("You may not change the channels."))
    channel.name = name
    channel.active = active
    channel.save(update_fields=["name", "active"])
    audit.record(
        "publishing.channel_changed",
        actor=user,
        target=channel,
        organisation_id=organisation_id,
        active=active,
    )
    return channel


@transaction.atomic
def set_channel_secret(user: User, channel: Channel, secret: str) -> Channel:
    """Seal an access token with the channel's own data key; only its end stays readable."""
    organisation_id = _check_manager(user)
    if channel.organisation_id != organisation_id:
        raise PublishingError(_("You may not change the channels."))
    if channel.data_key is None:
        channel.data_key = crypto.create_data_key("publishing.channel")
    channel.sealed_secret = crypto.encrypt_text(channel.data_key, secret, context=SECRET_CONTEXT)
    channel.secret_hint = secret[-4:] if len(secret) >= 12 else ""
    channel.save(update_fields=["data_key", "sealed_secret", "secret_hint"])
    audit.record(
        "publishing.channel_secret_set",
        actor=user,
        target=channel,
        organisation_id=organisation_id,
    )
    return channel


def open_channel_secret(channel: Channel) -> str:
    """The channel's secret for an adapter (never for a page or a log); "" if none."""
    if channel.data_key is None or channel.sealed_secret is None:
        return ""
    return crypto.decrypt_text(
        channel.data_key, bytes(channel.sealed_secret), context=SECRET_CONTEXT
    )


def _check_leader(user: User) -> int:
    if user.organisation_id is None or not has_role(user, Role.LEADERSHIP):
        raise PublishingError(_("Only leadership names the approvers."))
    return user.organisation_id


@transaction.atomic
def name_approver(leader: User, person: User) -> Approver:
    organisation_id = _check_leader(leader)
    if person.organisation_id != organisation_id or not person.is_active:
        raise PublishingError(_("This person is not on your organisation's staff."))
    approver, created = Approver.objects.get_or_create(
        organisation_id=organisation_id, user=person, defaults={"named_by": leader}
    )
    if created:
        audit.record(
            "publishing.approver_named",
            actor=leader,
            target=approver,
            organisation_id=organisation_id,
            user=person.pk,
        )
    return approver


@transaction.atomic
def remove_approver(leader: User, person: User) -> None:
    organisation_id = _check_leader(leader)
    deleted, _rows = Approver.objects.filter(organisation_id=organisation_id, user=person).delete()
    if deleted:
        audit.record(
            "publishing.approver_removed",
            actor=leader,
            organisation_id=organisation_id,
            user=person.pk,
        )


def ensure_news_page(user: User) -> Channel:
    """The organisation's news page channel, made on first use."""
    organisation_id = _check_manager(user)
    existing = Channel.objects.filter(
        organisation_id=organisation_id, kind=ChannelKind.NEWS
    ).first()
    return existing or create_channel(user, kind=ChannelKind.NEWS, name=_("News"))


def configure_channel(
    user: User, channel: Channel, config: dict[str, str], secret: str | None
) -> Channel:
    """Save an external channel's settings after its adapter accepted them.

    ``secret`` None keeps the stored one. The adapter's ``validate`` runs on what will
    be stored (the kept secret included); its ``ChannelError`` comes back as a
    ``PublishingError`` with the adapter's message, and nothing is saved.
    """
    from hafen.publishing.channels import Account, ChannelError, adapter_for
    from hafen.publishing.delivery import EXTERNAL_KINDS, secret_field

    organisation_id = _check_manager(user)
    if channel.organisation_id != organisation_id or channel.kind not in EXTERNAL_KINDS:
        raise PublishingError(_("You may not change the channels."))
    kept = open_channel_secret(channel) if secret is None else secret
    field = secret_field(channel.kind)
    try:
        adapter_for(channel.kind).validate(Account(config, {field: kept} if kept else {}))
    except ChannelError as error:
        raise PublishingError(str(error)) from None
    with transaction.atomic():
        channel.config = config
        channel.save(update_fields=["config"])
        audit.record(
            "publishing.channel_configured",
            actor=user,
            target=channel,
            organisation_id=organisation_id,
        )
        if secret is not None:
            set_channel_secret(user, channel, secret)
    return channel
