"""Conversations between an anonymous client and a team, their messages and attachments.

Content (message bodies, attachment names and bytes, internal notes) is sealed with
the conversation's own data key; deleting a conversation shreds that key, so no
backup can bring the content back. Everything else here is metadata that the inbox
and the figures need: states, sequence numbers, times, the channel of origin.
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hafen.accounts.models import Organisation, Team
from hafen.privacy.crypto import SealedText
from hafen.privacy.models import DataKey

MAX_MESSAGE_CHARS = 4000


class Origin(models.TextChoices):
    """Where the first contact happened (the bridge sets it; the door alone is 'door')."""

    DOOR = "door", _("Client door")
    FACEBOOK = "facebook", _("Facebook")
    INSTAGRAM = "instagram", _("Instagram")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    IN_PERSON = "in_person", _("In person")
    OTHER = "other", _("Other")


class State(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting for client")
    CLOSED = "closed", _("Closed")


class Label(models.Model):
    """A short tag the organisation uses to sort conversations (never client content)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=40)

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="label_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ConversationQuerySet(models.QuerySet["Conversation"]):
    def of_teams(self, team_ids: set[int]) -> ConversationQuerySet:
        return self.filter(team_id__in=team_ids)

    def visible_to_ids(self, team_ids: set[int], user_id: int) -> ConversationQuerySet:
        """Need-to-know as a query: the given content teams, or assigned to the person."""
        return self.filter(Q(team_id__in=team_ids) | Q(assigned_to_id=user_id))


class Conversation(models.Model):
    """One client's conversation with one team.

    The client is known only by a random pseudonym; the return code is stored as a
    keyed hash (HMAC with the installation's secret), so a copy of the database
    alone does not let anybody open a conversation.
    """

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="conversations")
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+")
    pseudonym = models.CharField(_("pseudonym"), max_length=60)
    code_hash = models.CharField(max_length=64, unique=True)
    passphrase_hash = models.CharField(max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_conversations",
        verbose_name=_("assigned to"),
    )
    origin = models.CharField(
        _("origin"), max_length=12, choices=Origin.choices, default=Origin.DOOR
    )
    language = models.CharField(_("client language"), max_length=10, blank=True)
    labels = models.ManyToManyField(Label, blank=True, related_name="conversations")
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(db_index=True)
    # Sequence numbers: every message takes the next one, under a row lock.
    last_seq = models.PositiveIntegerField(default=0)
    # What each side has received and read (for "delivered" and "read" marks).
    client_delivered_seq = models.PositiveIntegerField(default=0)
    client_read_seq = models.PositiveIntegerField(default=0)
    team_delivered_seq = models.PositiveIntegerField(default=0)
    team_read_seq = models.PositiveIntegerField(default=0)
    # For the figures and the away message.
    first_answer_at = models.DateTimeField(null=True, blank=True)
    last_away_reply_at = models.DateTimeField(null=True, blank=True)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_activity_at"]
        indexes = [models.Index(fields=["team", "state", "last_activity_at"])]

    def __str__(self) -> str:
        return self.pseudonym

    def assigned_user_ids(self) -> list[int]:
        """The seam ``access.may_see`` asks: the assigned counsellor may read it too."""
        return [self.assigned_to_id] if self.assigned_to_id else []

    @property
    def organisation_id(self) -> int:
        return self.team.facility.organisation_id


class Sender(models.TextChoices):
    CLIENT = "client", _("Client")
    STAFF = "staff", _("Team")
    SYSTEM = "system", _("Automatic")


