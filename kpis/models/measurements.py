"""Measurements, the revisions a correction keeps, and spreadsheet imports."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .. import periods
from .definitions import Kpi
from .values import VALUE_LIMIT, Frequency, value_field


class Source(models.TextChoices):
    FORM = "form", "Form"
    IMPORT = "import", "Import"
    API = "api", "API"
    PARTNER = "partner", "Partner"


class Measurement(models.Model):
    """The value of a KPI for one period.

    ``grain`` is the frequency the period was entered at: a KPI that later becomes coarser
    (weekly -> monthly) keeps its older weekly values, which snapshots then aggregate.
    """

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="measurements")
    period = models.DateField(help_text="First day of the period.")
    grain = models.CharField(max_length=10, choices=Frequency.choices)
    value = value_field()
    note = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.FORM)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    import_batch = models.ForeignKey(
        "MeasurementImport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measurements",
    )

    class Meta:
        ordering = ["kpi", "-period"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "grain", "period"], name="measurement_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(value__gt=-VALUE_LIMIT, value__lt=VALUE_LIMIT),
                name="measurement_value_finite",
            ),
        ]

    def __str__(self):
        return f"{self.kpi} {self.period}: {self.value}"

    @property
    def period_label(self):
        return periods.period_label(self.period, self.grain)


class MeasurementRevision(models.Model):
    """A value that was replaced by a correction, with who replaced it."""

    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="revisions")
    value = value_field()
    note = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField()
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    replaced_at = models.DateTimeField(default=timezone.now)
    replaced_via = models.CharField(max_length=10, choices=Source.choices)

    class Meta:
        ordering = ["measurement", "-replaced_at", "-pk"]

    def __str__(self):
        return f"{self.measurement}: was {self.value}"


class MeasurementImport(models.Model):
    """An uploaded spreadsheet of measurements, from preview to the confirmed write."""

    class State(models.TextChoices):
        VALIDATING = "validating", "Checking the file"
        INVALID = "invalid", "Has errors"
        READY = "ready", "Ready to import"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    BUSY_STATES = (State.VALIDATING, State.IMPORTING)

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    file = models.FileField(upload_to="kpi-imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=12, choices=State.choices, default=State.VALIDATING)
    # Written by the worker as it goes (kpis.imports.progress): the page reads it, and a busy
    # import whose heartbeat is older than its lease is taken for dead by the reaper.
    progress = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Which run may write: the reaper starts a new one by counting up, and a run that finds the
    # count moved (or the import cancelled) stops without writing.
    attempts = models.PositiveSmallIntegerField(default=0)
    # Runs started, whoever started them (the reaper, or Celery handing the task of a killed
    # worker to another): an import that kills its worker every time stops at the limit.
    runs = models.PositiveSmallIntegerField(default=0)
    # Run by a Celery worker (large files), which the reaper may start again; an import checked
    # or written inside a request (small files, the portal) is failed instead.
    in_background = models.BooleanField(default=False)
    total_rows = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    created_count = models.PositiveIntegerField(default=0)
    corrected_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "measurement import"

    def __str__(self):
        return f"{self.original_name} ({self.get_state_display()})"

    def get_absolute_url(self):
        return reverse("kpis:import_detail", args=[self.pk])

    @property
    def is_busy(self):
        return self.state in self.BUSY_STATES
