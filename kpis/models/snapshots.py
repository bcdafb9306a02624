"""What is computed from the measurements: KPI snapshots and partnership health."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from partnerships.models import Partnership

from .. import periods
from .definitions import Kpi
from .values import STATUS_BADGE, Direction, Frequency, Status, value_field


class Snapshot(models.Model):
    """The computed state of a KPI for one period (upserted, keyed by KPI and period)."""

    # No index of its own: the (kpi, period) unique index leads with it. With both, the planner
    # read a KPI's whole history through this one and filtered the periods out (the digest's
    # recent history, 7.7 ms where the pair's range takes 2.3 ms for 120 KPIs).
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="snapshots", db_index=False)
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    period = models.DateField()
    period_end = models.DateField(help_text="Last day of the period.")
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    is_closed = models.BooleanField(default=True)
    is_latest = models.BooleanField(default=False)
    value = value_field(null=True, blank=True)
    measurement_count = models.PositiveIntegerField(default=0)
    # When a value for the period was first entered (the earliest entry of its measurements):
    # what was known on a past day, as the digest reads it. None while it has none.
    known_since = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    attainment = models.FloatField(null=True, blank=True)
    change = models.FloatField(null=True, blank=True)
    change_pct = models.FloatField(null=True, blank=True)
    trend_slope = models.FloatField(null=True, blank=True)
    trend = models.CharField(max_length=10, blank=True)
    rolling_avg = value_field(null=True, blank=True)
    # The definition in force for this period.
    kpi_version = models.PositiveIntegerField()
    direction = models.CharField(max_length=8, choices=Direction.choices)
    target = value_field()
    warning = value_field()
    critical = value_field()
    # When the row's values last changed, and the recompute that wrote them.
    computed_at = models.DateTimeField(default=timezone.now)
    run = models.UUIDField(null=True, editable=False)
    # A hash of every computed column: a recompute rewrites only rows whose hash changed.
    fingerprint = models.BigIntegerField(null=True, editable=False)

    class Meta:
        ordering = ["kpi", "period"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "period"], name="snapshot_kpi_period"),
        ]
        indexes = [
            models.Index(
                fields=["partnership", "kpi"],
                condition=Q(is_latest=True),
                name="snapshot_latest",
            ),
            # The recent periods of every KPI at once (the digest's readings), with every
            # column those read: an index-only scan instead of a visit to ~11,500 heap pages
            # for an executive's 30,000 recent snapshots.
            models.Index(
                fields=["frequency", "period"],
                include=["kpi", "id", "period_end", "status", "value", "known_since"],
                name="snapshot_recent",
            ),
        ]

    def __str__(self):
        return f"{self.kpi} {self.period}: {self.status}"

    @property
    def period_label(self):
        return periods.period_label(self.period, self.frequency)

    @property
    def badge(self):
        return STATUS_BADGE.get(self.status, "")


class HealthSnapshot(models.Model):
    """A partnership's health score for one month (the last computation in the month stands)."""

    class Band(models.TextChoices):
        GREEN = "green", "Healthy"
        AMBER = "amber", "Needs attention"
        RED = "red", "Unhealthy"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="health_snapshots"
    )
    period = models.DateField(help_text="First day of the month.")
    score = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=6, choices=Band.choices)
    components = models.JSONField(default=list)
    inputs = models.JSONField(default=dict)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["partnership", "period"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "period"], name="health_unique_period"),
            models.CheckConstraint(condition=Q(score__lte=100), name="health_score_0_100"),
        ]

    def __str__(self):
        return f"{self.partnership} {self.period}: {self.score}"
