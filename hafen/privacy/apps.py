from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """The privacy core every other part uses.

    Seams for later apps:
    - ``hafen.privacy.crypto``: per-subject data keys, envelope encryption of text and
      files, crypto-shredding, master key rotation;
    - ``hafen.privacy.audit``: ``record()`` inside the action's transaction, ``verify()``.
    """

    name = "hafen.privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from hafen.privacy import checks  # noqa: F401  (registers the system checks)
