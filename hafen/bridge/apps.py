from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BridgeConfig(AppConfig):
    """The bridge (DESIGN part 2): one-time handover links and QR codes from social networks into a
    new conversation of the right team, ready reply texts per channel, and the funnel.

    Adds a panel to the leadership start page (the funnel) and to the admin start page
    (the reply texts) through ``hafen.home.roles.PANELS``.
    """

    name = "hafen.bridge"
    verbose_name = _("Bridge")

    def ready(self) -> None:
        from hafen.accounts.models import Role
        from hafen.bridge.panels import funnel_panel
        from hafen.home.roles import PANELS, Panel

        PANELS[Role.LEADERSHIP].append(Panel("bridge/panel_funnel.html", funnel_panel))
        PANELS[Role.ADMIN].append(Panel("bridge/panel_reply_texts.html"))
