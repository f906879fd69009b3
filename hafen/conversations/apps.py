from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    """Client door and team inbox (DESIGN part 1 and 3): conversations, messages, the client
    websocket. Messages are sealed with hafen.privacy.crypto under one data key per
    conversation; access through hafen.accounts.access.may_see.

    Its models, views and tasks arrive with its own issue; the app is registered now
    so that migrations, URLs and start-page panels plug in without touching settings.
    """

    name = "hafen.conversations"
    verbose_name = _("Conversations")
