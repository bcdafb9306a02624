"""Column parsers run once per distinct cell.

An import's cells repeat: a year of weekly figures for a portfolio has 52 distinct periods
however many rows it has, and KPI values (percentages, counts) repeat too. The parsers are
vectorised pandas string methods that still visit every cell in Python, so parsing the distinct
cells and spreading the results back costs a fraction (docs/decisions/import-copy-write.md).
"""

import pandas as pd


def over_distinct(parse, column):
    """``parse(column)``, computed on the column's distinct cells and spread back to its rows.

    ``parse`` must read each cell on its own, or from the set of cells (as the decimal mark is),
    and return a tuple of Series aligned with its input. Only a column of text is folded: as
    keys, 1, 1.0 and True are the same cell, and a parser may tell them apart.
    """
    if len(column) < 2 or pd.api.types.infer_dtype(column, skipna=False) != "string":
        return parse(column)
    codes, uniques = pd.factorize(column)
    parts = parse(pd.Series(uniques, dtype=column.dtype, name=column.name))
    return tuple(part.take(codes).set_axis(column.index) for part in parts)
