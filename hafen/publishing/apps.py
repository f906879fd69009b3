from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    """Public communication (DESIGN part 5): posts, calendar, recognisability check, approval,
    channels.

    Its models, views and tasks arrive with its own issue; the app is registered now
    so that migrations, URLs and start-page panels plug in without touching settings.
    """

    name = "hafen.publishing"
    verbose_name = _("Public communication")
