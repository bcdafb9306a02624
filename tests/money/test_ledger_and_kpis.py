"""The value ledger's money and KPIs in currency carry their currency."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kpis.models import Unit
from kpis.templatetags.kpis import kpi_value
from partnerships.conversion import RateHistory
from partnerships.models import ExchangeRate
from portal import ledger
from portal.models import LedgerEntry


def _entry(day, currency, amount, by="partner"):
    return LedgerEntry(
        delivered_by=by,
        kind="revenue",
        amount=Decimal(amount),
        currency=currency,
        occurred_on=day,
        state="confirmed",
        description=f"{amount} {currency}",
    )


def test_ledger_money_converts_at_the_rate_of_each_entry_date(db):
    ExchangeRate.objects.create(currency="USD", rate=Decimal("0.5"), valid_from=date(2026, 1, 1))
    ExchangeRate.objects.create(currency="USD", rate=Decimal("1.0"), valid_from=date(2026, 4, 1))
    entries = [
        _entry(date(2026, 2, 1), "USD", 100),  # 50 EUR
        _entry(date(2026, 5, 1), "USD", 100),  # 100 EUR
        _entry(date(2026, 5, 2), "EUR", 10),
    ]
    rows = ledger.balance(entries, RateHistory({"USD", "EUR"}))
    assert [r["to_us"] for r in rows] == [Decimal(50), Decimal(110)]
    assert ledger.unconverted(entries, RateHistory({"USD"})) == []


def test_ledger_money_without_a_rate_is_left_out_and_listed(db):
    entries = [_entry(date(2026, 2, 1), "SEK", 1000), _entry(date(2026, 2, 1), "EUR", 10)]
    rates = RateHistory({"SEK", "EUR"})
    assert ledger.balance(entries, rates)[-1]["net"] == Decimal(10)
    assert ledger.unconverted(entries, rates) == [entries[0]]


def test_ledger_entry_takes_a_known_currency():
    data = {
        "delivered_by": "partner",
        "kind": "revenue",
        "amount": "10",
        "description": "Referral",
        "occurred_on": "2026-11-01",
    }
    assert ledger.parse({**data, "currency": "usd"})["currency"] == "USD"
    assert ledger.parse(data)["currency"] == "EUR"
    with pytest.raises(ValidationError) as error:
        ledger.parse({**data, "currency": "XYZ"})
    assert "not a currency we know" in str(error.value)


def test_a_kpi_in_currency_shows_its_currency():
    class Kpi:
        unit = Unit.CURRENCY
        currency = "SEK"

    assert kpi_value(Decimal("125000"), Kpi()) == "125,000 SEK"
    Kpi.unit = Unit.PERCENT
    assert kpi_value(Decimal("95.5"), Kpi()) == "95.5%"


def test_a_kpi_unit_names_its_currency():
    from kpis.models import Kpi

    assert Kpi(unit=Unit.CURRENCY, currency="USD").unit_label == "Currency (USD)"
    assert Kpi(unit=Unit.PERCENT, currency="USD").unit_label == "Percent (%)"
