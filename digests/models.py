from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Partnership


def validate_time_zone(value):
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError(
            "“%(value)s” is not a time zone we know. Use a name such as Europe/London.",
            params={"value": value},
        ) from None


def default_time_zone():
    return settings.TIME_ZONE


class Weekday(models.IntegerChoices):
    # Python's date.weekday() numbering, so schedules compare without translation.
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class DigestPreference(models.Model):
    """How and when one user gets the weekly digest. A user without a row gets the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_preference"
    )
    enabled = models.BooleanField("send me the weekly digest", default=True)
    weekday = models.PositiveSmallIntegerField(
        "day", choices=Weekday.choices, default=Weekday.MONDAY
    )
    send_time = models.TimeField("time", default=time(7, 0))
    time_zone = models.CharField(
        max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    reminders_enabled = models.BooleanField("email me reminders of agreement dates", default=True)
    last_seen_on = models.DateField(
        null=True, blank=True, help_text="Last day the user opened the app (at most daily)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "digest preference"

    def __str__(self):
        return f"Digest preferences of {self.user}"

    @property
    def tz(self):
        return ZoneInfo(self.time_zone)


class Follow(models.Model):
    """An explicit choice that overrides the default (follow what you can see, except ended)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_follows"
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="digest_follows"
    )
    following = models.BooleanField(help_text="Off means the user unfollowed it.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "partnership"], name="follow_once_per_user")
        ]

    def __str__(self):
        verb = "follows" if self.following else "unfollowed"
        return f"{self.user} {verb} {self.partnership.title}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class Delivery(models.Model):
    """What digests and reminders share: a record claimed before the mail goes out."""

    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    to_email = models.EmailField(blank=True)
    subject = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Digest(Delivery):
    """One recipient's digest for one ISO week, recorded before it is sent."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests"
    )
    week = models.CharField(max_length=8, help_text="ISO week of the send date, e.g. 2026-W47.")
    period_start = models.DateField(help_text="First day covered.")
    period_end = models.DateField(help_text="Day after the last day covered (the send date).")
    time_zone = models.CharField(max_length=64, default=default_time_zone)
    monthly = models.BooleanField(
        default=False, help_text="Sent monthly because the recipient has been away."
    )
    partnership_count = models.PositiveIntegerField(default=0)
    html_body = models.TextField(blank=True)
    text_body = models.TextField(blank=True)

    class Meta:
        ordering = ["-period_end", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "week"], name="digest_once_per_user_week")
        ]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self):
        return f"Digest {self.week} for {self.user}"

    def get_absolute_url(self):
        return reverse("digests:digest_detail", args=[self.pk])


class Reminder(Delivery):
    """One email ahead of one date, to one recipient, at one offset — sent exactly once.

    The key holds the due date itself, so when the date moves (the agreement was amended or
    renewed) the old key no longer matches anything that is due and nothing more is sent for it.
    """

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="date_reminders"
    )
    kind = models.CharField(max_length=40)
    due_date = models.DateField()
    offset_days = models.PositiveIntegerField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="date_reminders"
    )
    label = models.CharField(max_length=255)
    url = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["due_date", "partnership_id", "kind", "-offset_days"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "kind", "due_date", "offset_days", "recipient"],
                name="reminder_once_per_date_offset_recipient",
            )
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self):
        return f"{self.label} ({self.offset_days} days ahead) to {self.recipient}"
