"""One row per thing that leaves the system: written in the transaction that causes it,
then claimed, delivered and marked by `outbox.services.deliver_due`."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Kind(models.TextChoices):
    # Each kind has a sender in outbox.senders; a kind without one is never claimed.
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"
    RECOMPUTE = "recompute", "Deferred recompute"


class Status(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class MessageQuerySet(models.QuerySet):
    def due(self, now):
        """Waiting for their next attempt, or claimed by a worker whose lease ran out."""
        return self.filter(
            Q(status=Status.PENDING, next_attempt_at__lte=now)
            | Q(status=Status.SENDING, lease_until__lt=now)
        )


class Message(models.Model):
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.EMAIL)
    # An email address for emails, a URL for webhooks, a dotted task name for recomputes.
    recipient = models.CharField(max_length=500)
    subject = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    # What a kind needs beyond the columns above (webhook headers and body, recompute ids).
    payload = models.JSONField(default=dict, blank=True)
    # Set by the caller to make enqueueing idempotent; NULL rows never collide.
    key = models.CharField(max_length=255, null=True, blank=True, unique=True)
    # The record this message was written for ("digest:12"): it follows its messages' outcome
    # (outbox.origins). Empty for messages that answer to nobody.
    origin = models.CharField(max_length=100, blank=True, db_index=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # After this moment a failed attempt is final.
    give_up_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The two halves of MessageQuerySet.due, each a small partial index.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="outbox_pending_due_idx",
            ),
            models.Index(
                fields=["lease_until"],
                condition=Q(status="sending"),
                name="outbox_lease_expiry_idx",
            ),
            models.Index(fields=["status", "-created_at"], name="outbox_status_created_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.recipient}: {self.subject or self.pk}"
