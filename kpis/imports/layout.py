"""What an import file holds (its columns) and how large it may be."""

from django.conf import settings

# (column, required, what it holds) — shown on the upload page.
COLUMNS = [
    ("kpi_id", True, "The KPI's number (shown on the KPI page and filled in by the template)."),
    (
        "period",
        True,
        "The period the value is for: its first day (2024-03-01, or 01/03/2024 day first, or an "
        "Excel date), or 2024-W10 for a week, 2024-03 for a month, 2024-Q1 for a quarter. It "
        "must fit the KPI's frequency: weeks start on Monday.",
    ),
    (
        "value",
        True,
        "A number in the KPI's unit. Decimal commas (12,5) and thousands separators (1,234.5, "
        "1.234,5 or 1 234,5) are understood; 95% and £1,200.50 are fine. A lone 1,234 is "
        "ambiguous and refused unless other values in the column show which mark is the "
        "decimal one. Rows with no value are skipped.",
    ),
    ("note", False, "Optional, up to 500 characters. Left blank, an existing note is kept."),
    ("partnership", False, "Ignored: for your reference."),
    ("kpi", False, "Ignored: the KPI's name, for your reference."),
    ("unit", False, "Ignored."),
    ("frequency", False, "Ignored."),
]
REQUIRED = [name for name, required, _ in COLUMNS if required]
ALIASES = {"kpi_number": "kpi_id", "kpiid": "kpi_id", "id": "kpi_id", "comment": "note"}


def max_bytes():
    return getattr(settings, "KPI_IMPORT_MAX_BYTES", 10 * 1024 * 1024)


def max_rows():
    return getattr(settings, "KPI_IMPORT_MAX_ROWS", 100_000)


def async_rows():
    return getattr(settings, "KPI_IMPORT_ASYNC_ROWS", 5000)


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says what to do."""


def max_columns():
    return getattr(settings, "KPI_IMPORT_MAX_COLUMNS", 50)


def max_cell_chars():
    return getattr(settings, "KPI_IMPORT_MAX_CELL_CHARS", 5000)


def max_unzipped_bytes():
    return getattr(settings, "KPI_IMPORT_MAX_UNZIPPED_BYTES", 100 * 1024 * 1024)


def async_bytes():
    return getattr(settings, "KPI_IMPORT_ASYNC_BYTES", 32 * 1024)
