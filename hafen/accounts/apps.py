from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Staff accounts, the organisation (facilities, teams, roles), invitations, 2FA.

    Seam for later apps: ``hafen.accounts.access`` answers "may this person see this
    record" (need-to-know) — every view, consumer, export and task asks it there.
    """

    name = "hafen.accounts"
    verbose_name = _("Accounts and organisation")
