"""Due diligence, governance roles and RACI, meetings/decisions/actions, risks."""

import calendar
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Contact, Partnership

RATING_CHOICES = [
    (1, "1 – poor"),
    (2, "2 – weak"),
    (3, "3 – adequate"),
    (4, "4 – good"),
    (5, "5 – excellent"),
]
SCALE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


# Due diligence -----------------------------------------------------------------------------


class Section(models.TextChoices):
    FINANCIAL = "financial", "Financial stability"
    REPUTATION = "reputation", "Reputation"
    OPERATIONAL = "operational", "Operational capability"
    LEGAL = "legal", "Legal & compliance"
    SECURITY = "security", "Security & data protection"
    STRATEGIC = "strategic", "Strategic fit"


class ChecklistTemplate(models.Model):
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    is_default = models.BooleanField(
        default=False, help_text="Offered first when due diligence starts. Only one can be."
    )
    is_active = models.BooleanField(default=True, help_text="Inactive templates are not offered.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_dd_template"
            )
        ]

    def __str__(self):
        return self.name


class TemplateItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    section = models.CharField(max_length=20, choices=Section.choices)
    question = models.CharField(max_length=300)
    guidance = models.TextField(blank=True, help_text="What good evidence looks like.")
    required = models.BooleanField(default=True)
    weight = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="1–10: how much this item counts towards progress and score.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["template", "order", "pk"]

    def __str__(self):
        return self.question


