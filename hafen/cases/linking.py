"""Case files in other parts of Hafen: the inbox's "link conversation to case"."""


def register() -> None:
    """Called once from ``CasesConfig.ready``."""
