from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .currencies import amount_text, currency_field
from .exchange_rates import ExchangeRate  # noqa: F401  (a model of this app, in its own module)
from .roles import is_executive, is_manager, is_partner_user


class Partner(models.Model):
    class Kind(models.TextChoices):
        COMPANY = "company", "Company"
        RESEARCH = "research", "Research institution"
        SUPPLIER = "supplier", "Supplier"
        RESELLER = "reseller", "Reseller"
        PUBLIC = "public", "Public body"
        NONPROFIT = "nonprofit", "Non-profit"

    class Size(models.TextChoices):
        STARTUP = "startup", "Start-up (1–50)"
        SMALL = "small", "Small (51–250)"
        MEDIUM = "medium", "Medium (251–1,000)"
        LARGE = "large", "Large (1,001–10,000)"
        ENTERPRISE = "enterprise", "Enterprise (10,000+)"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    industry = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=100, blank=True)
    size = models.CharField(max_length=20, choices=Size.choices, blank=True)
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partnerships:partner_detail", args=[self.pk])


class Contact(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "name"]

    def __str__(self):
        return f"{self.name} ({self.partner})"


class StrategicGoal(models.Model):
    title = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title


class Stage(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    DUE_DILIGENCE = "due_diligence", "Due diligence"
    NEGOTIATION = "negotiation", "Negotiation"
    ACTIVE = "active", "Active"
    UNDER_REVIEW = "under_review", "Under review"
    RENEWAL = "renewal", "Renewal"
    ENDED = "ended", "Ended"


class PartnershipQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one place that decides which partnerships a user may see."""
        if not user.is_authenticated or is_partner_user(user):
            return self.none()
        if is_executive(user):
            return self
        on_team = Partnership.team.through.objects.filter(user=user).values("partnership_id")
        return self.filter(Q(owner=user) | Q(pk__in=on_team))

    def editable_by(self, user):
        if is_executive(user) or is_manager(user):
            return self.visible_to(user)
        return self.none()


class Partnership(models.Model):
    class Type(models.TextChoices):
        STRATEGIC_ALLIANCE = "strategic_alliance", "Strategic alliance"
        TECHNOLOGY = "technology", "Technology"
        CHANNEL = "channel", "Reseller / channel"
        SUPPLIER = "supplier", "Supplier"
        RESEARCH = "research", "Research"
        JOINT_VENTURE = "joint_venture", "Joint venture"

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="partnerships")
    title = models.CharField(max_length=200)
    type = models.CharField(max_length=30, choices=Type.choices)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.PROSPECT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_partnerships",
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="team_partnerships",
        help_text="Who may see this partnership (partner managers on it may also edit it).",
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    estimated_annual_value = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = currency_field(verbose_name="estimate currency")
    description = models.TextField(blank=True)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="partnership_end_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["stage"]),
            models.Index(fields=["type"]),
            # The portfolio's default order: its first page reads 25 rows, not all of them.
            models.Index(fields=["title", "id"], name="partnership_title"),
        ]

    def __str__(self):
        return f"{self.title} — {self.partner}"

    def get_absolute_url(self):
        return reverse("partnerships:detail", args=[self.pk])

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date cannot be before the start date."})

    def terms_in_force(self):
        """The dates and annual value to show: the agreement's once one is recorded (amendments
        included), the planned dates and the estimate before. One fact, one number."""
        agreement = getattr(self, "agreement", None)
        if agreement is not None:
            value = agreement.value
            return TermsInForce(
                start=agreement.start_date,
                end=agreement.end_date,
                value=value if value is not None else self.estimated_annual_value,
                currency=agreement.currency if value is not None else self.currency,
                from_agreement=True,
                value_is_estimate=value is None and self.estimated_annual_value is not None,
            )
        return TermsInForce(
            start=self.start_date,
            end=self.end_date,
            value=self.estimated_annual_value,
            currency=self.currency,
            from_agreement=False,
            value_is_estimate=self.estimated_annual_value is not None,
        )


@dataclass(frozen=True)
class TermsInForce:
    start: object
    end: object
    value: Decimal | None
    currency: str
    from_agreement: bool
    value_is_estimate: bool

    @property
    def value_text(self):
        return amount_text(self.value, self.currency)


class Objective(models.Model):
    class Side(models.TextChoices):
        OURS = "ours", "Ours"
        PARTNER = "partner", "Partner's"
        SHARED = "shared", "Shared"

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        OFF_TRACK = "off_track", "Off track"
        ACHIEVED = "achieved", "Achieved"
        MISSED = "missed", "Missed"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="objectives"
    )
    goal = models.ForeignKey(
        StrategicGoal,
        on_delete=models.PROTECT,
        related_name="objectives",
        verbose_name="strategic goal",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    side = models.CharField(max_length=10, choices=Side.choices, default=Side.SHARED)
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(100)],
        help_text="Percent complete, 0–100.",
    )
    # Status and progress come from the objective's KPIs (partnerships.objectives) unless
    # someone sets them by hand, saying why; the reason is shown beside them.
    status_set_by_hand = models.BooleanField(default=False)
    status_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["side", "title"]

    def __str__(self):
        return self.title


def notice_deadline(end_date, notice_days):
    """The last day to give notice on an agreement ending on ``end_date``; None if open-ended."""
    if end_date is None:
        return None
    return end_date - timezone.timedelta(days=notice_days)


class Agreement(models.Model):
    """The terms in force. Every change after signing goes through an Amendment."""

    class Exclusivity(models.TextChoices):
        NONE = "none", "Non-exclusive"
        REGIONAL = "regional", "Exclusive in a region"
        CATEGORY = "category", "Exclusive in a category"
        FULL = "full", "Fully exclusive"

    TERM_FIELDS = (
        "start_date",
        "end_date",
        "renewal_notice_days",
        "auto_renew",
        "value",
        "currency",
        "exclusivity",
        "key_terms",
    )

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="agreement"
    )
    reference = models.CharField(max_length=100, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    renewal_notice_days = models.PositiveIntegerField(
        default=90, help_text="Days before the end date by which notice must be given."
    )
    auto_renew = models.BooleanField(default=False)
    value = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Contract value per year.",
    )
    currency = currency_field()
    exclusivity = models.CharField(
        max_length=20, choices=Exclusivity.choices, default=Exclusivity.NONE
    )
    key_terms = models.TextField(blank=True)
    signed_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="agreement_end_after_start",
            ),
        ]

    def __str__(self):
        return f"Agreement for {self.partnership.title}"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date cannot be before the start date."})

    @property
    def notice_deadline(self):
        """Last day to give notice so the agreement is not renewed (or ended) by accident."""
        return notice_deadline(self.end_date, self.renewal_notice_days)

    def terms(self):
        """The terms as plain JSON-friendly values, for amendment history."""
        out = {}
        for name in self.TERM_FIELDS:
            value = getattr(self, name)
            if isinstance(value, Decimal):
                value = f"{value:.2f}"
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            out[name] = value
        return out


class Amendment(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="amendments")
    effective_date = models.DateField()
    reason = models.TextField()
    previous_terms = models.JSONField()
    new_terms = models.JSONField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Amendment of {self.agreement} on {self.effective_date}"

    def changes(self):
        """[(field label, before, after)] for the terms this amendment changed."""
        labels = {f.name: f.verbose_name for f in Agreement._meta.fields}
        before, after = self.previous_terms, self.new_terms
        exclusivity = dict(Agreement.Exclusivity.choices)

        def shown(name, value):
            return exclusivity.get(value, value) if name == "exclusivity" else value

        return [
            (labels[name].capitalize(), shown(name, before.get(name)), shown(name, after.get(name)))
            for name in Agreement.TERM_FIELDS
            if before.get(name) != after.get(name)
        ]


class Interaction(models.Model):
    class Kind(models.TextChoices):
        MEETING = "meeting", "Meeting"
        CALL = "call", "Call"
        EMAIL = "email", "Email"
        ESCALATION = "escalation", "Escalation"
        CONFLICT = "conflict", "Conflict"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="interactions"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_on = models.DateField(default=timezone.localdate)
    subject = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    participants = models.CharField(max_length=300, blank=True)
    outcome = models.TextField(blank=True)
    resolution = models.TextField(blank=True, help_text="For conflicts: how it was resolved.")
    resolved_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # An open conflict has someone to resolve it by a date, and escalates like an alert when
    # that date passes (governance.conflicts): the step of the escalation path it has reached.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="For conflicts: who resolves it.",
    )
    due_on = models.DateField(
        null=True, blank=True, verbose_name="resolve by", help_text="For conflicts."
    )
    escalated_step = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_on", "-pk"]

    def __str__(self):
        return self.subject

    def days_overdue(self, today):
        if not self.is_open_conflict or self.due_on is None or self.due_on >= today:
            return 0
        return (today - self.due_on).days

    def clean(self):
        if self.resolved_on and not self.resolution:
            raise ValidationError({"resolution": "Say how the conflict was resolved."})
        if self.resolution and self.kind not in (self.Kind.CONFLICT, self.Kind.ESCALATION):
            raise ValidationError(
                {"resolution": "Only conflicts and escalations have a resolution."}
            )

    @property
    def is_open_conflict(self):
        return self.kind == self.Kind.CONFLICT and not self.resolved_on


class StageMove(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="stage_moves"
    )
    from_stage = models.CharField(max_length=20, choices=Stage.choices)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    moved_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)
    forced = models.BooleanField(default=False)
    unmet_conditions = models.JSONField(
        default=list, blank=True, help_text="What was missing when an executive forced the move."
    )

    class Meta:
        ordering = ["-moved_at", "-pk"]

    def __str__(self):
        return f"{self.partnership}: {self.from_stage} → {self.to_stage}"


class ChangeCounter(models.Model):
    """Part of the count of committed writes to tracked tables (see ``partnerships.changes``)."""

    n = models.BigIntegerField()

    def __str__(self):
        return str(self.n)
