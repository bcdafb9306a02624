"""Due diligence: checklist templates, checklists, their items and evidence."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from partnerships.models import Partnership

from .scales import RATING_CHOICES, SCALE_VALIDATORS


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
