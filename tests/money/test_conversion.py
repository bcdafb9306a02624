"""Converting amounts to the reporting currency at the rate table."""

from datetime import date
from decimal import Decimal

import pytest

from partnerships.conversion import NoRate, RateHistory, convert, total
from partnerships.models import ExchangeRate


@pytest.fixture
def usd_rates(db):
    ExchangeRate.objects.create(currency="USD", rate=Decimal("0.90"), valid_from=date(2026, 9, 1))
    ExchangeRate.objects.create(currency="USD", rate=Decimal("0.92"), valid_from=date(2026, 12, 1))


def test_the_rate_valid_on_the_date_is_used(usd_rates):
    assert convert(Decimal(100), "USD", date(2026, 11, 30)) == Decimal("90.00")
    assert convert(Decimal(100), "USD", date(2026, 12, 1)) == Decimal("92.00")
    assert convert(Decimal(100), "USD", date(2027, 3, 1)) == Decimal("92.00")


def test_the_reporting_currency_needs_no_rate(db, settings):
    settings.REPORTING_CURRENCY = "EUR"
    assert convert(Decimal(100), "EUR", date(2026, 1, 1)) == Decimal(100)


def test_a_missing_rate_is_said_not_guessed(usd_rates):
    with pytest.raises(NoRate, match=r"No rate for USD on 31 Aug 2026\."):
        convert(Decimal(100), "USD", date(2026, 8, 31))
    with pytest.raises(NoRate, match="No rate for SEK"):
        convert(Decimal(100), "SEK", date(2026, 12, 5))


def test_a_history_converts_each_amount_at_its_own_date(usd_rates):
    history = RateHistory({"USD", "EUR"})
    assert history.convert(Decimal(10), "USD", date(2026, 10, 1)) == Decimal("9.00")
    assert history.convert(Decimal(10), "USD", date(2026, 12, 2)) == Decimal("9.20")
    with pytest.raises(NoRate):
        history.convert(Decimal(10), "USD", date(2026, 1, 1))


def test_a_total_says_its_rates_and_what_it_left_out(usd_rates):
    out = total(
        [("EUR", 2, Decimal(1000)), ("USD", 1, Decimal(1000)), ("JPY", 3, Decimal(500000))],
        date(2026, 12, 5),
    )
    assert out.amount == Decimal(1920)
    assert out.counted == 3
    assert out.text == "1,920 EUR"
    assert out.rates_text == "at rates of 1 Dec 2026: 1 USD = 0.92 EUR"
    assert out.missing_text == [
        "3 partnerships in JPY (500,000 JPY) left out: no rate for JPY on 5 Dec 2026."
    ]


def test_the_rate_table_reads_once_for_a_total(usd_rates, django_assert_num_queries):
    with django_assert_num_queries(1):
        total([("USD", 1, Decimal(1)), ("EUR", 1, Decimal(1))], date(2026, 12, 5))
