"""Exports are opened in spreadsheets: text that a spreadsheet would run as a formula must
reach it as text (partnerships/exports.py ``neutralise``)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from partnerships.exports import FORMULA_PREFIXES, neutralise


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example","Click")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_every_formula_trigger_is_prefixed_with_a_quote(text):
    assert neutralise(text) == "'" + text


def test_the_triggers_are_exactly_the_six_spreadsheets_run():
    assert set(FORMULA_PREFIXES) == {"=", "+", "-", "@", "\t", "\r"}


@pytest.mark.parametrize("text", ["Northwind", "", " =1+1", "a=b", "50%", "'quoted", "1-2"])
def test_ordinary_text_is_left_alone(text):
    assert neutralise(text) == text


def test_numbers_stay_numbers_even_negative_ones():
    assert neutralise(-5) == -5
    assert neutralise(3.5) == 3.5
    assert neutralise(None) is None


def test_decimals_become_floats_for_the_spreadsheet():
    value = neutralise(Decimal("12.50"))
    assert value == 12.5
    assert type(value) is float
    assert neutralise(Decimal("-3")) == -3.0


def test_aware_datetimes_lose_their_zone_naive_ones_and_dates_are_kept():
    aware = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    result = neutralise(aware)
    assert result == datetime(2026, 3, 1, 9, 30)
    assert result.tzinfo is None
    naive = datetime(2026, 3, 1, 9, 30)
    assert neutralise(naive) is naive
    day = date(2026, 3, 1)
    assert neutralise(day) is day
