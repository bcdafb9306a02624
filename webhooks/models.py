"""Outgoing webhooks: where Concord posts the events a chat channel or another system follows."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Event(models.TextChoices):
    """What a webhook can follow. The values are the ``event`` field of every delivery."""

    ALERT_OPENED = "alert.opened", "Alert opened"
    ALERT_ESCALATED = "alert.escalated", "Alert escalated"
    ALERT_RESOLVED = "alert.resolved", "Alert resolved"
    STAGE_MOVED = "partnership.stage_moved", "Stage moved"
    OBLIGATION_OVERDUE = "obligation.overdue", "Obligation overdue"


# Sent from the webhook's page only, to whichever webhook asks: nobody subscribes to it.
TEST_EVENT = "webhook.test"
EVENT_LABELS = {**dict(Event.choices), TEST_EVENT: "Test event"}


class Format(models.TextChoices):
    GENERIC = "generic", "Generic JSON"
    SLACK = "slack", "Slack incoming webhook"
    TEAMS = "teams", "Microsoft Teams incoming webhook"


def new_secret():
    return f"whsec_{secrets.token_hex(24)}"


class WebhookQuerySet(models.QuerySet):
    def following(self, events):
        """Active webhooks that follow at least one of ``events``."""
        wanted = models.Q()
        for event in events:
            wanted |= models.Q(events__contains=[str(event)])
        return self.filter(wanted, is_active=True) if wanted else self.none()


class Webhook(models.Model):
    name = models.CharField(max_length=100, help_text="Where it goes, e.g. “#partnerships”.")
    url = models.URLField("target URL", max_length=500)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.GENERIC)
    # The Event values it follows: a JSON list, read with ``following`` (jsonb containment).
    events = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField("active", default=True)
    # Kept as is: every delivery is signed with it (HMAC), so it cannot be a one-way hash.
    secret = models.CharField(max_length=80, default=new_secret, editable=False)
    secret_rotated_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = WebhookQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("webhooks:detail", args=[self.pk])

    @property
    def event_labels(self):
        return [EVENT_LABELS.get(e, e) for e in self.events]
