"""Properties of the import parser, each held against a plain reference: period cells in every
form a spreadsheet writes them, files in any encoding, blank and huge cells. What a user
uploads is read as what it says, or refused with a message; never a crash, never a guess."""

from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kpis.imports.layout import ImportFileError, max_cell_chars
from kpis.imports.period_cells import EXCEL_EPOCH, parse_periods
from kpis.imports.reading import read_table

DATES = st.dates(min_value=date(1960, 1, 1), max_value=date(2099, 12, 31))


def one(value):
    dates, kind, problem = parse_periods(pd.Series([value], dtype=object))
    parsed = dates.iloc[0]
    return (None if pd.isna(parsed) else parsed.date()), kind.iloc[0], problem.iloc[0]


@given(DATES)
def test_a_day_reads_back_in_iso_uk_and_as_an_excel_serial(day):
    assert one(day.isoformat()) == (day, "", "")
    assert one(f"{day.day}/{day.month}/{day.year}")[0] == day  # day first, as the template says
    serial = (day - EXCEL_EPOCH).days
    if 20000 <= serial <= 80000:
        assert one(serial)[0] == day
        assert one(str(serial))[0] == day


@given(DATES)
def test_months_quarters_and_weeks_read_as_their_first_day(day):
    assert one(f"{day.year}-{day.month:02d}") == (day.replace(day=1), "monthly", "")
    quarter = (day.month - 1) // 3 + 1
    first = date(day.year, (quarter - 1) * 3 + 1, 1)
    assert one(f"{day.year}-Q{quarter}") == (first, "quarterly", "")
    year, week, _ = day.isocalendar()
    monday = day - timedelta(days=day.weekday())
    assert one(f"{year}-W{week:02d}") == (monday, "weekly", "")


@given(st.text(max_size=40))
@example("2024-02-30")
@example("2024-13")
@example("2024-W54")
@example("31/02/2024")
@example("1/1/24")
@example("99999999")
@example("  ")
def test_any_text_is_a_date_or_a_named_problem(text):
    parsed, _, problem = one(text)
    assert (parsed is None) == (problem != "")
    assert problem in ("", "blank", "not_a_period", "not_a_date")
    if not text.strip():
        assert problem == "blank"


def csv_file(rows, *, encoding="utf-8", bom=False):
    lines = ["kpi_id,period,value,note", *(",".join(row) for row in rows)]
    data = "\n".join(lines).encode(encoding)
    return (b"\xef\xbb\xbf" if bom else b"") + data


NOTES = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=',"\r\n'),
    max_size=60,
)


@given(NOTES, st.booleans())
def test_utf8_text_reads_back_exactly_with_or_without_bom(note, bom):
    frame = read_table(csv_file([["1", "2024-01-01", "5", note]], bom=bom), "v.csv")
    assert list(frame.columns[:4]) == ["_row", "kpi_id", "period", "value"]
    assert frame.loc[0, "note"] == note


@given(st.text(alphabet="éüñçßøåÆ£€", min_size=1, max_size=20))
@example("café")
def test_a_file_not_in_utf8_is_refused_with_how_to_save_it(note):
    """Saved by Excel in Windows-1252: refused unless its bytes happen to be valid UTF-8 too
    (then read as UTF-8, as anything else would be a guess)."""
    content = csv_file([["1", "2024-01-01", "5", note]], encoding="cp1252")
    try:
        expected = content.decode("utf-8").rsplit(",", 1)[1]
    except UnicodeDecodeError:
        with pytest.raises(ImportFileError, match="not UTF-8"):
            read_table(content, "v.csv")
    else:
        assert read_table(content, "v.csv").loc[0, "note"] == expected.strip()


@given(st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans()), min_size=1, max_size=20))
@settings(max_examples=50)
def test_blank_rows_are_dropped_and_blank_cells_kept_blank(pattern):
    rows = [
        ["7" if a else "", "2024-01-01" if b else "", "3" if c else "", ""] for a, b, c in pattern
    ]
    content = csv_file(rows)
    kept = [i for i, (a, b, c) in enumerate(pattern) if a or b or c]
    if not kept:
        with pytest.raises(ImportFileError, match="no rows of data"):
            read_table(content, "v.csv")
        return
    frame = read_table(content, "v.csv")
    assert list(frame["_row"]) == [i + 2 for i in kept]  # the sheet's row numbers, header 1
    assert list(frame["kpi_id"]) == ["7" if pattern[i][0] else "" for i in kept]


@given(st.integers(min_value=-3, max_value=3))
@settings(max_examples=7)
def test_a_cell_is_read_up_to_the_limit_and_refused_past_it(offset):
    length = max_cell_chars() + offset
    content = csv_file([["1", "2024-01-01", "5", "x" * length]])
    if length > max_cell_chars():
        with pytest.raises(ImportFileError, match=f"limit is {max_cell_chars():,}"):
            read_table(content, "v.csv")
    else:
        assert len(read_table(content, "v.csv").loc[0, "note"]) == length
