"""Processing of personal data in case documentation (Art. 30 DSGVO)."""

from django.utils.translation import gettext_lazy as _

from hafen.privacy.register import CLIENTS, STAFF, TEAM, THIRD_PARTIES, Processing, declare

SEALED_PER_CASE = _("Encrypted with the case's own key; crypto-shredding on deletion")
ENTRUSTED = _(
    "Entries entrusted to one professional or from third parties are readable only by "
    "their author and a named substitute (§ 65 SGB VIII)"
)

declare(
    Processing(
        key="cases.case_files",
        name=_("Case documentation and help plans"),
        purpose=_(
            "Documenting the help for a client: case history, help and support plans "
            "with goals, measures and reviews, attachments."
        ),
        persons=(CLIENTS, THIRD_PARTIES, STAFF),
        data=(
            _("File number, pseudonym, name and contact (encrypted), category of help"),
            _("Case history entries with every version and correction (encrypted)"),
            _("Plans, goals, measures, partners, reviews and progress ratings (encrypted)"),
            _("Photos and documents (encrypted)"),
            _("Responsible staff, authors and dates"),
        ),
        legal_basis=(
            "Art. 6 Abs. 1 lit. b, c und e DSGVO",
            "Art. 9 Abs. 2 lit. h DSGVO",
            "§§ 62 bis 65 SGB VIII, § 36 SGB VIII",
            "§ 35 SGB I, §§ 67a bis 67c SGB X",
            "§ 203 StGB",
        ),
        retention=_(
            "As long as the help lasts, then for the period of the organisation's "
            "retention rule for closed cases; statutory minimum periods take precedence. "
            "The content is destroyed with the case's key."
        ),
        recipients=(TEAM, _("Responsible staff named on the case")),
        safeguards=(
            SEALED_PER_CASE,
            ENTRUSTED,
            _("Corrections add a version; nothing is overwritten"),
            _("Every reading and change recorded in the audit log"),
        ),
        models=(
            "cases.Case",
            "cases.CaseConversationLink",
            "cases.CaseEntry",
            "cases.CaseEntryVersion",
            "cases.CaseAttachment",
            "cases.Plan",
            "cases.Goal",
            "cases.Measure",
            "cases.Review",
            "cases.ProgressRating",
        ),
        special_categories=True,
    )
)

declare(
    Processing(
        key="cases.disclosures",
        name=_("Exports and referrals of case files"),
        purpose=_(
            "Passing a case file or part of it on: an export as PDF, or a referral to a "
            "partner, with the reason recorded."
        ),
        persons=(CLIENTS, THIRD_PARTIES),
        data=(
            _("What was passed on, whether restricted entries were included, the reason"),
            _("Who passed it on and when"),
        ),
        legal_basis=(
            "Art. 6 Abs. 1 lit. a, c und e DSGVO",
            "§§ 64, 65 SGB VIII",
            "§§ 67d, 69 SGB X",
        ),
        retention=_("Kept with the case file and deleted with it."),
        recipients=(
            _("The client (export for the person concerned)"),
            _("Partner organisations, with the client's consent or a legal permission"),
        ),
        safeguards=(
            SEALED_PER_CASE,
            _("Restricted entries leave the case only with a recorded reason"),
            _("Exported PDFs carry no author metadata"),
        ),
        models=("cases.Disclosure",),
        special_categories=True,
    )
)

declare(
    Processing(
        key="cases.minutes",
        name=_("Minutes of team meetings and case conferences"),
        purpose=_(
            "Recording agenda, decisions and action items of team meetings and case conferences."
        ),
        persons=(STAFF, _("Guests of a meeting"), CLIENTS),
        data=(
            _("Date, attendees, guests, agenda and decisions (encrypted)"),
            _("Cases discussed, named only by their file number"),
            _("Action items with owner and due date (encrypted)"),
        ),
        legal_basis=("Art. 6 Abs. 1 lit. b, c und e DSGVO", "§ 64 Abs. 2a SGB VIII"),
        retention=_("As set in the organisation's retention rule for minutes."),
        recipients=(TEAM,),
        safeguards=(
            _("Encrypted with the meeting's own key; crypto-shredding on deletion"),
            _("Case conferences name clients only by pseudonymous file numbers"),
        ),
        models=("cases.Meeting", "cases.ActionItem"),
    )
)

declare(
    Processing(
        key="cases.work_organisation",
        name=_("Reminders, notices and templates of case work"),
        purpose=_(
            "Reminding responsible staff of due reviews, telling the DPO of emergency "
            "access, offering templates, and making a form posted twice create once."
        ),
        persons=(STAFF,),
        data=(
            _("Recipient, kind and time of a notice, the case or emergency access it names"),
            _("Author of a template"),
            _("One-time form tokens with the record they created"),
        ),
        legal_basis=("Art. 6 Abs. 1 lit. b und c DSGVO", "Art. 32 DSGVO"),
        retention=_(
            "Notices until the recipient's account or the case is deleted; form tokens "
            "are removed by housekeeping after a short time."
        ),
        recipients=(_("The staff member the notice is for"),),
        safeguards=(_("Notices carry no case content, only references"),),
        models=("cases.Notice", "cases.Template", "cases.SubmittedForm"),
    )
)
