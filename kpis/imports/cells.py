"""What the cells of a column say, read from the column alone.

Each reader takes a column and returns Series aligned with it. None looks at another column or
at the database, and each reads a cell on its own or from the set of the column's cells (as the
decimal mark is): so ``over_distinct`` may read a column's distinct cells and spread the result
back to its rows (tests/kpis/test_import_cells.py holds the two equal).
"""

from decimal import Decimal

import pandas as pd

from ..numbers import parse_text
from .distinct import over_distinct

# At most 18 digits: a longer number is no KPI's and would not fit a 64-bit integer column.
KPI_NUMBER = r"\d{1,18}(\.0+)?"


def text_cells(column):
    """(each cell as trimmed text, blank where empty,)."""
    return (column.astype("string").fillna("").str.strip(),)


def kpi_cells(column):
    """(each cell as trimmed text, the KPI number it gives or missing)."""
    (text,) = text_cells(column)
    number = text.str.fullmatch(KPI_NUMBER).fillna(False)
    return text, pd.to_numeric(text.where(number))


def _is_number(value):
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def value_cells(column):
    """(value as float, its exact decimal text, the cell's text, the problem reading it, whether
    the cell is blank) for each cell: a spreadsheet's number as it is, text read by
    ``parse_text`` with the decimal mark the column's texts agree on."""
    is_number = column.map(_is_number).astype(bool)
    (text,) = text_cells(column)
    text = text.where(~is_number, "")
    parsed, problem, plain = over_distinct(parse_text, text)
    numeric = pd.to_numeric(column.where(is_number), errors="coerce").astype(float)
    value = parsed.where(~is_number, numeric)
    exact = plain.where(~is_number, numeric.map(lambda v: repr(float(v))))
    blank = ~is_number & (text == "")
    return value, exact, text, problem, blank
