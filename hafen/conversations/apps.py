from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    """Client door and team inbox (DESIGN part 1 and 3): conversations, messages, the client
    websocket. Messages are sealed with hafen.privacy.crypto under one data key per
    conversation; access through hafen.accounts.access.may_see.

    Adds the inbox panel to the counsellor's and volunteer's start pages and the
    conversation counts (no content) to the leadership start page.
    """

    name = "hafen.conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from hafen.accounts.models import Role
        from hafen.conversations import inbox_queries
        from hafen.home.roles import PANELS, Panel

        inbox = Panel("conversations/_inbox_panel.html", inbox_queries.inbox_panel)
        PANELS[Role.COUNSELLOR].append(inbox)
        PANELS[Role.VOLUNTEER].append(inbox)
        PANELS[Role.LEADERSHIP].append(
            Panel("conversations/_inbox_figures_panel.html", inbox_queries.leadership_panel)
        )
