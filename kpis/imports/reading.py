"""Reading an uploaded .csv or .xlsx file into a DataFrame of its rows."""

import csv
import io
import re
import zipfile

import numpy as np
import pandas as pd

from .layout import ALIASES, REQUIRED, ImportFileError, max_bytes, max_rows


def _header(name):
    text = str(name or "").replace("\ufeff", "").strip().lower()
    text = re.sub(r"[\s\-]+", "_", text)
    return ALIASES.get(text, text)


def _too_many(count):
    count = f"{count:,}" if isinstance(count, int) else count
    return ImportFileError(
        f"The file has {count} rows; the limit is {max_rows():,}. Split it into smaller files."
    )


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
    data_columns = [c for c in frame.columns if c != "_row"]
    cells = frame[data_columns].astype("string").fillna("").apply(lambda s: s.str.strip())
    blank = (cells == "").all(axis=1)
    frame = frame.loc[~blank].reset_index(drop=True)
    if len(frame) > max_rows():
        raise _too_many(len(frame))
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
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            quoting=csv.QUOTE_MINIMAL,
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
    # Row numbers as a spreadsheet shows them: the header is row 1.
    frame.insert(0, "_row", np.arange(2, len(frame) + 2))
    return frame


def _read_xlsx(content):
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError):
        raise ImportFileError("This is not a readable Excel .xlsx file.") from None
    try:
        sheet = book.worksheets[0]
        header, rows, numbers = None, [], []
        limit = max_rows()
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if header is None:
                if any(v not in (None, "") for v in row):
                    header = [str(v) if v is not None else "" for v in row]
                continue
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            rows.append(row)
            numbers.append(number)
            if len(rows) > limit:
                raise _too_many(f"more than {limit:,}")
    finally:
        book.close()
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
        return len(content) // 40  # about 40 bytes a row in a compressed sheet
    return content.count(b"\n")
