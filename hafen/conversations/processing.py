"""Processing of personal data by the client door and the team inbox (Art. 30 DSGVO)."""

from django.utils.translation import gettext_lazy as _

from hafen.privacy.register import CLIENTS, STAFF, TEAM, THIRD_PARTIES, Processing, declare

declare(
    Processing(
        key="conversations.chat_counselling",
        name=_("Online counselling by chat (client door and team inbox)"),
        purpose=_(
            "Counselling people who write to a team through the organisation's own chat, "
            "without registration; organising the answers within the team."
        ),
        persons=(CLIENTS, THIRD_PARTIES, STAFF),
        data=(
            _(
                "Random pseudonym, keyed hash (HMAC) of the return code, "
                "password hash of the passphrase"
            ),
            _("Messages, attachments, internal notes and transfer reasons (encrypted)"),
            _("States, times, channel of first contact, client language, delivery marks"),
            _("Which staff member wrote, was assigned or transferred"),
            _("Personal canned replies of staff"),
        ),
        legal_basis=(
            "Art. 6 Abs. 1 lit. a und b DSGVO",
            "Art. 9 Abs. 2 lit. a und h DSGVO",
            "§ 35 SGB I, §§ 67 ff. SGB X",
            "§§ 61 ff. SGB VIII",
            "§ 203 StGB",
        ),
        retention=_(
            "Until the client deletes the conversation with the return code, or the "
            "organisation's retention rule for conversations deletes it after the last "
            "message; the content is destroyed with its key."
        ),
        recipients=(TEAM,),
        safeguards=(
            _("Encrypted per conversation; crypto-shredding on deletion"),
            _("No registration, no e-mail, phone number, IP address or browser data"),
            _("Return code stored only as a keyed hash (HMAC)"),
            _("Reading and changes recorded in the audit log"),
        ),
        models=(
            "conversations.Conversation",
            "conversations.Message",
            "conversations.Attachment",
            "conversations.Note",
            "conversations.Transfer",
            "conversations.CannedReply",
            "sessions.Session",
        ),
        special_categories=True,
    )
)
