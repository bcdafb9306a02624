"""Measurement feeds from other systems: the answer given to each idempotency key."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class FeedRequest(models.Model):
    """One bulk write sent with an ``Idempotency-Key``: the key is taken in the transaction
    that writes the rows, so a retry of the same request gets the first answer and writes
    nothing, and a concurrent retry waits for the first to commit."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # sha256 of the request's rows: the same key with other rows is refused, not replayed.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    answer = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="feed_request_one_per_key")
        ]

    def __str__(self):
        return f"{self.key} ({self.status_code})"
