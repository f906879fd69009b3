from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Case documentation (DESIGN part 4): case files, history, plans, minutes, sealed under one
    data key per case.

    The domain layer: ``models``, ``access`` (the one door), ``actions`` (every write,
    audited), ``queries`` and ``search`` (reads, audited), ``tasks`` (review reminders).
    The pages: ``urls_files`` (case files and entries), ``urls_plans``, ``urls_minutes``.
    """

    name = "hafen.cases"
    verbose_name = _("Case files")

    def ready(self) -> None:
        from hafen.cases import linking, panels

        linking.register()  # "link conversation to case" in the inbox
        panels.register()  # the to-do list on the start page
