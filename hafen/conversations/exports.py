"""The client's own copy of a conversation (self-service, Art. 15 and 20 GDPR)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from hafen.conversations import queries
from hafen.conversations.models import Conversation, Sender
from hafen.privacy import audit


def client_text(conversation: Conversation) -> str:
    """Plain text, readable on any phone; attachments are named, not embedded."""
    team = conversation.team
    lines = [
        _("Conversation with %(team)s") % {"team": team.name},
        _("Your name in the conversation: %(pseudonym)s") % {"pseudonym": conversation.pseudonym},
        _("Downloaded: %(when)s") % {"when": timezone.localtime().strftime("%d.%m.%Y %H:%M")},
        "",
    ]
    speakers: dict[str, str] = {
        Sender.CLIENT: _("You"),
        Sender.STAFF: team.name,
        Sender.SYSTEM: _("Automatic"),
    }
    for message in queries.messages_after(conversation, 0, viewer="client", limit=100_000):
        payload = queries.message_payload(conversation, message, viewer="client")
        when = timezone.localtime(message.created_at).strftime("%d.%m.%Y %H:%M")
        lines.append(f"[{when}] {speakers[message.sender]}:")
        lines.append(payload["body"])
        if "attachment" in payload:
            lines.append(_("(Attachment: %(name)s)") % {"name": payload["attachment"]["name"]})
        lines.append("")
    return "\n".join(lines)


def client_download(conversation: Conversation) -> HttpResponse:
    body = client_text(conversation)
    audit.record(
        "conversation.exported_by_client",
        target=conversation,
        organisation_id=conversation.organisation_id,
    )
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="hafen-gespraech-{stamp}.txt"'
    return response
