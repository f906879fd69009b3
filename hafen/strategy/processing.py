"""Processing of staff data by the communication strategy (Art. 30 DSGVO)."""

from django.utils.translation import gettext_lazy as _

from hafen.privacy.register import STAFF, Processing, declare

declare(
    Processing(
        key="strategy.strategy",
        name=_("Communication strategy: people taking part and their hours"),
        purpose=_(
            "Planning the organisation's digital communication: who takes part, how many "
            "hours a week each has for it, and which leadership member signed the strategy "
            "that backs their work."
        ),
        persons=(STAFF,),
        data=(
            _("Staff taking part in communication, their task and hours per week"),
            _("Who wrote, changed and signed each version of the strategy, and when"),
        ),
        legal_basis=("Art. 6 Abs. 1 lit. b DSGVO", "Art. 88 DSGVO i.V.m. § 26 BDSG"),
        retention=_(
            "Versions stay as the organisation's record of its strategy while it keeps "
            "them; a draft that is discarded is deleted. The hours are planning figures, "
            "not a record of time worked, and are never used to assess performance."
        ),
        recipients=(
            _("Staff of the organisation (the signed version)"),
            _("Leadership and communications staff (drafts and earlier versions)"),
        ),
        safeguards=(
            _("Signed versions are never changed; a change makes a new draft"),
            _("Every change and signature in the audit log, without content"),
        ),
        models=(
            "strategy.Strategy",
            "strategy.StrategyVersion",
            "strategy.Expectation",
            "strategy.Goal",
            "strategy.TargetGroup",
            "strategy.Participant",
            "strategy.Deficit",
        ),
    )
)
