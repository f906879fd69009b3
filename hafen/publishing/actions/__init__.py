"""Every write of public communication, checked and audited in its own transaction.

One module per concept: ``posts`` (drafts, versions, images, comments, campaigns),
``approval`` (submit, approve, send back), ``delivering`` (publishing and retries),
``channels`` and ``guidelines``. Refusals raise ``PublishingError`` with a message for
the person; nothing has changed then.
"""

from hafen.publishing.actions.errors import PublishingError

__all__ = ["PublishingError"]
