"""Processing of personal data by the privacy core itself (Art. 30 DSGVO)."""

from django.utils.translation import gettext_lazy as _

from hafen.privacy.register import CLIENTS, STAFF, Processing, declare

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

declare(
    Processing(
        key="privacy.retention",
        name=_("Retention and deletion"),
        purpose=_(
            "Deleting data when its retention period ends, keeping what the law says must "
            "be kept, and proving each deletion."
        ),
        persons=(STAFF, _("Clients, by the number of their conversation or case")),
        data=(
            _("Retention periods with their legal basis and who set them"),
            _("Which categories of cases fall under a statutory retention period"),
            _("Deletion log: kind and number of the record, rule and time; never content"),
            _("Retention runs: when, started by whom, how many records they deleted"),
        ),
        legal_basis=("Art. 5 Abs. 1 lit. e DSGVO", "Art. 5 Abs. 2 DSGVO", "Art. 17 DSGVO"),
        retention=_("The deletion log is kept for good; it holds no content."),
        recipients=(_("The data-protection officer"),),
        safeguards=(_("Holds no content"),),
        models=(
            "privacy.RetentionRule",
            "privacy.CategoryStatute",
            "privacy.DeletionLog",
            "privacy.RetentionRun",
        ),
    )
)

declare(
    Processing(
        key="privacy.erasure_blocks",
        name=_("Legal holds and restriction of processing"),
        purpose=_(
            "Stopping the deletion of a case file where the law or a claim requires it, "
            "and restricting its processing (Art. 18 DSGVO, § 84 SGB X)."
        ),
        persons=(CLIENTS, STAFF),
        data=(
            _("Legal hold and restriction with reason, who placed and lifted it, when"),
            _("Date of birth of the client, where a statutory period depends on it"),
            _("Who read a restricted case file, when, and the purpose they stated"),
        ),
        legal_basis=(
            "Art. 6 Abs. 1 lit. c DSGVO",
            "Art. 17 Abs. 3 lit. b, e DSGVO",
            "Art. 18 DSGVO",
            "§ 84 SGB X",
            "§ 9b SGB VIII",
        ),
        retention=_("Deleted together with the case file."),
        recipients=(_("The data-protection officer"), _("Leadership")),
        safeguards=(_("Every change recorded in the audit log"),),
        models=(
            "privacy.LegalHold",
            "privacy.ProcessingRestriction",
            "privacy.RetentionFacts",
            "privacy.RestrictedRead",
        ),
    )
)

declare(
    Processing(
        key="privacy.subject_requests",
        name=_("Data-subject requests about case files"),
        purpose=_(
            "Answering requests for access, copy, portability, rectification, erasure and "
            "restriction within the legal deadline, and proving how each was answered."
        ),
        persons=(CLIENTS, _("People who make a request for a client (representatives)"), STAFF),
        data=(
            _("Kind of request, case file, date received, deadline and its extension"),
            _("How the requester's identity was checked, notes of the data-protection officer"),
            _("Exceptions, outcome and who closed the request; never the case content"),
        ),
        legal_basis=(
            "Art. 6 Abs. 1 lit. c DSGVO",
            "Art. 12 DSGVO",
            "Art. 15-18, 20 DSGVO",
            "§§ 83, 84 SGB X",
            "Art. 5 Abs. 2 DSGVO",
        ),
        retention=_(
            "Kept as proof of the answer; the notes are emptied when the case file is erased."
        ),
        recipients=(_("The data-protection officer"),),
        safeguards=(
            _("Only the data-protection officer of the organisation sees requests"),
            _("Every step recorded in the audit log, without the requester's words"),
        ),
        models=("privacy.SubjectRequest",),
    )
)

declare(
    Processing(
        key="privacy.consent",
        name=_("Consent and privacy notices"),
        purpose=_(
            "Proving which version of the privacy notice a conversation was started under, "
            "and who agreed to case documentation, a referral or photos, to which version of "
            "the text, when and how, and when they withdrew (Art. 7 Abs. 1 DSGVO)."
        ),
        persons=(
            CLIENTS,
            STAFF,
            _("People on photos, by a short label"),
        ),
        data=(
            _("Versions of the texts with who published them and when"),
            _(
                "Consent record: text version, conversation or case number or a label, "
                "date, in the client door, in writing or verbally, who recorded it"
            ),
            _("Withdrawal: date and who recorded it; the record itself is kept"),
        ),
        legal_basis=(
            "Art. 5 Abs. 2 DSGVO",
            "Art. 6 Abs. 1 lit. c DSGVO",
            "Art. 7 Abs. 1, 3 DSGVO",
            "Art. 13 DSGVO",
            "§ 67b SGB X",
        ),
        retention=_(
            "Texts are kept for good. A record is kept while its conversation or case file "
            "exists, also after a withdrawal, and is deleted with it."
        ),
        recipients=(
            _("The data-protection officer"),
            _("Staff of the responsible team, need-to-know"),
        ),
        safeguards=(
            _("Published versions cannot be changed"),
            _("No IP address or user agent is stored for the client door"),
            _("Every publication, consent and withdrawal recorded in the audit log"),
        ),
        models=("privacy.ConsentText", "privacy.ConsentRecord"),
    )
)
