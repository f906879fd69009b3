"""Processing of personal data by background work (Art. 30 DSGVO)."""

from django.utils.translation import gettext_lazy as _

from hafen.privacy.register import Processing, declare

declare(
    Processing(
        key="home.background_jobs",
        name=_("Background jobs"),
        purpose=_(
            "Running work after a page has answered: notifications, reminders, "
            "retention and housekeeping."
        ),
        persons=(_("Clients and staff, by the number of the record a job works on"),),
        data=(_("Name of the job, the numbers it works on, its result and times"),),
        legal_basis=("Art. 6 Abs. 1 lit. b, c und e DSGVO", "Art. 32 DSGVO"),
        retention=_(
            "Records of finished jobs are not yet removed automatically; they hold no content."
        ),
        recipients=(_("Administrators of the server"),),
        safeguards=(_("Jobs are given record numbers only, never content"),),
        models=("django_tasks_database.DBTaskResult",),
    )
)
