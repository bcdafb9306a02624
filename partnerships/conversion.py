"""Amounts converted to the reporting currency at the rate table (``ExchangeRate``).

The rate used for a date is the latest one valid on it (``valid_from`` on or before the date).
A currency with no such rate is never converted at a guess: the conversion fails with a
sentence that says which rate is missing, and a total leaves those amounts out and says so.
"""

from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.template.defaultfilters import date as date_filter

from .currencies import amount_text
from .exchange_rates import ExchangeRate


class NoRate(Exception):
    def __init__(self, currency, on_date):
        self.currency, self.on_date = currency, on_date
        super().__init__(f"No rate for {currency} on {date_filter(on_date, 'j M Y')}.")


@dataclass(frozen=True)
class UsedRate:
    currency: str
    rate: Decimal
    valid_from: object

    def __str__(self):
        shown = self.rate.normalize()
        return f"1 {self.currency} = {shown:f} {settings.REPORTING_CURRENCY}"


def rates_on(on_date, currencies=None):
    """{currency: UsedRate}, the latest rate of each currency valid on ``on_date``, read in
    one query (the reporting currency is always there, at 1)."""
    rows = ExchangeRate.objects.filter(valid_from__lte=on_date)
    if currencies is not None:
        rows = rows.filter(currency__in=list(currencies))
    rows = rows.order_by("currency", "-valid_from").distinct("currency")
    found = {r.currency: UsedRate(r.currency, r.rate, r.valid_from) for r in rows}
    reporting = settings.REPORTING_CURRENCY
    found[reporting] = UsedRate(reporting, Decimal(1), None)
    return found


def convert(amount, currency, on_date, *, rates=None):
    """``amount`` in ``currency`` as reporting currency, at the latest rate valid on
    ``on_date``; raises ``NoRate`` when there is none. ``rates`` (from ``rates_on``) saves the
    query when many amounts are converted on one page."""
    if rates is None:
        rates = rates_on(on_date, [currency])
    used = rates.get(currency)
    if used is None:
        raise NoRate(currency, on_date)
    return Decimal(amount) * used.rate


@dataclass
class Total:
    """A sum in the reporting currency, with the rates it used and what it left out."""

    on_date: object
    amount: Decimal = Decimal(0)
    counted: int = 0
    used: list = field(default_factory=list)  # UsedRate, other than the reporting currency
    missing: list = field(default_factory=list)  # (currency, count, amount) with no rate

    @property
    def currency(self):
        return settings.REPORTING_CURRENCY

    @property
    def text(self):
        return amount_text(self.amount, self.currency)

    @property
    def rates_text(self):
        """ "at rates of 1 Dec 2026: 1 USD = 0.92 EUR; of 3 Nov 2026: 1 SEK = 0.087 EUR"."""
        by_date = {}
        for used in self.used:
            by_date.setdefault(used.valid_from, []).append(str(used))
        parts = [
            f"of {date_filter(day, 'j M Y')}: {', '.join(texts)}"
            for day, texts in sorted(by_date.items(), reverse=True)
        ]
        return "at rates " + "; ".join(parts) if parts else ""

    @property
    def missing_text(self):
        day = date_filter(self.on_date, "j M Y")
        return [
            f"{count} partnership{'s' if count != 1 else ''} in {currency} "
            f"({amount_text(amount, currency)}) left out: no rate for {currency} on {day}."
            for currency, count, amount in self.missing
        ]


def total(sums, on_date):
    """``sums`` is ``[(currency, count, amount)]`` (one row per currency, as a grouped query
    gives them): their total in the reporting currency at the rates valid on ``on_date``."""
    sums = [(c, n, a) for c, n, a in sums if a is not None]
    rates = rates_on(on_date, {c for c, _, _ in sums})
    out = Total(on_date=on_date)
    for currency, count, amount in sorted(sums):
        try:
            out.amount += convert(amount, currency, on_date, rates=rates)
        except NoRate:
            out.missing.append((currency, count, amount))
            continue
        out.counted += count
        if currency != settings.REPORTING_CURRENCY:
            out.used.append(rates[currency])
    return out


class RateHistory:
    """Every rate of some currencies, read in one query, for converting amounts of many dates
    (a ledger's entries): each at the latest rate valid on its own date."""

    def __init__(self, currencies):
        reporting = settings.REPORTING_CURRENCY
        self.dates, self.rates = {}, {}
        wanted = set(currencies) - {reporting}
        rows = ExchangeRate.objects.filter(currency__in=wanted) if wanted else []
        for r in sorted(rows, key=lambda r: (r.currency, r.valid_from)):
            self.dates.setdefault(r.currency, []).append(r.valid_from)
            self.rates.setdefault(r.currency, []).append(r.rate)

    def convert(self, amount, currency, on_date):
        if currency == settings.REPORTING_CURRENCY:
            return Decimal(amount)
        index = bisect_right(self.dates.get(currency, []), on_date)
        if index == 0:
            raise NoRate(currency, on_date)
        return Decimal(amount) * self.rates[currency][index - 1]
