"""KPIs, their measurements and everything computed from them.

Values are stored as exact decimals (numeric(20, 6)): thresholds are compared against aggregated
values rounded to the same scale, so "exactly on the threshold" means exactly.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Objective, Partnership

from . import periods

VALUE_DIGITS = 20
VALUE_PLACES = 6
VALUE_LIMIT = Decimal("1e14")  # numeric(20, 6) holds |x| < 1e14


def value_field(**kwargs):
    return models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, **kwargs)


class Unit(models.TextChoices):
    PERCENT = "percent", "Percent (%)"
    CURRENCY = "currency", "Currency"
    COUNT = "count", "Count"
    DAYS = "days", "Days"
    HOURS = "hours", "Hours"
    RATIO = "ratio", "Ratio"
    SCORE = "score", "Score (e.g. NPS, −100 to 100)"


UNIT_SUFFIX = {
    Unit.PERCENT: "%",
    Unit.CURRENCY: "",
    Unit.COUNT: "",
    Unit.DAYS: " d",
    Unit.HOURS: " h",
    Unit.RATIO: "×",
    Unit.SCORE: "",
}


def unit_problem(unit, value):
    """Why ``value`` is not a valid number in ``unit`` (None when it is)."""
    if value is None:
        return None
    value = Decimal(value)
    if not value.is_finite():
        return "Enter a finite number."
    if abs(value) >= VALUE_LIMIT:
        return "This number is too large."
    if unit == Unit.PERCENT and not (0 <= value <= 100):
        return "A percentage must be between 0 and 100."
    if unit == Unit.COUNT and (value < 0 or value != value.to_integral_value()):
        return "A count must be a whole number of zero or more."
    if unit in (Unit.DAYS, Unit.HOURS) and value < 0:
        return f"A number of {unit} cannot be negative."
    if unit == Unit.SCORE and not (-100 <= value <= 100):
        return "A score must be between −100 and 100."
    return None


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


class Aggregation(models.TextChoices):
    SUM = "sum", "Sum"
    MEAN = "mean", "Mean"
    LAST = "last", "Last value"
    MIN = "min", "Minimum"
    MAX = "max", "Maximum"


class Status(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    NO_DATA = "no_data", "No data"


STATUS_BADGE = {
    Status.ON_TRACK: "badge-green",
    Status.AT_RISK: "badge-amber",
    Status.OFF_TRACK: "badge-red",
    Status.NO_DATA: "",
}


def threshold_problems(direction, target, warning, critical):
    """{field: message} for thresholds that contradict the direction (empty when consistent)."""
    problems = {}
    if None in (target, warning, critical):
        return problems
    if direction == Direction.HIGHER:
        if warning > target:
            problems["warning"] = (
                f"When higher is better, the warning threshold ({warning:g}) cannot be above "
                f"the target ({target:g}): use critical ≤ warning ≤ target."
            )
        if critical > warning:
            problems["critical"] = (
                f"When higher is better, the critical threshold ({critical:g}) cannot be above "
                f"the warning threshold ({warning:g}): use critical ≤ warning ≤ target."
            )
    else:
        if warning < target:
            problems["warning"] = (
                f"When lower is better, the warning threshold ({warning:g}) cannot be below "
                f"the target ({target:g}): use target ≤ warning ≤ critical."
            )
        if critical < warning:
            problems["critical"] = (
                f"When lower is better, the critical threshold ({critical:g}) cannot be below "
                f"the warning threshold ({warning:g}): use target ≤ warning ≤ critical."
            )
    return problems


class KpiTemplate(models.Model):
    """An entry of the KPI library: a common partnership KPI to start from."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=12, choices=Unit.choices)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    aggregation = models.CharField(max_length=6, choices=Aggregation.choices)
    target = value_field(null=True, blank=True, help_text="A typical target, to adjust.")
    warning = value_field(null=True, blank=True)
    critical = value_field(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class KpiQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(partnership__in=Partnership.objects.visible_to(user))

    def editable_by(self, user):
        return self.filter(partnership__in=Partnership.objects.editable_by(user))


class Kpi(models.Model):
    # The fields a definition version records; SCORING_FIELDS are the ones a snapshot keeps.
    DEFINITION_FIELDS = (
        "name",
        "description",
        "objective_id",
        "unit",
        "direction",
        "target",
        "warning",
        "critical",
        "baseline",
        "frequency",
        "aggregation",
        "owner_id",
        "is_active",
    )
    SCORING_FIELDS = ("direction", "target", "warning", "critical", "baseline")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="kpis")
    objective = models.ForeignKey(
        Objective,
        on_delete=models.RESTRICT,
        related_name="kpis",
        help_text="The objective this KPI measures.",
    )
    template = models.ForeignKey(
        KpiTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="kpis"
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=12, choices=Unit.choices)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    target = value_field()
    warning = value_field(
        help_text="Past this value the KPI is at risk (a value exactly on it is still on track)."
    )
    critical = value_field(
        help_text="Past this value the KPI is off track (a value exactly on it is at risk)."
    )
    baseline = value_field(
        null=True, blank=True, help_text="Where the KPI started; attainment is measured from it."
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    aggregation = models.CharField(
        max_length=6,
        choices=Aggregation.choices,
        default=Aggregation.SUM,
        help_text="How several values in one period combine (e.g. weekly values of a KPI "
        "that became monthly).",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_kpis",
    )
    is_active = models.BooleanField("active", default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # The partner portal: who sees and who enters this KPI.
    shared_with_partner = models.BooleanField(
        "shared with the partner",
        null=True,
        blank=True,
        help_text="Empty: shared when its objective is the partner's or shared.",
    )
    entered_by = models.CharField(
        max_length=10,
        choices=[("ours", "Our side"), ("partner", "The partner")],
        default="ours",
        help_text="Which side enters this KPI's values.",
    )
    partner_values_need_acceptance = models.BooleanField(
        default=False, help_text="Values the partner submits count only once we accept them."
    )

    objects = KpiQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "name"]
        verbose_name = "KPI"
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="kpi_unique_name"),
            models.CheckConstraint(
                condition=(
                    Q(direction="higher", critical__lte=F("warning"), warning__lte=F("target"))
                    | Q(direction="lower", target__lte=F("warning"), warning__lte=F("critical"))
                ),
                name="kpi_thresholds_follow_direction",
                violation_error_message="The thresholds contradict the direction: when higher "
                "is better use critical ≤ warning ≤ target; when lower is better use "
                "target ≤ warning ≤ critical.",
            ),
        ]
        indexes = [models.Index(fields=["partnership", "is_active"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("kpis:kpi_detail", args=[self.pk])

    @property
    def suffix(self):
        return UNIT_SUFFIX.get(self.unit, "")

    def clean(self):
        errors = dict(threshold_problems(self.direction, self.target, self.warning, self.critical))
        for name in ("target", "warning", "critical", "baseline"):
            problem = unit_problem(self.unit, getattr(self, name))
            if problem and name not in errors:
                errors[name] = problem
        if (
            self.objective_id
            and self.partnership_id
            and self.objective.partnership_id != self.partnership_id
        ):
            errors["objective"] = "Choose an objective of this partnership."
        if errors:
            raise ValidationError(errors)

    def definition(self):
        """The definition as JSON-friendly values, for the version history."""
        out = {}
        for name in self.DEFINITION_FIELDS:
            value = getattr(self, name)
            out[name] = str(value) if isinstance(value, Decimal) else value
        return out

    def current_period(self, today=None):
        return periods.period_start(today or timezone.localdate(), self.frequency)


class KpiVersion(models.Model):
    """One version of a KPI definition: who changed what, when, and from which period it counts.

    Snapshots use the version in force for their period, so a new target changes the periods
    from ``effective_from`` on and leaves history alone. Version 1 counts from the beginning.
    """

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    effective_from = models.DateField(
        null=True, blank=True, help_text="First period this version scores; empty = all periods."
    )
    direction = models.CharField(max_length=8, choices=Direction.choices)
    target = value_field()
    warning = value_field()
    critical = value_field()
    baseline = value_field(null=True, blank=True)
    definition = models.JSONField()
    changes = models.JSONField(default=list, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kpi", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "number"], name="kpi_version_unique"),
        ]

    def __str__(self):
        return f"{self.kpi} v{self.number}"


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


class Snapshot(models.Model):
    """The computed state of a KPI for one period (upserted, keyed by KPI and period)."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="snapshots")
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
    progress = models.PositiveSmallIntegerField(default=0)
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
