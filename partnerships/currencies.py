"""ISO 4217 currencies: the codes Concord accepts, their names and minor units, and how an
amount is written with its currency.

The list is the active codes of ISO 4217 (the SIX Group's "List One", current funds) for the
currencies most traded and most used in contracts: the 30 of the BIS Triennial Survey 2022's
largest turnover, plus a few common in partnership agreements. Adding a code is adding a line;
a code is never removed while an amount still carries it.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma

# code: (name, minor units)
ISO_4217 = {
    "AED": ("UAE dirham", 2),
    "ARS": ("Argentine peso", 2),
    "AUD": ("Australian dollar", 2),
    "BRL": ("Brazilian real", 2),
    "CAD": ("Canadian dollar", 2),
    "CHF": ("Swiss franc", 2),
    "CLP": ("Chilean peso", 0),
    "CNY": ("Chinese yuan renminbi", 2),
    "COP": ("Colombian peso", 2),
    "CZK": ("Czech koruna", 2),
    "DKK": ("Danish krone", 2),
    "EUR": ("Euro", 2),
    "GBP": ("Pound sterling", 2),
    "HKD": ("Hong Kong dollar", 2),
    "HUF": ("Hungarian forint", 2),
    "IDR": ("Indonesian rupiah", 2),
    "ILS": ("Israeli new shekel", 2),
    "INR": ("Indian rupee", 2),
    "JPY": ("Japanese yen", 0),
    "KRW": ("South Korean won", 0),
    "MXN": ("Mexican peso", 2),
    "MYR": ("Malaysian ringgit", 2),
    "NOK": ("Norwegian krone", 2),
    "NZD": ("New Zealand dollar", 2),
    "PHP": ("Philippine peso", 2),
    "PLN": ("Polish zloty", 2),
    "RON": ("Romanian leu", 2),
    "SAR": ("Saudi riyal", 2),
    "SEK": ("Swedish krona", 2),
    "SGD": ("Singapore dollar", 2),
    "THB": ("Thai baht", 2),
    "TRY": ("Turkish lira", 2),
    "TWD": ("New Taiwan dollar", 2),
    "USD": ("US dollar", 2),
    "ZAR": ("South African rand", 2),
}

CHOICES = [(code, f"{code} — {name}") for code, (name, _) in sorted(ISO_4217.items())]
CODE_LENGTH = 3


def reporting_currency():
    """The company's reporting currency (``settings.REPORTING_CURRENCY``); the default of every
    currency field, so existing amounts are read in it."""
    return settings.REPORTING_CURRENCY


def is_code(code):
    return code in ISO_4217


def minor_units(code):
    return ISO_4217[code][1] if code in ISO_4217 else 2


def amount_text(amount, currency, *, places=0):
    """``1,250,000 USD``: an amount always with its code, never a bare number. ``places`` is
    the decimals shown (whole units in tables and totals), within the currency's minor units."""
    if amount is None:
        return ""
    places = min(places, minor_units(currency))
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(amount).quantize(quantum, rounding=ROUND_HALF_UP)
    return f"{intcomma(format(rounded, 'f'))} {currency}"


def currency_field(**kwargs):
    """The ISO 4217 code beside an amount, the reporting currency unless said otherwise."""
    from django.db import models

    return models.CharField(
        max_length=CODE_LENGTH, choices=CHOICES, default=reporting_currency, **kwargs
    )


def currency_kept(form):
    """A form posted without a currency (a script, a page from before currencies) keeps the
    currency in force instead of failing or changing it. And the field compares what is posted
    with the instance, not with a hidden copy (Django adds one for a callable default)."""
    if "currency" not in form.fields:
        return
    form.fields["currency"].show_hidden_initial = False
    if form.is_bound and "currency" not in form.data:
        data = form.data.copy()
        data["currency"] = getattr(form.instance, "currency", "") or reporting_currency()
        form.data = data
