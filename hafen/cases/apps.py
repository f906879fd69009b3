from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Case documentation (DESIGN part 4): case files, history, plans, minutes, sealed under one
    data key per case.

    Its models, views and tasks arrive with its own issue; the app is registered now
    so that migrations, URLs and start-page panels plug in without touching settings.
    """

    name = "hafen.cases"
    verbose_name = _("Case files")
