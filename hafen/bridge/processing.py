"""Processing of personal data by handovers from social networks (Art. 30 DSGVO)."""

from django.utils.translation import gettext_lazy as _

from hafen.privacy.register import CLIENTS, STAFF, Processing, declare

declare(
    Processing(
        key="bridge.handover",
        name=_("Handover of first contacts from social networks"),
        purpose=_(
            "Moving a person who first wrote on a social network or by e-mail into a "
            "secure conversation with the right team; measuring how many arrive."
        ),
        persons=(CLIENTS, STAFF),
        data=(
            _("Channel of first contact, an optional short topic, times of the handover link"),
            _("Hash of the one-time link, the conversation it started"),
            _("Staff member who made the link or edited a reply text"),
        ),
        legal_basis=("Art. 6 Abs. 1 lit. a und b DSGVO", "§§ 67a ff. SGB X"),
        retention=_(
            "The link works for at most 30 days; the record stays for the figures and "
            "loses its conversation when that is deleted."
        ),
        recipients=(_("Staff of the team the link leads to"),),
        safeguards=(
            _("Nothing from the social network is copied into Hafen"),
            _("Only a hash of the link is stored; a link works once"),
        ),
        models=("bridge.Handover", "bridge.ReplyText"),
    )
)
