"""Amounts with their currency on the pages, the portfolio total and its rates, the rate table
page and who may keep it."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from partnerships.models import Agreement, ExchangeRate
from partnerships.roles import PARTNER_MANAGER
from partnerships.services import agreement_amend
from tests.clock import TODAY
from tests.factories import make_partnership, make_user


@pytest.fixture
def as_coo(client, coo):
    client.force_login(coo)
    return client


def _rate(currency, rate, valid_from):
    return ExchangeRate.objects.create(currency=currency, rate=Decimal(rate), valid_from=valid_from)


def test_amounts_default_to_the_reporting_currency(db):
    partnership = make_partnership(estimated_annual_value=Decimal(1000))
    assert partnership.currency == "EUR"
    assert partnership.terms_in_force().value_text == "1,000 EUR"


def test_an_amendment_changing_the_currency_is_in_the_history(db, coo):
    partnership = make_partnership()
    agreement = Agreement.objects.create(
        partnership=partnership, start_date=date(2026, 1, 1), value=Decimal(100000)
    )
    amendment = agreement_amend(
        agreement=agreement,
        changes={"currency": "USD", "value": Decimal(110000)},
        by=coo,
        reason="Re-papered with the US entity.",
    )
    assert amendment.previous_terms["currency"] == "EUR"
    assert amendment.new_terms["currency"] == "USD"
    assert ("Currency", "EUR", "USD") in amendment.changes()
    agreement.refresh_from_db()
    assert partnership.terms_in_force().value_text == "110,000 USD"


def test_the_portfolio_total_converts_and_says_its_rates(as_coo):
    make_partnership(title="Euro deal", estimated_annual_value=Decimal(1000))
    make_partnership(title="Dollar deal", estimated_annual_value=Decimal(1000), currency="USD")
    _rate("USD", "0.90", date(2026, 6, 1))
    _rate("USD", "0.92", date(2026, 11, 1))
    _rate("USD", "0.99", date(2026, 12, 1))  # not valid yet on the 18th of November
    page = as_coo.get(reverse("partnerships:list")).text
    assert "Annual value of 2 partnerships: 1,920 EUR" in page
    assert "at rates of 1 Nov 2026: 1 USD = 0.92 EUR" in page
    assert "1,000 USD" in page and "1,000 EUR" in page


def test_the_portfolio_total_leaves_out_what_it_cannot_convert(as_coo):
    make_partnership(estimated_annual_value=Decimal(1000))
    make_partnership(estimated_annual_value=Decimal(5000), currency="SEK")
    page = as_coo.get(reverse("partnerships:list")).text
    assert "Annual value of 1 partnership: 1,000 EUR" in page
    assert "1 partnership in SEK (5,000 SEK) left out: no rate for SEK on 18 Nov 2026." in page


def test_the_export_has_a_currency_column(as_coo):
    make_partnership(title="Dollar deal", estimated_annual_value=Decimal(1000), currency="USD")
    response = as_coo.get(reverse("partnerships:export", args=["csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    at = header.index("Annual value")
    assert header[at + 1] == "Currency"
    assert rows[1][at : at + 2] == ["1000.0", "USD"]


@pytest.mark.parametrize("rows", [3, 40])
def test_the_portfolio_reads_rates_once(as_coo, rows, django_assert_max_num_queries):
    currencies = ["EUR", "USD", "SEK", "GBP"]
    for i in range(rows):
        make_partnership(
            title=f"P{i:03d}", estimated_annual_value=Decimal(1000), currency=currencies[i % 4]
        )
    for code in ("USD", "GBP"):
        for month in (6, 9, 11):
            _rate(code, "1.1", date(2026, month, 1))
    with django_assert_max_num_queries(15):
        assert as_coo.get(reverse("partnerships:list")).status_code == 200


# The rate table ----------------------------------------------------------------------------


def test_only_executives_keep_the_rates(client, db):
    manager = make_user(role=PARTNER_MANAGER)
    client.force_login(manager)
    for name in ("partnerships:rates", "partnerships:rate_create"):
        assert client.get(reverse(name)).status_code == 403
    rate = _rate("USD", "0.9", TODAY)
    assert client.post(reverse("partnerships:rate_edit", args=[rate.pk]), {}).status_code == 403
    menu = client.get(reverse("partnerships:list")).text
    assert reverse("partnerships:rates") not in menu


def test_the_rates_page_is_empty_then_lists_rates(as_coo):
    page = as_coo.get(reverse("partnerships:rates")).text
    assert "No exchange rates yet." in page
    assert 'href="/exchange-rates/"' in as_coo.get(reverse("partnerships:list")).text
    _rate("USD", "0.92", TODAY)
    page = as_coo.get(reverse("partnerships:rates")).text
    assert '<span class="hide-sm">1 USD = </span>0.92 EUR' in page
    assert "in use today" in page


def test_an_executive_adds_and_edits_a_rate(as_coo, coo):
    response = as_coo.post(
        reverse("partnerships:rate_create"),
        {"currency": "USD", "rate": "0.92", "valid_from": "2026-11-01"},
    )
    assert response.status_code == 302
    rate = ExchangeRate.objects.get()
    assert (rate.currency, rate.rate, rate.updated_by) == ("USD", Decimal("0.92"), coo)
    as_coo.post(
        reverse("partnerships:rate_edit", args=[rate.pk]),
        {"currency": "USD", "rate": "0.93", "valid_from": "2026-11-01"},
    )
    rate.refresh_from_db()
    assert rate.rate == Decimal("0.93")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"currency": "USD", "rate": "0", "valid_from": "2026-11-01"}, "rate", "more than zero"),
        ({"currency": "USD", "rate": "-1", "valid_from": "2026-11-01"}, "rate", "more than zero"),
        ({"currency": "XYZ", "rate": "1", "valid_from": "2026-11-01"}, "currency", "valid"),
        ({"currency": "EUR", "rate": "1", "valid_from": "2026-11-01"}, "currency", "valid"),
        ({"currency": "USD", "rate": "1", "valid_from": "someday"}, "valid_from", "valid date"),
    ],
)
def test_a_bad_rate_gets_a_clear_error(as_coo, data, field, message):
    response = as_coo.post(reverse("partnerships:rate_create"), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert len(response.context["form"].errors[field]) == 1
    assert not ExchangeRate.objects.exists()


def test_one_rate_per_currency_and_date(as_coo):
    _rate("USD", "0.92", date(2026, 11, 1))
    response = as_coo.post(
        reverse("partnerships:rate_create"),
        {"currency": "USD", "rate": "0.95", "valid_from": "2026-11-01"},
    )
    assert response.status_code == 200
    assert "already a rate for this currency on this date" in response.text
    assert ExchangeRate.objects.count() == 1


def test_the_rates_page_is_paginated_within_its_budget(as_coo, django_assert_max_num_queries):
    for day in range(1, 29):
        _rate("USD", "0.9", date(2026, 10, day))
    with django_assert_max_num_queries(8):
        page = as_coo.get(reverse("partnerships:rates")).text
    assert "Page 1 of 2" in page


def test_amending_the_currency_on_the_page_shows_in_the_history(client, partnership, manager):
    client.force_login(manager)
    url = reverse("partnerships:agreement", args=[partnership.pk])
    terms = {"start_date": "2026-01-01", "renewal_notice_days": "90", "exclusivity": "none"}
    assert client.post(url, terms | {"value": "500000"}).status_code == 302
    assert Agreement.objects.get().currency == "EUR"  # posted without one: the default
    response = client.post(
        url,
        terms
        | {"value": "540000", "currency": "USD", "effective_date": "2026-06-01", "reason": "US"},
    )
    assert response.status_code == 302
    page = client.get(partnership.get_absolute_url()).text
    assert "Currency: <del>EUR</del> → <ins>USD</ins>" in page
    assert "540,000 USD a year" in page