class Checklist(models.Model):
    """A partnership's own due-diligence checklist, copied from a template when DD starts."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="dd_checklist"
    )
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    template_name = models.CharField(max_length=200, blank=True)
    due_date = models.DateField(
        null=True, blank=True, help_text="Items without their own due date are due by then."
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    sign_off_note = models.TextField(blank=True)

    def __str__(self):
        return f"Due diligence for {self.partnership.title}"

    @property
    def is_signed_off(self):
        return self.signed_off_at is not None


class ItemStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"
    WAIVED = "waived", "Waived"


CONCLUDED = (ItemStatus.PASSED, ItemStatus.FAILED, ItemStatus.WAIVED)
CLEARED = (ItemStatus.PASSED, ItemStatus.WAIVED)
OPEN_ITEM = (ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS)


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    section = models.CharField(max_length=20, choices=Section.choices)
    question = models.CharField(max_length=300)
    guidance = models.TextField(blank=True)
    required = models.BooleanField(default=True)
    weight = models.PositiveSmallIntegerField(default=1)
    order = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        max_length=20, choices=ItemStatus.choices, default=ItemStatus.NOT_STARTED
    )
    rating = models.PositiveSmallIntegerField(
        choices=RATING_CHOICES, null=True, blank=True, validators=SCALE_VALIDATORS
    )
    evidence_notes = models.TextField(blank=True)
    waiver_reason = models.TextField(blank=True, help_text="Why this item can be skipped.")
    due_date = models.DateField(null=True, blank=True, help_text="Overrides the checklist's.")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Sent to the partner as a question of their due-diligence questionnaire (portal app).
    answered_by_partner = models.BooleanField(default=False)

    class Meta:
        ordering = ["checklist", "order", "pk"]
        indexes = [
            # The open items alone (a third of them), for the portfolio's overdue-DD count: read
            # from the index without visiting the table.
            models.Index(
                fields=["checklist", "due_date"],
                condition=Q(status__in=OPEN_ITEM),
                name="checklistitem_open_due",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="waived") | ~Q(waiver_reason=""),
                name="dd_waiver_needs_reason",
            )
        ]

    def __str__(self):
        return self.question

    def effective_due_date(self):
        return self.due_date or self.checklist.due_date

    def is_overdue(self, today):
        due = self.due_date or self.checklist.due_date
        return (
            self.status in OPEN_ITEM
            and not self.checklist.is_signed_off
            and due is not None
            and due < today
        )


class Evidence(models.Model):
    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="governance/evidence/%Y/%m/")
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name_plural = "evidence"

    def __str__(self):
        return self.original_name


# Governance roles and RACI ----------------------------------------------------------------


class RoleKind(models.TextChoices):
    EXECUTIVE_SPONSOR = "executive_sponsor", "Executive sponsor"
    OWNER = "owner", "Partnership owner"
    COO = "coo", "COO"
    STEERING_MEMBER = "steering_member", "Steering committee member"
    OPERATIONAL_LEAD = "operational_lead", "Operational lead"
    LEGAL = "legal", "Legal"
    FINANCE = "finance", "Finance"
    PARTNER_PRINCIPAL = "partner_principal", "Partner principal"
    PARTNER_SPONSOR = "partner_sponsor", "Partner executive sponsor"
    PARTNER_OPERATIONAL = "partner_operational", "Partner operational contact"


STRATEGIC_KINDS = {
    RoleKind.EXECUTIVE_SPONSOR,
    RoleKind.OWNER,
    RoleKind.COO,
    RoleKind.STEERING_MEMBER,
    RoleKind.PARTNER_PRINCIPAL,
    RoleKind.PARTNER_SPONSOR,
}


OUR_SIDE_KINDS = {RoleKind.EXECUTIVE_SPONSOR, RoleKind.OWNER, RoleKind.COO}
PARTNER_SIDE_KINDS = {
    RoleKind.PARTNER_PRINCIPAL,
    RoleKind.PARTNER_SPONSOR,
    RoleKind.PARTNER_OPERATIONAL,
}


def default_level(kind):
    return "strategic" if kind in STRATEGIC_KINDS else "operational"


class DecisionArea(models.TextChoices):
    BUDGET = "budget", "Budget changes"
    SCOPE = "scope", "Scope changes"
    TERMS = "terms", "Term changes"
    ESCALATIONS = "escalations", "Escalations"
    RENEWAL_EXIT = "renewal_exit", "Renewal / exit"


class GovernanceRole(models.Model):
    class Level(models.TextChoices):
        STRATEGIC = "strategic", "Strategic"
        OPERATIONAL = "operational", "Operational"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="governance_roles"
    )
    kind = models.CharField(max_length=30, choices=RoleKind.choices, verbose_name="role")
    level = models.CharField(max_length=20, choices=Level.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="governance_roles",
        verbose_name="person on our side",
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="governance_roles",
        verbose_name="partner contact",
    )
    responsibilities = models.TextField(blank=True)
    decision_rights = models.JSONField(
        default=list, blank=True, help_text="The decision areas this role may decide."
    )
    escalation_step = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Position on the escalation path (1 = escalate here first); empty if not on it.",
    )

    class Meta:
        ordering = ["partnership", "level", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(contact__isnull=True))
                | (Q(user__isnull=True) & Q(contact__isnull=False)),
                name="governance_role_one_person",
            ),
            models.UniqueConstraint(
                fields=["partnership", "escalation_step"],
                condition=Q(escalation_step__isnull=False),
                name="one_role_per_escalation_step",
            ),
            models.UniqueConstraint(
                fields=["partnership", "kind", "user"],
                condition=Q(user__isnull=False),
                name="governance_role_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["partnership", "kind", "contact"],
                condition=Q(contact__isnull=False),
                name="governance_role_once_per_contact",
            ),
        ]

    def __str__(self):
        return f"{self.person_name} — {self.get_kind_display()}"

    def clean(self):
        if bool(self.user_id) == bool(self.contact_id):
            raise ValidationError(
                "Choose either a person on our side or a partner contact, not both or neither."
            )
        if self.kind in OUR_SIDE_KINDS and not self.user_id:
            raise ValidationError(
                {"user": f"The {self.get_kind_display().lower()} is someone on our side."}
            )
        if self.kind in PARTNER_SIDE_KINDS and not self.contact_id:
            raise ValidationError(
                {"contact": f"The {self.get_kind_display().lower()} is a partner contact."}
            )
        if (
            self.contact_id
            and self.partnership_id
            and self.contact.partner_id != self.partnership.partner_id
        ):
            raise ValidationError({"contact": "This contact works for a different partner."})
        unknown = set(self.decision_rights or []) - set(DecisionArea.values)
        if unknown:
            raise ValidationError({"decision_rights": "Unknown decision area."})
        if not self.level:
            self.level = default_level(self.kind)

    @property
    def person_name(self):
        if self.user_id:
            return self.user.get_full_name() or self.user.username
        return self.contact.name if self.contact_id else "—"

    @property
    def side(self):
        return "ours" if self.user_id else "partner"

    @property
    def side_label(self):
        return "Ours" if self.user_id else "Partner"

    def decision_right_labels(self):
        labels = dict(DecisionArea.choices)
        return [labels[a] for a in DecisionArea.values if a in (self.decision_rights or [])]

    def has_decision_right(self, area):
        return area in (self.decision_rights or [])


class RaciLetter(models.TextChoices):
    RESPONSIBLE = "R", "Responsible"
    ACCOUNTABLE = "A", "Accountable"
    CONSULTED = "C", "Consulted"
    INFORMED = "I", "Informed"


class RaciAssignment(models.Model):
    # partnership repeats role.partnership so the database can hold "one A per area".
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="raci")
    role = models.ForeignKey(GovernanceRole, on_delete=models.CASCADE, related_name="raci")
    area = models.CharField(max_length=20, choices=DecisionArea.choices)
    letter = models.CharField(max_length=1, choices=RaciLetter.choices)

    class Meta:
        ordering = ["partnership", "area", "letter"]
        verbose_name = "RACI assignment"
        constraints = [
            models.UniqueConstraint(fields=["role", "area"], name="raci_one_letter_per_cell"),
            models.UniqueConstraint(
                fields=["partnership", "area"],
                condition=Q(letter="A"),
                name="raci_one_accountable_per_area",
                violation_error_message="Only one role can be Accountable for a decision area.",
            ),
        ]

    def __str__(self):
        return f"{self.role} · {self.get_area_display()}: {self.letter}"


# Meetings, decisions, action items, reviews ------------------------------------------------


class MeetingKind(models.TextChoices):
    STEERING = "steering", "Steering committee"
    QBR = "qbr", "Quarterly business review"
    OPERATIONAL = "operational", "Operational review"
    EXECUTIVE = "executive", "Executive review"
    AD_HOC = "ad_hoc", "Ad hoc"


def add_months(day, months):
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    HALF_YEARLY = "half_yearly", "Every six months"
    YEARLY = "yearly", "Yearly"


def meeting_due(frequency, start_date, last_held=None, next_scheduled=None):
    """When a cadence's next meeting is due (MeetingCadence.next_due, from plain values)."""
    if next_scheduled:
        return next_scheduled
    if last_held:
        return max(next_after(last_held, frequency), start_date)
    return start_date


