"""The rate table executives maintain: what one unit of a currency is worth in the reporting
currency, from a date until the next rate of that currency. Portfolio totals convert at it
(``partnerships.conversion``)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from .currencies import CHOICES


class ExchangeRate(models.Model):
    currency = models.CharField(max_length=3, choices=CHOICES)
    rate = models.DecimalField(
        max_digits=18,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
        help_text="What one unit of the currency is worth in the reporting currency.",
    )
    valid_from = models.DateField(default=timezone.localdate)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-valid_from", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "valid_from"],
                name="exchange_rate_one_per_currency_and_date",
                violation_error_message="There is already a rate for this currency on this "
                "date; edit that one instead.",
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self):
        reporting = settings.REPORTING_CURRENCY
        return f"1 {self.currency} = {self.rate} {reporting} from {self.valid_from}"

    def clean(self):
        if self.currency == settings.REPORTING_CURRENCY:
            raise ValidationError(
                {"currency": f"{self.currency} is the reporting currency: its rate is always 1."}
            )
