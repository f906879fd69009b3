from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    """Strategy and figures (DESIGN part 6): the strategy canvas and figures measured from the live
    system.

    Its models, views and tasks arrive with its own issue; the app is registered now
    so that migrations, URLs and start-page panels plug in without touching settings.
    """

    name = "hafen.strategy"
    verbose_name = _("Strategy and figures")
