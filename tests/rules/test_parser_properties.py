"""Properties of the id and number parsers, each held against a plain reference: what a
person could type (or craft) is read as the number it spells, or refused, never anything else."""

import string
from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from kpis import numbers
from partnerships.ids import BIGINT_MAX, INT_MAX, parse_id, parse_whole


def reference_whole(text, minimum, maximum):
    """The plain reading: optional spaces around ASCII digits only, within the bounds."""
    core = text.strip()
    if not core or any(ch not in "0123456789" for ch in core):
        return None
    number = int(core)
    return number if minimum <= number <= maximum else None


@given(st.text())
@example("²")
@example("١٢")
@example("１")
@example("-1")
@example("+1")
@example("1_000")
@example("9" * 400)
@example(str(BIGINT_MAX + 1))
@example("\x00")
@example(" 12 ")
def test_parse_whole_is_the_plain_reading_of_any_text(text):
    assert parse_whole(text) == reference_whole(text, 0, BIGINT_MAX)
    assert parse_id(text) == reference_whole(text, 1, BIGINT_MAX)


@given(st.integers(min_value=0, max_value=BIGINT_MAX), st.sampled_from(["", " ", "\t"]))
def test_every_id_a_page_writes_reads_back(number, padding):
    assert parse_whole(f"{padding}{number}{padding}") == number


@given(st.integers(min_value=BIGINT_MAX + 1, max_value=10**40))
def test_numbers_beyond_bigint_are_refused(number):
    assert parse_whole(str(number)) is None
    assert parse_id(number) is None


@given(st.integers(), st.integers(-10, 10**12), st.integers(-10, 10**12))
def test_bounds_are_inclusive_and_hold_for_ints_too(number, low, span):
    high = low + abs(span)
    result = parse_whole(number, minimum=low, maximum=high)
    assert result == (number if low <= number <= high else None)


@given(st.integers(min_value=1, max_value=INT_MAX * 4))
def test_an_int_column_bound_refuses_what_postgresql_integer_cannot_hold(number):
    assert parse_id(str(number), maximum=INT_MAX) == (number if number <= INT_MAX else None)


@given(st.text(alphabet=string.digits + "٠١٢٣٤٥٦٧٨٩²³¹０１２", min_size=1))
def test_digits_of_other_scripts_are_never_ids(text):
    if any(ch not in string.digits for ch in text):
        assert parse_whole(text) is None


# The number parser (kpis/numbers.py) -----------------------------------------------------------


def grouped(whole, sep):
    text = f"{whole:,}"
    return text.replace(",", sep)


@st.composite
def typed_numbers(draw):
    """(text a person might type, the Decimal it means) in every accepted spelling."""
    whole = draw(st.integers(min_value=0, max_value=10**12))
    cents = draw(st.integers(min_value=0, max_value=99))
    negative = draw(st.booleans()) and (whole or cents)
    value = Decimal(whole) + Decimal(cents) / 100
    style = draw(st.sampled_from(["plain", "comma_decimal", "us", "eu", "space", "apostrophe"]))
    fraction = f"{cents:02d}"
    text = {
        "plain": f"{whole}.{fraction}",
        "comma_decimal": f"{whole},{fraction}",
        "us": f"{grouped(whole, ',')}.{fraction}",
        "eu": f"{grouped(whole, '.')},{fraction}",
        "space": f"{grouped(whole, ' ')},{fraction}",
        "apostrophe": f"{grouped(whole, "'")}.{fraction}",
    }[style]
    if negative:
        text = "-" + text
        value = -value
    decoration = draw(st.sampled_from(["", "%", "£", "€", " "]))
    if decoration == "%":
        text += "%"
    elif decoration in "£€":
        text = ("-" + decoration + text[1:]) if negative else decoration + text
    else:
        text = f" {text} "
    return text, value


@given(typed_numbers())
def test_every_accepted_spelling_reads_as_the_number_it_means(case):
    text, expected = case
    value, problem = numbers.parse_one(text)
    assert problem == "", (text, problem)
    assert Decimal(repr(value)).quantize(Decimal("0.01")) == expected, text


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_whole_numbers_read_exactly(number):
    assert numbers.parse_one(str(number)) == (float(number), "")


@given(st.text(alphabet=string.ascii_letters + "!?#()[]{}", min_size=1))
def test_text_without_digits_is_never_a_number(text):
    value, problem = numbers.parse_one(text)
    assert value is None and problem in (numbers.NOT_A_NUMBER, "")
    assert problem == numbers.NOT_A_NUMBER or not text.strip()


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=999))
def test_a_lone_three_digit_group_is_ambiguous_on_its_own(head, tail):
    # "1,234" alone could be 1234 or 1.234: refused, never guessed.
    value, problem = numbers.parse_one(f"{head},{tail:03d}")
    assert (value, problem) == (None, numbers.AMBIGUOUS)


# What a number may be made of, and what comes close: digits of other scripts, separators,
# signs, currencies, shorthands and every kind of space.
NUMBERISH = string.digits + ".,+-eE%£$€¥k '\u00a0\u202f\u2212\t\n٣١２²"


@given(
    st.one_of(
        st.text(alphabet=NUMBERISH, max_size=14),
        typed_numbers().map(lambda case: case[0]),
        st.text(),
    ),
    st.sampled_from([None, ".", ","]),
)
@example("1,234", None)
@example("1.234", ",")
@example("1.234,5", None)
@example("-0", ".")
@example("٣", ".")
@example("1" * 400, ".")
def test_one_value_reads_as_a_column_of_it_does(text, mark):
    # parse_one is parse's rules on one string without pandas' string methods.
    assert repr(numbers.parse_one(text, mark)) == repr(numbers.parse_one_reference(text, mark))
