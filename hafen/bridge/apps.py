from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BridgeConfig(AppConfig):
    """The bridge (DESIGN part 2): one-time handover links and QR codes from social networks into a
    new conversation of the right team.

    Its models, views and tasks arrive with its own issue; the app is registered now
    so that migrations, URLs and start-page panels plug in without touching settings.
    """

    name = "hafen.bridge"
    verbose_name = _("Bridge")
