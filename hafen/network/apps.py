from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    """Partner network (DESIGN part 7): the directory of partner organisations and their
    contacts, referrals of clients with consent, events with an iCalendar feed, and
    cooperation agreements with review reminders.

    The domain layer: ``models``, ``access`` (the one door), ``actions`` (every write,
    audited), ``queries`` (reads and the referral figures), ``csv_io``, ``retention`` and
    ``reminders`` (the daily ``tasks``). The case page shows a case's referrals through
    ``views.case_panel``, a conversation page through ``linking``; the start page gets
    ``panels.network_panel`` for every role.
    """

    name = "hafen.network"
    verbose_name = _("Network")

    def ready(self) -> None:
        from hafen.home.roles import PANELS, Panel
        from hafen.network import linking
        from hafen.network.panels import network_panel

        linking.register()  # "refer to a partner" on a conversation linked to a case file

        panel = Panel("network/panel_network.html", network_panel)
        for role in PANELS:
            if not any(known.template == panel.template for known in PANELS[role]):
                PANELS[role].append(panel)
