"""Meeting cadences, meetings, decisions, action items and performance reviews."""

import calendar
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Contact, Partnership

from .roles import DecisionArea, GovernanceRole
from .scales import RATING_CHOICES, SCALE_VALIDATORS


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
