from django.conf import settings
from django.db import models
from django.utils import timezone

from partnerships.currencies import currency_field
from partnerships.models import Partnership

from .objectives import SIDES


class LedgerEntry(models.Model):
    """Value one side delivered to the other, entered by either side and confirmed by the
    other. Only confirmed entries count in the balance."""

    class Kind(models.TextChoices):
        REVENUE = "revenue", "Revenue"
        COST_SAVED = "cost_saved", "Cost saved"
        CUSTOMERS = "customers", "Customers"
        CAPABILITY = "capability", "Capability"
        EFFORT = "effort", "Effort (person-days)"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        DISPUTED = "disputed", "Disputed"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="ledger_entries"
    )
    # Who delivered the value; the other side received it.
    delivered_by = models.CharField(max_length=10, choices=SIDES)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, help_text="Money, a count of customers or person-days."
    )
    # Read only for money (revenue, cost saved); kept on every entry so none is ambiguous.
    currency = currency_field()
    description = models.CharField(max_length=300)
    occurred_on = models.DateField()
    entered_side = models.CharField(max_length=10, choices=SIDES)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    dispute_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        indexes = [models.Index(fields=["partnership", "occurred_on"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="ledger_amount_positive")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} by {self.delivered_by}"

    @property
    def to_side(self):
        return "partner" if self.delivered_by == "ours" else "ours"
