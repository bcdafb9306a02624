"""Reading an uploaded .csv or .xlsx file into a DataFrame of its rows."""

import csv
import io
import re

import numpy as np
import pandas as pd

from .cells import text_cells
from .distinct import over_distinct
from .layout import (
    ALIASES,
    REQUIRED,
    ImportFileError,
    async_bytes,
    async_rows,
    max_bytes,
    max_cell_chars,
    max_columns,
    max_rows,
)
from .xlsx import (
    cell_too_long,
    declared_sheet_bytes,
    sheet_rows,
    too_many_columns,
    too_many_rows,
)


def _header(name):
    text = str(name or "").replace("\ufeff", "").strip().lower()
    text = re.sub(r"[\s\-]+", "_", text)
    return ALIASES.get(text, text)


def read_table(content, name):
    """A DataFrame of the file's rows (object columns) with a ``_row`` column of sheet rows."""
    if len(content) > max_bytes():
        raise ImportFileError(
            f"The file is {len(content) / 1024 / 1024:.1f} MB; the limit is "
            f"{max_bytes() / 1024 / 1024:.0f} MB. Split it into smaller files."
        )
    lower = name.lower()
    if lower.endswith(".xlsx"):
        frame = _read_xlsx(content)
    elif lower.endswith((".csv", ".txt")):
        frame = _read_csv(content)
    else:
        raise ImportFileError("Upload a .csv or .xlsx file.")
    frame.columns = [_header(c) for c in frame.columns]
    seen = [c for c in frame.columns if c]
    twice = sorted({c for c in seen if seen.count(c) > 1})
    if twice:
        raise ImportFileError(f"The column {twice[0]!r} appears twice; keep only one.")
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        found = ", ".join(c for c in frame.columns if c != "_row") or "none"
        raise ImportFileError(
            f"The file has no {', '.join(repr(c) for c in missing)} column. Columns found: "
            f"{found}. Download the template for the expected layout."
        )
    blank = np.ones(len(frame), dtype=bool)
    for at, column in enumerate(frame.columns):
        if column != "_row":
            (text,) = over_distinct(text_cells, frame.iloc[:, at])
            blank &= (text == "").to_numpy(dtype=bool)
    frame = frame.loc[~blank].reset_index(drop=True)
    if frame.empty:
        raise ImportFileError("The file has a header but no rows of data.")
    return frame


def _read_csv(content):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (comma delimited)”."
        ) from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first:
        raise ImportFileError("The file is empty.")
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    sep = max(counts, key=counts.get)
    if counts[sep] + 1 > max_columns():
        raise too_many_columns(max_columns())
    limit = max_rows()
    try:
        # One row past the limit is read to detect it; blank lines count as rows.
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            quoting=csv.QUOTE_MINIMAL,
            nrows=limit + 1,
        )
    except pd.errors.ParserError as error:
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if match:
            raise ImportFileError(
                f"Line {match[2]} has {match[3]} cells but the header has {match[1]}: check for "
                "an unquoted separator in a note."
            ) from None
        raise ImportFileError(f"The file could not be read as CSV ({error}).") from None
    except pd.errors.EmptyDataError:
        raise ImportFileError("The file is empty.") from None
    if len(frame) > limit:
        raise too_many_rows(limit)
    if len(frame.columns) > max_columns():
        raise too_many_columns(max_columns())
    # Row numbers as a spreadsheet shows them: the header is row 1.
    frame.insert(0, "_row", np.arange(2, len(frame) + 2))
    _check_cell_lengths(frame)
    return frame


def _check_cell_lengths(frame):
    limit = max_cell_chars()
    for column in frame.columns[1:]:
        lengths = frame[column].str.len()
        if len(lengths) and lengths.max() > limit:
            at = int(lengths.to_numpy().argmax())
            row = int(frame["_row"].iloc[at])
            raise cell_too_long(row, repr(str(column)), int(lengths.iloc[at]), limit)


def _read_xlsx(content):
    header, rows, numbers = sheet_rows(content)
    if header is None:
        raise ImportFileError("The first sheet is empty.")
    width = len(header)
    rows = [tuple(r[:width]) + (None,) * (width - len(r)) for r in rows]
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame = frame.loc[:, [c.strip() != "" for c in header]]
    frame.insert(0, "_row", np.array(numbers, dtype=np.int64))
    return frame


def estimate_rows(content, name):
    if name.lower().endswith(".xlsx"):
        # An empty row takes about 20 bytes of sheet XML, so the unpacked size, unlike the file's,
        # shows a small file that holds hundreds of thousands of (empty) rows.
        return max(len(content) // 40, declared_sheet_bytes(content) // 20)
    return content.count(b"\n")


def check_off_request(content, name):
    """Whether the file is large enough that a worker, not the web request, should check it."""
    return len(content) > async_bytes() or estimate_rows(content, name) > async_rows()
