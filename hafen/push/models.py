"""A browser's push subscription for one client conversation.

The endpoint (an address at the browser vendor's push service that identifies the
device) and the browser's keys are sealed with the conversation's data key: deleting
the conversation shreds them with everything else, and the rows go with it (CASCADE).
Only a keyed hash of the endpoint stays readable, to find the same device again.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hafen.conversations.models import Conversation
from hafen.privacy.crypto import SealedText
from hafen.privacy.models import DataKey


class PushSubscription(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    # HMAC of the endpoint with the installation's secret: unique per conversation.
    endpoint_digest = models.CharField(max_length=64)
    endpoint_sealed = models.BinaryField()
    keys_sealed = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    endpoint = SealedText("endpoint_sealed", context="push.subscription.endpoint")
    # JSON {"p256dh": ..., "auth": ...} as the browser gave them (base64url).
    keys = SealedText("keys_sealed", context="push.subscription.keys")

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")
        ordering = ["conversation", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "endpoint_digest"], name="push_subscription_unique"
            )
        ]

    def __str__(self) -> str:
        return f"push subscription {self.pk} of {self.conversation_id}"

    @property
    def data_key(self) -> DataKey:
        return self.conversation.data_key
