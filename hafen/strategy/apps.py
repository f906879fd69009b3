from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    """Strategy and figures (DESIGN part 6): the strategy canvas and figures measured from the live
    system.

    The strategy canvas is here: versions of the organisation's communication strategy,
    their parts (with facilities' additions), leadership's signature, the comparison of
    versions, and a daily reminder of the review date. Goals name figures declared in
    ``metrics.py``; ``goals.py`` measures them with ``figures.compute`` for the annual
    report.

    Adds to every staff start page through ``hafen.home.roles.PANELS``: the signed
    strategy and who signed it.
    """

    name = "hafen.strategy"
    verbose_name = _("Strategy and figures")

    def ready(self) -> None:
        from hafen.home.roles import PANELS, Panel
        from hafen.strategy import goals
        from hafen.strategy.figures import report
        from hafen.strategy.panels import strategy_panel

        for role in PANELS:
            PANELS[role].append(Panel("strategy/panel.html", strategy_panel))
        if goals.report_section not in report.EXTRA_SECTIONS:
            report.EXTRA_SECTIONS.append(goals.report_section)
