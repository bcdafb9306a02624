from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from kpis.models import Kpi, Measurement, value_field


class Submission(models.Model):
    """A value the partner submitted for a KPI period.

    For KPIs whose partner values need our acceptance it waits here, outside the measurements,
    so snapshots never see it until accepted; otherwise it is recorded at once and kept here as
    the partner's receipt."""

    class State(models.TextChoices):
        PENDING = "pending", "Awaiting acceptance"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="portal_submissions")
    period = models.DateField()
    value = value_field()
    note = models.CharField(max_length=500, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    reason = models.TextField(blank=True, help_text="Why it was rejected, for the partner.")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    measurement = models.ForeignKey(
        Measurement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "period"],
                condition=Q(state="pending"),
                name="portal_one_pending_per_period",
            ),
        ]
        indexes = [models.Index(fields=["kpi", "state"])]

    def __str__(self):
        return f"{self.kpi} {self.period}: {self.value} ({self.state})"
