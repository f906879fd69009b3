"""Processing of personal data for push notifications to clients (Art. 30 DSGVO)."""

from django.utils.translation import gettext_lazy as _

from hafen.privacy.register import CLIENTS, Processing, declare

declare(
    Processing(
        key="push.client_notifications",
        name=_("Notifications to clients about new answers"),
        purpose=_(
            "Telling a client's browser that the team has answered, when the client "
            "switched notifications on; the notification carries no content."
        ),
        persons=(CLIENTS,),
        data=(
            _(
                "Push address of the browser and its keys (encrypted), "
                "keyed hash (HMAC) of the address"
            ),
        ),
        legal_basis=("Art. 6 Abs. 1 lit. a DSGVO", "§ 25 Abs. 1 TDDDG"),
        retention=_(
            "Until the client switches notifications off, the push service refuses the "
            "address, or the conversation is deleted."
        ),
        recipients=(
            _(
                "The push service of the client's browser vendor: only that there is "
                "something new, without content"
            ),
        ),
        safeguards=(
            _("Encrypted with the conversation's key; deleted with the conversation"),
            _("The notice carries no content and is encrypted for the browser alone"),
        ),
        models=("push.PushSubscription",),
    )
)
