"""Alerts, their events and notifications, corrective actions and their checkpoints."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Partnership

from .definitions import Kpi
from .values import Status, value_field


class Severity(models.TextChoices):
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"


class AlertQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(partnership__in=Partnership.objects.visible_to(user))

    def unresolved(self):
        return self.filter(resolved_at__isnull=True)


class Alert(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        RESOLVED = "resolved", "Resolved"

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="alerts")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    peak_severity = models.CharField(max_length=10, choices=Severity.choices)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_period = models.DateField()
    opened_value = value_field(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledgement = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_period = models.DateField(null=True, blank=True)
    resolution = models.CharField(max_length=200, blank=True)
    # Which recompute last changed this row: lets a set-based UPDATE claim a transition.
    change_token = models.CharField(max_length=64, blank=True, editable=False)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi"],
                condition=Q(resolved_at__isnull=True),
                name="alert_one_open_per_kpi",
            ),
            models.CheckConstraint(
                condition=Q(state="resolved", resolved_at__isnull=False)
                | (~Q(state="resolved") & Q(resolved_at__isnull=True)),
                name="alert_resolved_state_matches",
            ),
        ]
        indexes = [
            models.Index(fields=["partnership", "state"]),
            models.Index(fields=["change_token"]),
        ]

    def __str__(self):
        return f"{self.kpi}: {self.get_severity_display()} ({self.get_state_display()})"

    def get_absolute_url(self):
        return reverse("kpis:alert_detail", args=[self.pk])

    @property
    def is_open(self):
        return self.resolved_at is None

    @property
    def badge(self):
        if self.state == self.State.RESOLVED:
            return "badge-green"
        return "badge-red" if self.severity == Severity.OFF_TRACK else "badge-amber"


class AlertEvent(models.Model):
    """The alert's story: breach, escalation, acknowledgement, actions, recovery."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        ESCALATED = "escalated", "Escalated"
        IMPROVED = "improved", "Improved"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        ACTION = "action", "Corrective action"
        CHECKPOINT = "checkpoint", "Checkpoint"
        RESOLVED = "resolved", "Resolved"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices, blank=True)
    period = models.DateField(null=True, blank=True)
    value = value_field(null=True, blank=True)
    comment = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["alert", "at", "pk"]

    def __str__(self):
        return f"{self.alert_id} {self.kind}"


class AlertNotification(models.Model):
    """The email one alert event sends, recorded so it is sent exactly once."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SUPPRESSED = "suppressed", "Not sent (backfill)"

    event = models.OneToOneField(AlertEvent, on_delete=models.CASCADE, related_name="notification")
    recipients = models.JSONField(default=list)
    delivered = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state"])]

    def __str__(self):
        return f"Notification for {self.event}"


class CorrectiveAction(models.Model):
    class State(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATES = (State.PLANNED, State.IN_PROGRESS)

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="actions")
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="+")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # A partner contact who owns the action (they see and update it in the portal).
    owner_contact = models.ForeignKey(
        "partnerships.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="owner (partner)",
    )
    due_date = models.DateField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.PLANNED)
    outcome = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["partnership", "state", "due_date"])]

    def __str__(self):
        return self.description[:60]

    def get_absolute_url(self):
        return f"{self.alert.get_absolute_url()}#action-{self.pk}"

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.state in self.OPEN_STATES and self.due_date < today

    @property
    def overdue(self):
        return self.is_overdue()


class Checkpoint(models.Model):
    """A look back at the KPI some days after a corrective action started."""

    action = models.ForeignKey(
        CorrectiveAction, on_delete=models.CASCADE, related_name="checkpoints"
    )
    days = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    value = value_field(null=True, blank=True)
    recovered = models.BooleanField(null=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["action", "due_on"]
        constraints = [
            models.UniqueConstraint(fields=["action", "days"], name="checkpoint_unique_day"),
        ]

    def __str__(self):
        return f"{self.action} +{self.days}d"

    @property
    def is_due(self):
        return self.recorded_at is None and self.due_on <= timezone.localdate()
