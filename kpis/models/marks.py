"""What is waiting for a recompute, kept in the database so that no broker outage loses it."""

from django.db import models
from django.utils import timezone


class RecomputeMark(models.Model):
    """A KPI, or a partnership's health, to recompute.

    Written in the transaction that changes what the recompute reads, deleted in the transaction
    that recomputes it (``kpis.recomputes``). A row per change, never updated: a change made
    while a sweep holds older marks of the same KPI adds a mark of its own, which the next sweep
    takes.
    """

    class Kind(models.TextChoices):
        KPI = "kpi", "KPI snapshots and alerts"
        HEALTH = "health", "Partnership health"

    kind = models.CharField(max_length=6, choices=Kind.choices)
    # A KPI's id or a partnership's id, by kind. Not a foreign key: a mark left for something
    # deleted since is swept as a recompute of nothing.
    target_id = models.BigIntegerField()
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.target_id}"
