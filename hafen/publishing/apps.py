from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    """Public communication (DESIGN part 5): posts, calendar, approval, channels, the public
    news page with its feeds, and the social-media guidelines.

    Adds to the start pages through ``hafen.home.roles.PANELS``: the posts (communications,
    counsellors, leadership) and, on every staff start page, a notice until the person
    acknowledged the current guidelines.
    """

    name = "hafen.publishing"
    verbose_name = _("Public communication")

    def ready(self) -> None:
        from hafen.accounts.models import Role
        from hafen.home.roles import PANELS, Panel
        from hafen.publishing.panels import guideline_panel, posts_panel

        for role in PANELS:
            PANELS[role].insert(0, Panel("publishing/panel_guidelines.html", guideline_panel))
        for role in (Role.COMMUNICATIONS, Role.COUNSELLOR, Role.LEADERSHIP):
            PANELS[role].append(Panel("publishing/panel_posts.html", posts_panel))
