from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    """Partner network (DESIGN part 7): partners, referrals with consent, events.

    Its models, views and tasks arrive with its own issue; the app is registered now
    so that migrations, URLs and start-page panels plug in without touching settings.
    """

    name = "hafen.network"
    verbose_name = _("Network")
