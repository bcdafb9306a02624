"""The agreement's documents (every version kept) and its obligations, row by row."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from partnerships.models import Agreement, Amendment, Contact, Partnership

from .occurrences import ONE_OFF


class Document(models.Model):
    """A document of the agreement: the signed contract, an amendment's text, an annex.
    Its file is in its versions; a new upload adds a version and keeps the earlier ones."""

    class Kind(models.TextChoices):
        SIGNED = "signed", "Signed agreement"
        AMENDMENT = "amendment", "Amendment"
        ANNEX = "annex", "Annex or schedule"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SIGNED)
    amendment = models.ForeignKey(
        Amendment, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.title


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to="contracts/documents/%Y/%m/")
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    note = models.CharField(max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_once")
        ]

    def __str__(self):
        return f"{self.document} v{self.number}"


class Party(models.TextChoices):
    OURS = "ours", "Our side"
    PARTNER = "partner", "Partner"


class Recurrence(models.TextChoices):
    ONE_OFF = ONE_OFF, "One-off"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    YEARLY = "yearly", "Yearly"


class Obligation(models.Model):
    """Who owes what under the agreement, by when, once or on a cadence."""

    class Status(models.TextChoices):
        ACTIVE = "active", "In force"
        ENDED = "ended", "Ended"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="obligations")
    # The agreement's partnership, kept on the row: every list of obligations is by partnership.
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="obligations"
    )
    party = models.CharField(max_length=10, choices=Party.choices, default=Party.OURS)
    description = models.CharField(max_length=300)
    # Our person who sees it done (or chases the partner for it). A partner's contact may own
    # one later, through the portal; until then ``owner_contact`` is only a name on the page.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contract_obligations",
    )
    owner_contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_due = models.DateField("first due")
    recurrence = models.CharField(
        max_length=10, choices=Recurrence.choices, default=Recurrence.ONE_OFF
    )
    ends_on = models.DateField("ends on", null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)

    TRACKED = ("party", "description", "owner_id", "first_due", "recurrence", "ends_on", "status")

    class Meta:
        ordering = ["first_due", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("first_due")),
                name="obligation_ends_after_first_due",
            ),
            models.CheckConstraint(
                condition=Q(owner__isnull=True) | Q(owner_contact__isnull=True),
                name="obligation_one_owner",
            ),
        ]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self):
        return self.description

    def snapshot(self):
        """The terms of the obligation as JSON-friendly values, for its history."""
        out = {}
        for name in self.TRACKED:
            value = getattr(self, name)
            out[name] = value.isoformat() if hasattr(value, "isoformat") else value
        return out


class Fulfilment(models.Model):
    """One occurrence of an obligation kept: which due date, when, by whom, with what proof."""

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="fulfilments")
    due_date = models.DateField()
    fulfilled_on = models.DateField()
    note = models.TextField(blank=True)
    file = models.FileField(upload_to="contracts/evidence/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-due_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["obligation", "due_date"], name="fulfilment_once_per_occurrence"
            )
        ]

    def __str__(self):
        return f"{self.obligation} due {self.due_date}"


class ObligationChange(models.Model):
    """One line of an obligation's history: added, changed or ended, and by which amendment."""

    class Kind(models.TextChoices):
        ADDED = "added", "Added"
        CHANGED = "changed", "Changed"
        ENDED = "ended", "Ended"

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="changes")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amendment = models.ForeignKey(
        Amendment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    note = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.obligation}"