def next_after(day, frequency):
    """The day a meeting on ``frequency`` is next due after one held on ``day``."""
    step = {
        Frequency.WEEKLY: ("days", 7),
        Frequency.FORTNIGHTLY: ("days", 14),
        Frequency.MONTHLY: ("months", 1),
        Frequency.QUARTERLY: ("months", 3),
        Frequency.HALF_YEARLY: ("months", 6),
        Frequency.YEARLY: ("months", 12),
    }[Frequency(frequency)]
    if step[0] == "days":
        return day + timedelta(days=step[1])
    return add_months(day, step[1])


class MeetingCadence(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="meeting_cadences"
    )
    kind = models.CharField(max_length=20, choices=MeetingKind.choices, verbose_name="meeting")
    frequency = models.CharField(max_length=20, choices=Frequency.choices)
    start_date = models.DateField(
        default=timezone.localdate, help_text="When the first meeting is due."
    )
    is_active = models.BooleanField(default=True)
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["partnership", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "kind"], name="one_cadence_per_kind")
        ]

    def __str__(self):
        return f"{self.get_frequency_display()} {self.get_kind_display().lower()}"

    def next_due(self, *, last_held=None, next_scheduled=None):
        """A scheduled meeting wins; otherwise the last one held plus the interval."""
        return meeting_due(self.frequency, self.start_date, last_held, next_scheduled)


class Meeting(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(max_length=20, choices=MeetingKind.choices, default="steering")
    title = models.CharField(max_length=200)
    held_on = models.DateField(verbose_name="date", help_text="A future date plans the meeting.")
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name="attendees (ours)"
    )
    partner_attendees = models.ManyToManyField(
        Contact, blank=True, related_name="+", verbose_name="attendees (partner)"
    )
    agenda = models.TextField(blank=True)
    minutes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["partnership", "kind", "held_on"])]

    def __str__(self):
        return f"{self.title} ({self.held_on:%d %b %Y})"

    def get_absolute_url(self):
        return reverse(
            "governance:meeting_detail", kwargs={"pk": self.partnership_id, "meeting_pk": self.pk}
        )


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    summary = models.TextField(verbose_name="decision")
    decided_by = models.ForeignKey(
        GovernanceRole, on_delete=models.PROTECT, related_name="decisions"
    )
    area = models.CharField(
        max_length=20, choices=DecisionArea.choices, verbose_name="under decision right"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "pk"]

    def __str__(self):
        return self.summary[:80]


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


