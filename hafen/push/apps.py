from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PushConfig(AppConfig):
    """Optional Web Push notifications for clients, carrying no content (issue 3).

    A client may ask to be told when the team has answered. The push says only that
    much: no text, no team, no organisation, so that a locked phone screen does not
    reveal counselling. Seam: ``hafen.push.actions.notify_client(conversation_id)``,
    called after commit when staff answer.
    """

    name = "hafen.push"
    label = "push"
    verbose_name = _("Push notifications")

    def ready(self) -> None:
        from hafen.push import checks  # noqa: F401  (registers the system check)
