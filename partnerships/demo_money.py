"""Demo data for money in several currencies: three partnerships contracted abroad and the rate
table that converts their values in the portfolio's total."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Agreement, ExchangeRate, Partnership

# partnership title: (currency, how many of it make one unit of the demo's figures)
FOREIGN = {
    "Joint AI insights offering": ("GBP", Decimal("0.85")),
    "Swedish channel programme": ("SEK", Decimal("11")),
    "Cloud co-sell alliance": ("USD", Decimal("1.08")),
}
# currency: (rate three months ago, rate from the first of this month), to EUR
RATES = {
    "GBP": (Decimal("1.1650"), Decimal("1.1720")),
    "SEK": (Decimal("0.0862"), Decimal("0.0871")),
    "USD": (Decimal("0.9410"), Decimal("0.9230")),
}


@transaction.atomic
def seed_money(ctx, today=None):
    if settings.REPORTING_CURRENCY != "EUR":
        return  # the demo's rates are to the euro
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    earlier = (this_month - timedelta(days=85)).replace(day=1)
    coo = ctx["users"].get("coo")
    for currency, (old, new) in RATES.items():
        for day, rate in ((earlier, old), (this_month, new)):
            ExchangeRate.objects.get_or_create(
                currency=currency, valid_from=day, defaults={"rate": rate, "updated_by": coo}
            )
    for title, (currency, factor) in FOREIGN.items():
        partnership = Partnership.objects.filter(title=title).first()
        if partnership is None or partnership.currency == currency:
            continue
        partnership.currency = currency
        if partnership.estimated_annual_value is not None:
            partnership.estimated_annual_value = _scaled(partnership.estimated_annual_value, factor)
        partnership.save(update_fields=["currency", "estimated_annual_value"])
        agreement = Agreement.objects.filter(partnership=partnership).first()
        if agreement is not None:
            agreement.currency = currency
            if agreement.value is not None:
                agreement.value = _scaled(agreement.value, factor)
            agreement.save(update_fields=["currency", "value"])
            _restate_amendments(agreement, currency, factor)


def _scaled(amount, factor):
    # Round thousands, like the rest of the demo's figures.
    return (Decimal(amount) * factor / 1000).quantize(Decimal(1)) * 1000


def _restate_amendments(agreement, currency, factor):
    """The demo's amendments were written in euros: their terms in the agreement's currency."""
    for amendment in agreement.amendments.all():
        for terms in (amendment.previous_terms, amendment.new_terms):
            if terms.get("value") is not None:
                terms["value"] = f"{_scaled(terms['value'], factor):.2f}"
            terms["currency"] = currency
        amendment.save(update_fields=["previous_terms", "new_terms"])
