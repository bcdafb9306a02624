"""Reading an .xlsx sheet in streaming mode, within limits checked as it goes.

A small .xlsx can unpack to a huge sheet (hundreds of thousands of empty rows, one cell of
millions of characters, a zip bomb), so the zip's declared sizes are checked before anything is
parsed (Python's zipfile never inflates a member past its declared size: it stops and fails the
CRC check) and the sheet is read row by row, every row counted, empty ones included.
"""

import io
import zipfile
from xml.etree.ElementTree import ParseError

from .layout import ImportFileError, max_cell_chars, max_columns, max_rows, max_unzipped_bytes

NOT_XLSX = "This is not a readable Excel .xlsx file."


def _mb(size):
    return f"{size / 1024 / 1024:,.1f} MB"


def too_many_rows(limit):
    return ImportFileError(
        f"The file has more than {limit:,} rows (empty rows count too); the limit is "
        f"{limit:,}. Delete the empty rows below the data, or split it into smaller files."
    )


def too_many_columns(limit):
    return ImportFileError(
        f"The file has more than {limit:,} columns; the limit is {limit:,}. Keep only the "
        "import's columns (the template has them)."
    )


def cell_too_long(row, column, length, limit):
    return ImportFileError(
        f"Row {row}, column {column}: the cell holds {length:,} characters; the limit is "
        f"{limit:,} characters a cell."
    )


def check_unzipped_size(content):
    """Refuse an archive whose members would unpack past the limit, before parsing any."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            declared = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError(NOT_XLSX) from None
    limit = max_unzipped_bytes()
    if declared > limit:
        raise ImportFileError(
            f"The .xlsx file unpacks to {_mb(declared)}; the limit is {_mb(limit)}. Save the "
            "data alone in a new workbook (no empty formatted rows, pictures or other sheets)."
        )


def sheet_rows(content):
    """(header, rows, sheet row numbers) of the first sheet, within the limits."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    check_unzipped_size(content)
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ParseError):
        raise ImportFileError(NOT_XLSX) from None
    try:
        return _rows(book, book.worksheets[0])
    except (zipfile.BadZipFile, ParseError, EOFError):
        raise ImportFileError(NOT_XLSX) from None
    finally:
        book.close()


def _parsed_rows(book, sheet, row_limit):
    """(sheet row number, {column index: value}) for the rows the sheet holds, in order.

    openpyxl's own ``iter_rows`` pads every row to the sheet's declared dimension (up to
    16,384 columns) and drops the cells past ``max_col`` unseen, so its parser is used directly:
    a cell far to the right is then seen, and nothing is allocated for columns that do not exist.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    with book._archive.open(sheet._worksheet_path) as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for count, (number, cells) in enumerate(parser.parse(), start=1):
            # Both the rows present and the sheet row numbers count, so that neither a run of
            # empty row elements nor one row numbered a million gets past the limit.
            if count > row_limit + 1 or number > row_limit + 1:
                raise too_many_rows(row_limit)
            yield number, {cell["column"] - 1: cell["value"] for cell in cells}


def _rows(book, sheet):
    row_limit, column_limit, cell_limit = max_rows(), max_columns(), max_cell_chars()
    header, rows, numbers = None, [], []
    for number, values in _parsed_rows(book, sheet, row_limit):
        filled = {i: v for i, v in values.items() if v is not None and v != ""}
        if filled and max(filled) >= column_limit:
            raise too_many_columns(column_limit)
        for index, value in filled.items():
            if isinstance(value, str) and len(value) > cell_limit:
                raise cell_too_long(number, _column_name(header, index), len(value), cell_limit)
        if header is None:
            if filled:
                width = max(filled) + 1
                header = [str(values[i]) if values.get(i) is not None else "" for i in range(width)]
            continue
        if all(isinstance(v, str) and not v.strip() for v in filled.values()):
            continue
        rows.append(tuple(values.get(i) for i in range(len(header))))
        numbers.append(number)
    return header, rows, numbers


def _column_name(header, index):
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(index + 1)
    if header and index < len(header) and header[index].strip():
        return f"{letter} ({header[index].strip()!r})"
    return letter


def declared_sheet_bytes(content):
    """The unpacked size of the worksheets, from the zip's directory (0 if unreadable)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return sum(
                m.file_size for m in archive.infolist() if m.filename.startswith("xl/worksheets/")
            )
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0
