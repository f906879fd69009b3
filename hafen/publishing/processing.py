"""Processing of personal data by public communication (Art. 30 DSGVO)."""

from django.utils.translation import gettext_lazy as _

from hafen.privacy.register import STAFF, Processing, declare

declare(
    Processing(
        key="publishing.posts",
        name=_("Public communication: posts, approval and publishing"),
        purpose=_(
            "Planning, writing, checking, approving and publishing the organisation's posts "
            "on its news page and other channels; proving who approved what."
        ),
        persons=(STAFF,),
        data=(
            _("Author, writers of versions, commenters and approvers of a post, with times"),
            _("Texts and images of posts, which must not identify clients"),
            _("Who published a post by hand, and when"),
            _("Sealed access tokens of the organisation's channels"),
        ),
        legal_basis=("Art. 6 Abs. 1 lit. b und f DSGVO", "§ 26 BDSG"),
        retention=_(
            "Posts stay while the organisation keeps them; published posts are public "
            "on the news page without staff names."
        ),
        recipients=(
            _("Communications staff, counsellors and leadership of the organisation"),
            _("The public, for published posts"),
        ),
        safeguards=(
            _("Approval by a second person; every step in the audit log without content"),
            _("Channel tokens encrypted with a data key per channel"),
        ),
        models=(
            "publishing.Post",
            "publishing.PostVersion",
            "publishing.PostImage",
            "publishing.PostComment",
            "publishing.Delivery",
            "publishing.Channel",
            "publishing.Campaign",
            "publishing.Approver",
        ),
    )
)

declare(
    Processing(
        key="publishing.guidelines",
        name=_("Social-media guidelines and their acknowledgement"),
        purpose=_(
            "Giving staff the organisation's rules for public communication and recording "
            "that each person read the current version."
        ),
        persons=(STAFF,),
        data=(
            _("Versions of the guidelines and who published them"),
            _("Who acknowledged which version, and when"),
        ),
        legal_basis=("Art. 6 Abs. 1 lit. b DSGVO", "§ 26 BDSG"),
        retention=_("As long as the organisation keeps the guidelines."),
        recipients=(_("Leadership and communications staff of the organisation"),),
        safeguards=(_("Versions are never changed, only replaced by a new one"),),
        models=("publishing.GuidelineVersion", "publishing.GuidelineAcknowledgement"),
    )
)

declare(
    Processing(
        key="publishing.newsletter",
        name=_("Newsletter subscribers"),
        purpose=_(
            "Sending the organisation's published posts by e-mail to people who asked for "
            "them and confirmed their address (double opt-in)."
        ),
        persons=(_("Subscribers of the newsletter"),),
        data=(
            _("E-mail address (encrypted), language of the subscription"),
            _("When the subscription was asked for and confirmed, and which newsletters "
              "were sent to the address"),
        ),
        legal_basis=("Art. 6 Abs. 1 lit. a DSGVO", "§ 7 Abs. 2 Nr. 2 UWG"),
        retention=_(
            "Until the person unsubscribes (the link in every newsletter), or the mail "
            "server refuses the address for good. An address not confirmed within seven "
            "days is deleted. Deleting destroys the address's own key."
        ),
        recipients=(
            _("The organisation's mail server (SMTP)"),
            _("Nobody at the organisation sees the addresses; staff see only how many there are"),
        ),
        safeguards=(
            _("Addresses encrypted with a key per subscriber, shredded on unsubscribing"),
            _("No IP address or other data of the subscriber is kept"),
            _("Each mail goes to one address only; nobody sees another subscriber"),
        ),
        models=("publishing.Subscriber", "publishing.NewsletterSend"),
    )
)