OPEN_ACTION = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class ActionItem(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="action_items"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="owner (ours)",
    )
    owner_contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="owner (partner)",
    )
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default="open")
    notes = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["partnership", "status", "due_date"]),
            # The open actions past due, for the portfolio's overdue-actions count: a range of
            # this index, not a pass over every action ever recorded.
            models.Index(
                fields=["due_date", "partnership"],
                condition=Q(status__in=OPEN_ACTION),
                name="actionitem_open_due",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if bool(self.owner_id) == bool(self.owner_contact_id):
            raise ValidationError(
                "Give the action one owner: someone on our side or a partner contact."
            )
        if (
            self.owner_contact_id
            and self.partnership_id
            and self.owner_contact.partner_id != self.partnership.partner_id
        ):
            raise ValidationError({"owner_contact": "This contact works for a different partner."})
        if (
            self.meeting_id
            and self.partnership_id
            and (self.meeting.partnership_id != self.partnership_id)
        ):
            raise ValidationError({"meeting": "This meeting belongs to another partnership."})

    @property
    def owner_name(self):
        if self.owner_id:
            return self.owner.get_full_name() or self.owner.username
        return self.owner_contact.name if self.owner_contact_id else "—"

    @property
    def is_open(self):
        return self.status in OPEN_ACTION

    def is_overdue(self, today):
        return self.status in OPEN_ACTION and self.due_date < today


class PerformanceReview(models.Model):
    class Recommendation(models.TextChoices):
        CONTINUE = "continue", "Continue"
        EXPAND = "expand", "Expand"
        RENEGOTIATE = "renegotiate", "Renegotiate"
        EXIT = "exit", "Exit"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="performance_reviews"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    rating = models.PositiveSmallIntegerField(choices=RATING_CHOICES, validators=SCALE_VALIDATORS)
    went_well = models.TextField(verbose_name="what went well")
    went_badly = models.TextField(verbose_name="what did not go well")
    recommendation = models.CharField(max_length=20, choices=Recommendation.choices)
    notes = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reviewed_on = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="review_period_ordered"
            )
        ]

    def __str__(self):
        return f"Review of {self.partnership.title}, {self.period_start} – {self.period_end}"

    def clean(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": "The period cannot end before it starts."})


# Risks -------------------------------------------------------------------------------------


class RiskCategory(models.TextChoices):
    FINANCIAL = "financial", "Financial exposure"
    REPUTATIONAL = "reputational", "Reputational"
    OPERATIONAL = "operational", "Operational"
    LEGAL = "legal", "Legal / compliance"
    STRATEGIC = "strategic", "Strategic"
    SECURITY = "security", "Security"


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    MITIGATING = "mitigating", "Being mitigated"
    ACCEPTED = "accepted", "Accepted"
    CLOSED = "closed", "Closed"


LIKELIHOOD_CHOICES = [
    (1, "1 – rare"),
    (2, "2 – unlikely"),
    (3, "3 – possible"),
    (4, "4 – likely"),
    (5, "5 – almost certain"),
]
IMPACT_CHOICES = [
    (1, "1 – negligible"),
    (2, "2 – minor"),
    (3, "3 – moderate"),
    (4, "4 – major"),
    (5, "5 – severe"),
]


def score_level(score):
    """Heat-map band of a likelihood x impact score: high, medium or low."""
    if score >= 15:
        return "high"
    if score >= 8:
        return "medium"
    return "low"


class Risk(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=20, choices=RiskCategory.choices)
    likelihood = models.PositiveSmallIntegerField(
        choices=LIKELIHOOD_CHOICES, validators=SCALE_VALIDATORS
    )
    impact = models.PositiveSmallIntegerField(choices=IMPACT_CHOICES, validators=SCALE_VALIDATORS)
    score = models.GeneratedField(
        expression=F("likelihood") * F("impact"),
        output_field=models.IntegerField(),
        db_persist=True,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mitigation = models.TextField(blank=True, help_text="What we do to make it less likely.")
    contingency = models.TextField(
        blank=True, verbose_name="contingency plan", help_text="What we do if it happens."
    )
    review_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-score", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5), name="risk_likelihood_1_5"
            ),
            models.CheckConstraint(
                condition=Q(impact__gte=1, impact__lte=5), name="risk_impact_1_5"
            ),
        ]
        indexes = [models.Index(fields=["partnership", "status"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        kwargs = {"pk": self.partnership_id, "risk_pk": self.pk}
        return reverse("governance:risk_edit", kwargs=kwargs)

    @property
    def is_open(self):
        return self.status != RiskStatus.CLOSED

    @property
    def level(self):
        return score_level(self.likelihood * self.impact)

    def is_review_overdue(self, today):
        return self.is_open and self.review_date is not None and self.review_date < today


class RiskScoreChange(models.Model):
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="history")
    likelihood_before = models.PositiveSmallIntegerField(null=True, blank=True)
    impact_before = models.PositiveSmallIntegerField(null=True, blank=True)
    likelihood = models.PositiveSmallIntegerField()
    impact = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.risk}: {self.score_before} → {self.score}"

    @property
    def score(self):
        return self.likelihood * self.impact

    @property
    def score_before(self):
        if self.likelihood_before is None or self.impact_before is None:
            return None
        return self.likelihood_before * self.impact_before
