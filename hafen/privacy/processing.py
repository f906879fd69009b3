"""Processing of personal data by the privacy core itself (Art. 30 DSGVO)."""

from django.utils.translation import gettext_lazy as _

from hafen.privacy.register import STAFF, Processing, declare

declare(
    Processing(
        key="privacy.audit_log",
        name=_("Audit log"),
        purpose=_(
            "Proving who read or changed which record and when, so that misuse can be "
            "found and the organisation can show that it keeps the rules."
        ),
        persons=(STAFF, _("Clients, by the number of their conversation or case")),
        data=(_("Staff member, action, time, kind and number of the record; never content"),),
        legal_basis=(
            "Art. 5 Abs. 2 DSGVO",
            "Art. 6 Abs. 1 lit. c DSGVO",
            "Art. 32 DSGVO",
            "§ 78a SGB X",
        ),
        retention=_("As set in the organisation's retention rule for audit entries."),
        recipients=(_("The data-protection officer"),),
        safeguards=(
            _("Append-only and hash-chained: any change or removal is detected"),
            _("Holds no content"),
        ),
        models=("privacy.AuditEntry",),
    )
)
