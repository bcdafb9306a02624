"""KPI templates, KPIs and the versions of their definitions."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from partnerships.currencies import currency_field
from partnerships.models import Objective, Partnership

from .. import periods
from .values import (
    UNIT_SUFFIX,
    Aggregation,
    Direction,
    Frequency,
    Unit,
    threshold_problems,
    unit_problem,
    value_field,
)


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
        "currency",
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
    currency = currency_field(help_text="For a KPI in currency: the currency of its values.")
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

    @property
    def unit_label(self):
        """ "Currency (USD)" for a KPI in currency: a figure without its currency is ambiguous."""
        if self.unit == Unit.CURRENCY:
            return f"{self.get_unit_display()} ({self.currency})"
        return self.get_unit_display()

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
