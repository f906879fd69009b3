from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The base layout, navigation by role, one start page per role, the staff socket.

    Seam for later apps: ``hafen.home.roles.PANELS`` — an app adds a panel (a template
    and a context function) to a role's start page instead of editing this app.
    """

    name = "hafen.home"
    verbose_name = _("Start pages")
