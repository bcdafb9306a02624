"""Spreadsheet import of measurements: read, check every row (vectorised), then write.

Nothing is written until the user confirms the preview. The confirmed import checks the file
again under a lock on its KPIs (things may have changed since the preview) and writes
everything in one transaction, or nothing.

The package's rooms: ``layout`` (the columns and limits), ``reading`` (the file into rows),
``period_cells`` and ``checking`` (every row's errors), ``preview`` (the rows against what is
stored), ``writing``, ``progress`` and ``lifecycle`` (an import from upload to done), and ``reaper``
(imports whose run died).
"""

from .checking import Checked, check
from .layout import COLUMNS, ImportFileError, async_rows, max_bytes, max_rows
from .lifecycle import MAX_ERRORS_STORED, cancel, confirm, queue, run_apply, run_validation
from .period_cells import parse_periods
from .progress import current_progress
from .reading import check_off_request, estimate_rows, read_table
from .reaper import reap
from .writing import write

__all__ = [
    "COLUMNS",
    "MAX_ERRORS_STORED",
    "Checked",
    "ImportFileError",
    "async_rows",
    "cancel",
    "check",
    "check_off_request",
    "confirm",
    "current_progress",
    "estimate_rows",
    "max_bytes",
    "max_rows",
    "parse_periods",
    "queue",
    "reap",
    "read_table",
    "run_apply",
    "run_validation",
    "write",
]
