"""CSV and XLSX downloads of tabular data, safe to open in a spreadsheet.

Every file Concord writes for a spreadsheet goes through ``table_response``, so every cell
goes through ``neutralise``: a name typed as ``=HYPERLINK(...)`` reaches Excel as text."""

import io
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
from django.http import HttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def neutralise(value):
    """Text a spreadsheet would run as a formula is prefixed with a quote; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def table_response(rows, *, fmt, filename, sheet="Export", widths=None, dated=True):
    """``rows`` is an iterable whose first item is the header row. ``widths`` sets the XLSX
    columns' widths (else each fits its longest cell, up to 50); ``dated`` adds today's date
    to the file's name."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"Unknown export format {fmt!r}.")
    rows = iter(rows)
    header = next(rows)
    frame = pd.DataFrame([[neutralise(v) for v in row] for row in rows], columns=header)
    buffer = io.BytesIO()
    if fmt == "csv":
        # A BOM so Excel opens UTF-8 correctly.
        buffer.write(frame.to_csv(index=False, date_format="%Y-%m-%d").encode("utf-8-sig"))
    else:
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            frame.to_excel(writer, index=False, sheet_name=sheet)
            _set_widths(writer.sheets[sheet], widths)
    response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPES[fmt])
    name = f"{filename}-{date.today().isoformat()}" if dated else filename
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _set_widths(sheet, widths):
    for number, column in enumerate(sheet.columns):
        if widths:
            width = widths[number]
        else:
            width = min(max(max(len(str(cell.value or "")) for cell in column), 8), 50)
        sheet.column_dimensions[column[0].column_letter].width = width