# Bound into every message ciphertext: never change it once data is written.
MESSAGE_BODY_CONTEXT = "conversation.message.body"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    seq = models.PositiveIntegerField()
    sender = models.CharField(max_length=8, choices=Sender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Made by the sending device; a retry with the same id returns the stored message.
    client_msg_id = models.CharField(max_length=64, blank=True)
    body_sealed = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    body = SealedText("body_sealed", context=MESSAGE_BODY_CONTEXT)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["conversation", "seq"]
        # The figures count a period's messages (strategy.figures): a range, not a scan.
        indexes = [models.Index(fields=["created_at"], name="message_created")]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="message_seq_unique"),
            models.UniqueConstraint(
                fields=["conversation", "sender", "client_msg_id"],
                name="message_client_id_unique",
                condition=~Q(client_msg_id=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}#{self.seq}"

    @property
    def data_key(self) -> DataKey:
        return self.conversation.data_key


class Attachment(models.Model):
    """An image or PDF a message carries, stored encrypted; images without metadata."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="attachment")
    name_sealed = models.BinaryField()
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    storage_name = models.CharField(max_length=200)

    name = SealedText("name_sealed", context="conversation.attachment.name")

    def __str__(self) -> str:
        return f"attachment of {self.message_id}"

    @property
    def data_key(self) -> DataKey:
        return self.message.conversation.data_key


class Note(models.Model):
    """An internal note of the team on a conversation; the client never sees it."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body_sealed = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    body = SealedText("body_sealed", context="conversation.note.body")

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"note on {self.conversation_id}"

    @property
    def data_key(self) -> DataKey:
        return self.conversation.data_key


class Transfer(models.Model):
    """A conversation handed to another team of the organisation (see ``triage.transfer``).

    The reason is sealed like a note: people write why a client needs another team,
    and that is about the client. The audit entry names only the two teams.
    """

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="transfers"
    )
    from_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    to_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason_sealed = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    reason = SealedText("reason_sealed", context="conversation.transfer.reason")

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"transfer of {self.conversation_id}"

    @property
    def data_key(self) -> DataKey:
        return self.conversation.data_key


class CannedReply(models.Model):
    """A ready answer: organisation-wide (owner empty) or personal. Not client content."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_replies",
    )
    title = models.CharField(_("title"), max_length=80)
    body = models.TextField(_("text"), max_length=MAX_MESSAGE_CHARS)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


def default_office_hours() -> dict[str, list[list[str]]]:
    """Monday to Friday, 9 to 17 o'clock; keys are ISO weekdays (1 = Monday)."""
    return {str(day): [["09:00", "17:00"]] for day in range(1, 6)}


def default_emergency_numbers() -> list[dict[str, str]]:
    # Free, anonymous, nationwide in Germany; they are the usual recommendation of
    # counselling services for the time their own team is away.
    return [
        {"name": "Telefonseelsorge", "number": "0800 111 0 111", "hours": "24/7"},
        {"name": "Telefonseelsorge", "number": "0800 111 0 222", "hours": "24/7"},
        {
            "name": "Nummer gegen Kummer (Kinder und Jugendliche)",
            "number": "116 111",
            "hours": "Mo-Sa 14-20",
        },
        {"name": "Notruf (Polizei)", "number": "110", "hours": "24/7"},
        {"name": "Notruf (Rettungsdienst)", "number": "112", "hours": "24/7"},
    ]


class DoorSettings(models.Model):
    """How a team's client door looks and when the team answers."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="door")
    is_open = models.BooleanField(
        _("door open"),
        default=True,
        help_text=_(
            "When closed, the public page explains that this team takes no new "
            "conversations; existing ones continue."
        ),
    )
    welcome = models.TextField(
        _("welcome text"),
        blank=True,
        max_length=1000,
        help_text=_("A few friendly sentences on the door: who you are and what you help with."),
    )
    office_hours = models.JSONField(_("office hours"), default=default_office_hours)
    away_text = models.TextField(
        _("away message"),
        blank=True,
        max_length=1000,
        help_text=_("Sent automatically outside office hours; leave empty for the default."),
    )
    emergency_numbers = models.JSONField(_("emergency numbers"), default=default_emergency_numbers)

    class Meta:
        verbose_name = _("client door settings")
        verbose_name_plural = _("client door settings")

    def __str__(self) -> str:
        return f"door of {self.team_id}"

    def intervals(self, iso_weekday: int) -> list[tuple[time, time]]:
        result = []
        for start, end in self.office_hours.get(str(iso_weekday), []):
            result.append((time.fromisoformat(start), time.fromisoformat(end)))
        return result
