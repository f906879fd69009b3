"""Processing of personal data in the partner network (Art. 30 DSGVO)."""

from django.utils.translation import gettext_lazy as _

from hafen.privacy.register import CLIENTS, STAFF, TEAM, Processing, declare

declare(
    Processing(
        key="network.directory",
        name=_("Partner directory and cooperation agreements"),
        purpose=_(
            "Knowing which partner organisations offer what, where and in which languages, "
            "how to reach their contact persons, and what was agreed with them."
        ),
        persons=(_("Contact persons of partner organisations"), STAFF),
        data=(
            _("Name, function, phone, e-mail and notes of contact persons"),
            _("The day the details were last confirmed"),
            _("Agreements with partners, the responsible colleague and the review date"),
        ),
        legal_basis=("Art. 6 Abs. 1 lit. b und f DSGVO",),
        retention=_(
            "A contact person nobody confirmed for two years is marked for checking; after "
            "three years without confirmation the daily task deletes it. Agreements stay "
            "while the partner is in the directory."
        ),
        recipients=(_("Staff of the organisation"),),
        safeguards=(
            _("Only staff of the organisation see the directory; changes are audited"),
            _("Exported lists are protected against spreadsheet formulas"),
        ),
        models=("network.Partner", "network.Contact", "network.Agreement"),
    )
)

declare(
    Processing(
        key="network.referrals",
        name=_("Referrals of clients to partner organisations"),
        purpose=_(
            "Referring a client to a partner with the client's consent, recording what was "
            "passed on and how the referral went; counting referrals per partner."
        ),
        persons=(CLIENTS, STAFF),
        data=(
            _("Case file, partner, date, outcome and the consent it rests on"),
            _("What was passed on to the partner (encrypted)"),
            _("Who referred"),
        ),
        legal_basis=(
            "Art. 6 Abs. 1 lit. a DSGVO, Art. 9 Abs. 2 lit. a DSGVO",
            "§ 67d SGB X, §§ 64, 65 SGB VIII",
        ),
        retention=_("Kept with the case file and deleted with it."),
        recipients=(TEAM, _("The partner organisation the client is referred to")),
        safeguards=(
            _("Encrypted with the case's own key; crypto-shredding on deletion"),
            _("No referral without a recorded, standing consent of the client"),
            _("Every referral and outcome recorded in the audit log"),
        ),
        models=("network.Referral",),
        special_categories=True,
    )
)

declare(
    Processing(
        key="network.events",
        name=_("Events and the calendar feed"),
        purpose=_(
            "Planning which colleagues go to conferences, trainings, barcamps and meetups, "
            "and offering the events to their calendar apps."
        ),
        persons=(STAFF,),
        data=(
            _("Events, who goes, who entered them"),
            _("A hash of each person's calendar-feed secret"),
        ),
        legal_basis=("Art. 6 Abs. 1 lit. b DSGVO", "§ 26 BDSG"),
        retention=_("As long as the organisation keeps the events."),
        recipients=(_("Staff of the organisation"),),
        safeguards=(_("Only the hash of the feed secret is stored; the person can renew it"),),
        models=("network.Event", "network.FeedToken"),
    )
)
