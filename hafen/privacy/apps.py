from typing import Any

from django.apps import AppConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """The privacy core every other part uses.

    Seams for later apps:
    - ``hafen.privacy.crypto``: per-subject data keys, envelope encryption of text and
      files, crypto-shredding, master key rotation;
    - ``hafen.privacy.audit``: ``record()`` inside the action's transaction, ``verify()``;
    - ``hafen.privacy.register``: the register of processing activities (Art. 30 GDPR),
      from each app's ``processing.py``.
    """

    name = "hafen.privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from hafen.accounts.models import Role
        from hafen.home.roles import PANELS, Panel
        from hafen.privacy import checks  # noqa: F401  (registers the system checks)

        register = Panel("privacy/register_panel.html")
        for role in (Role.DPO, Role.LEADERSHIP, Role.ADMIN):
            if register not in PANELS[role]:
                PANELS[role].append(register)
        privacy = Panel("privacy/privacy_panel.html", _privacy_panel)
        for role in (Role.DPO, Role.LEADERSHIP):
            if privacy not in PANELS[role]:
                PANELS[role].insert(0, privacy)


def _privacy_panel(request: HttpRequest) -> dict[str, Any]:
    from hafen.accounts.access import has_role
    from hafen.accounts.models import Role

    return {"is_dpo": has_role(request.user, Role.DPO)}
