"""What case work adds to the start page: the person's to-do list."""


def register() -> None:
    """Called once from ``CasesConfig.ready``."""
