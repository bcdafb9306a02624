"""Spreadsheet import of measurements: read, check every row (vectorised), then write.

Nothing is written until the user confirms the preview. The confirmed import checks the file
again under a lock on its KPIs (things may have changed since the preview) and writes
everything in one transaction, or nothing.
"""

import csv
import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from partnerships.models import Partnership

from . import periods
from .models import (
    Kpi,
    Measurement,
    MeasurementImport,
    MeasurementRevision,
    Source,
    Unit,
)
from .numbers import AMBIGUOUS, parse_text

log = logging.getLogger(__name__)

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
MAX_ERRORS_STORED = 1000
WRITE_CHUNK = 5000
EXCEL_EPOCH = date(1899, 12, 30)


def max_bytes():
    return getattr(settings, "KPI_IMPORT_MAX_BYTES", 10 * 1024 * 1024)


def max_rows():
    return getattr(settings, "KPI_IMPORT_MAX_ROWS", 100_000)


def async_rows():
    return getattr(settings, "KPI_IMPORT_ASYNC_ROWS", 5000)


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says what to do."""


@dataclass
class Checked:
    rows: int = 0
    skipped: int = 0
    errors: list = field(default_factory=list)
    plan: pd.DataFrame | None = None
    summary: dict = field(default_factory=dict)


# Reading ------------------------------------------------------------------------------------


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


# Checking -----------------------------------------------------------------------------------

_ISO_DAY = r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$"
_ISO_MOMENT = r"^\d{4}-\d{1,2}-\d{1,2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$"
_UK_DAY = r"^(\d{1,2})/(\d{1,2})/(\d{4})$"
_WEEK = r"^(\d{4})-?[Ww](\d{1,2})$"
_MONTH = r"^(\d{4})-(\d{1,2})$"
_QUARTER = r"^(\d{4})-?[Qq]([1-4])$"
_SERIAL = r"^\d{5}(\.\d+)?$"


def _dates_from_parts(year, month, day):
    parts = pd.DataFrame({"year": year, "month": month, "day": day}).astype(float)
    ok = parts.notna().all(axis=1)
    out = pd.Series(pd.NaT, index=parts.index, dtype="datetime64[s]")
    if ok.any():
        out[ok] = pd.to_datetime(parts[ok].astype(np.int64), errors="coerce")
    return out


def parse_periods(raw):
    """(dates as datetime64 Series (NaT when unreadable), kind Series, problem Series)."""
    index = raw.index
    result = pd.Series(pd.NaT, index=index, dtype="datetime64[s]")
    kind = pd.Series("", index=index, dtype=object)
    problem = pd.Series("", index=index, dtype=object)

    is_moment = raw.map(lambda v: isinstance(v, datetime | date | pd.Timestamp))
    if is_moment.any():
        result[is_moment] = [
            pd.Timestamp(
                periods.local_date(v.to_pydatetime() if isinstance(v, pd.Timestamp) else v)
            )
            for v in raw[is_moment]
        ]
    is_number = raw.map(lambda v: isinstance(v, int | float) and not isinstance(v, bool))
    text = raw.where(~(is_moment | is_number), "").astype("string").fillna("").str.strip()
    serial_text = text.str.fullmatch(_SERIAL).fillna(False).astype(bool)
    serial = pd.Series(np.nan, index=index)
    serial[is_number] = pd.to_numeric(raw[is_number], errors="coerce")
    serial[serial_text] = pd.to_numeric(text[serial_text], errors="coerce")
    has_serial = serial.notna()
    if has_serial.any():
        plausible = has_serial & serial.between(20000, 80000)
        result[plausible] = pd.Timestamp(EXCEL_EPOCH) + pd.to_timedelta(
            np.floor(serial[plausible]), unit="D"
        )
        problem[has_serial & ~plausible] = "not_a_date"

    rest = ~(is_moment | has_serial) & (text != "")
    day = text.str.extract(_ISO_DAY)
    m = rest & day[0].notna()
    result[m] = _dates_from_parts(day[0][m], day[1][m], day[2][m])
    uk = text.str.extract(_UK_DAY)
    m_uk = rest & uk[0].notna()
    result[m_uk] = _dates_from_parts(uk[2][m_uk], uk[1][m_uk], uk[0][m_uk])
    month = text.str.extract(_MONTH)
    m_month = rest & month[0].notna()
    result[m_month] = _dates_from_parts(month[0][m_month], month[1][m_month], 1)
    kind[m_month] = periods.MONTHLY
    quarter = text.str.extract(_QUARTER)
    m_q = rest & quarter[0].notna()
    q_month = (quarter[1][m_q].astype(float) - 1) * 3 + 1
    result[m_q] = _dates_from_parts(quarter[0][m_q], q_month, 1)
    kind[m_q] = periods.QUARTERLY
    week = text.str.extract(_WEEK)
    m_w = rest & week[0].notna()
    if m_w.any():
        result[m_w] = [
            _iso_week(int(y), int(w)) for y, w in zip(week[0][m_w], week[1][m_w], strict=True)
        ]
    kind[m_w] = periods.WEEKLY
    moment = rest & text.str.fullmatch(_ISO_MOMENT).fillna(False).astype(bool)
    if moment.any():
        local = pd.to_datetime(text[moment], utc=True, errors="coerce", format="ISO8601")
        local = local.dt.tz_convert(timezone.get_current_timezone_name())
        result[moment] = local.dt.tz_localize(None).dt.normalize().astype("datetime64[s]")

    recognised = m | m_uk | m_month | m_q | m_w | moment
    problem[rest & ~recognised] = "not_a_period"
    problem[recognised & result.isna()] = "not_a_date"
    problem[(text == "") & ~(is_moment | is_number)] = "blank"
    return result, kind, problem


def _iso_week(year, week):
    try:
        return pd.Timestamp(date.fromisocalendar(year, week, 1))
    except ValueError:
        return pd.NaT


def _period_start_days(days, frequency):
    from .maths import ordinal, ordinal_start

    return ordinal_start(ordinal(days, frequency), frequency)


def check(frame, user, *, today=None, for_update=False, progress=None, kpis_allowed=None):
    """Check every row; returns a Checked with errors by row and column, and the plan.

    ``kpis_allowed`` (a Kpi queryset) replaces the user's partnerships as what the file may
    write to: the partner portal's users enter the KPIs of their side only."""
    today = today or timezone.localdate()
    progress = progress or (lambda pct: None)
    errors = []
    n = len(frame)
    rows = frame["_row"].to_numpy()
    index = frame.index

    def add(mask, column, messages):
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        if isinstance(messages, str):
            messages = [messages] * int(mask.sum())
        raw = frame.loc[mask, column].astype("string").fillna("") if column in frame else None
        values = list(raw) if raw is not None else [""] * int(mask.sum())
        for row, value, message in zip(rows[mask], values, messages, strict=True):
            errors.append(
                {"row": int(row), "column": column, "value": str(value)[:80], "message": message}
            )

    def text_of(column):
        if column not in frame:
            return pd.Series("", index=index, dtype="string")
        return frame[column].astype("string").fillna("").str.strip()

    # Values first: rows without one are skipped, not errors.
    raw_value = frame["value"]
    value_is_number = raw_value.map(
        lambda v: isinstance(v, int | float | Decimal) and not isinstance(v, bool)
    ).astype(bool)
    value_text = text_of("value").where(~value_is_number, "")
    parsed, problem, plain = parse_text(value_text)
    numeric = pd.to_numeric(raw_value.where(value_is_number), errors="coerce").astype(float)
    value = parsed.where(~value_is_number, numeric)
    exact = plain.where(~value_is_number, numeric.map(lambda v: repr(float(v))))
    skipped = ~value_is_number & (value_text == "")
    keep = ~skipped
    progress(15)

    # KPI
    kpi_text = text_of("kpi_id")
    kpi_id = pd.to_numeric(kpi_text.where(kpi_text.str.fullmatch(r"\d+(\.0+)?").fillna(False)))
    add(keep & (kpi_text == ""), "kpi_id", "Give the KPI number (kpi_id).")
    add(
        keep & (kpi_text != "") & kpi_id.isna(),
        "kpi_id",
        [
            f"Unknown KPI: “{t}” is not a KPI number."
            for t in kpi_text[keep & (kpi_text != "") & kpi_id.isna()]
        ],
    )
    ids = sorted({int(v) for v in kpi_id[keep].dropna().unique()})
    kpis = Kpi.objects.filter(pk__in=ids)
    if kpis_allowed is not None:
        kpis = kpis.filter(pk__in=kpis_allowed.values("pk"))
    if for_update:
        kpis = kpis.select_for_update().order_by("pk")
    kpi_rows = list(
        kpis.values(
            "id", "name", "unit", "frequency", "is_active", "partnership_id", "partnership__title"
        )
    )
    if kpis_allowed is not None:
        visible = editable = {k["partnership_id"] for k in kpi_rows}
    else:
        visible = set(
            Partnership.objects.visible_to(user)
            .filter(pk__in={k["partnership_id"] for k in kpi_rows})
            .values_list("pk", flat=True)
        )
        editable = set(
            Partnership.objects.editable_by(user)
            .filter(pk__in=visible)
            .values_list("pk", flat=True)
        )
    info = pd.DataFrame(
        kpi_rows,
        columns=[
            "id",
            "name",
            "unit",
            "frequency",
            "is_active",
            "partnership_id",
            "partnership__title",
        ],
    ).set_index("id")
    kid = kpi_id.astype("Int64")
    known = kid.isin([k["id"] for k in kpi_rows if k["partnership_id"] in visible]).fillna(False)
    known = known.astype(bool)
    unknown = keep & kid.notna() & ~known
    add(
        unknown,
        "kpi_id",
        [
            f"Unknown KPI {int(k)}: there is no KPI with this number that you can see."
            for k in kid[unknown]
        ],
    )
    frequency = kid.map(info["frequency"]).where(known)
    unit = kid.map(info["unit"]).where(known)
    pid = kid.map(info["partnership_id"]).where(known)
    allowed = known & pid.isin(editable).fillna(False).astype(bool)
    denied = keep & known & ~allowed
    add(
        denied,
        "kpi_id",
        [
            f"No permission: you may not enter measurements for the partnership “{t}”."
            for t in kid[denied].map(info["partnership__title"])
        ],
    )
    inactive = keep & allowed & ~kid.map(info["is_active"]).where(known).fillna(False).astype(bool)
    add(
        inactive,
        "kpi_id",
        [f"KPI “{t}” is inactive; reactivate it first." for t in kid[inactive].map(info["name"])],
    )
    kpi_ok = allowed & ~inactive
    progress(35)

    # Period
    when, kind, period_problem = parse_periods(frame["period"])
    period_text = text_of("period")
    add(keep & (period_problem == "blank"), "period", "Give the period.")
    bad = keep & period_problem.isin(["not_a_period", "not_a_date"])
    add(
        bad,
        "period",
        [
            f"Bad period: “{t}” is not a date or period (use 2024-03-01, 2024-W10, 2024-03 or "
            "2024-Q1)."
            if p == "not_a_period"
            else f"Bad period: “{t}” is not a real date."
            for t, p in zip(period_text[bad], period_problem[bad], strict=True)
        ],
    )
    has_date = keep & kpi_ok & when.notna() & (period_problem == "")
    day_numbers = np.zeros(n, dtype=np.int64)
    day_numbers[has_date.to_numpy()] = (
        when[has_date].to_numpy().astype("datetime64[D]").astype(np.int64)
    )
    freq_arr = frequency.fillna(periods.MONTHLY).to_numpy(dtype=object)
    starts = _period_start_days(day_numbers, freq_arr)
    # A month given for a quarterly KPI is fine when it starts a quarter.
    kind_clash = (
        has_date
        & (kind != "")
        & (kind != frequency)
        & ~((kind == periods.MONTHLY) & (frequency == periods.QUARTERLY))
    )
    add(
        kind_clash,
        "period",
        [
            f"Bad period: “{t}” is a {periods.NOUN[k]} but this KPI is measured {f}."
            for t, k, f in zip(
                period_text[kind_clash], kind[kind_clash], frequency[kind_clash], strict=True
            )
        ],
    )
    misfit = has_date & ~kind_clash & (starts != day_numbers)
    add(
        misfit,
        "period",
        [
            f"Bad period: {_d(d):%d %b %Y} does not start a {periods.NOUN[f]}"
            f"{' (weeks start on Monday)' if f == periods.WEEKLY else ''}; "
            f"did you mean {_d(s).isoformat()}?"
            for d, s, f in zip(day_numbers[misfit], starts[misfit], frequency[misfit], strict=True)
        ],
    )
    current = _period_start_days(np.full(n, (today - date(1970, 1, 1)).days), freq_arr)
    fits = has_date & ~kind_clash & ~misfit
    future = fits & (day_numbers > current)
    add(future, "period", "Bad period: this period has not started yet.")
    early = fits & (day_numbers < (date(2000, 1, 1) - date(1970, 1, 1)).days)
    add(early, "period", "Bad period: periods before 2000 are not accepted.")
    period_ok = fits & ~future & ~early
    progress(55)

    # Value
    ambiguous = keep & (problem == AMBIGUOUS)
    add(
        ambiguous,
        "value",
        [
            f"Not a number: “{t}” is ambiguous — write {t.replace(',', '')} or "
            f"{t.replace(',', '.')} without a thousands separator."
            for t in value_text[ambiguous]
        ],
    )
    nan = keep & ~ambiguous & value.isna()
    add(nan, "value", "Not a number.")
    with np.errstate(invalid="ignore"):
        v = value.to_numpy(dtype=float)
        units = unit.to_numpy(dtype=object)
        checks = [
            (np.abs(v) >= 1e14, "This number is too large."),
            (
                (units == Unit.PERCENT) & ((v < 0) | (v > 100)),
                "A percentage must be between 0 and 100.",
            ),
            (
                (units == Unit.COUNT) & ((v < 0) | (np.floor(v) != v)),
                "A count must be a whole number of zero or more.",
            ),
            (np.isin(units, [Unit.DAYS, Unit.HOURS]) & (v < 0), "This cannot be negative."),
            (
                (units == Unit.SCORE) & ((v < -100) | (v > 100)),
                "A score must be between −100 and 100.",
            ),
        ]
    value_ok = keep & value.notna()
    for mask, message in checks:
        bad_unit = value_ok & kpi_ok & pd.Series(mask, index=index)
        add(bad_unit, "value", f"Not valid for this KPI: {message}")
        value_ok &= ~bad_unit

    note = text_of("note")
    long_note = keep & (note.str.len() > 500)
    add(long_note, "note", "Notes are limited to 500 characters.")

    # Duplicates among rows that name a valid KPI and period
    candidate = keep & kpi_ok & period_ok
    key = pd.DataFrame({"k": kid.where(candidate), "d": np.where(candidate, day_numbers, -1)})
    dup = candidate & key.duplicated(["k", "d"], keep="first")
    first_row = pd.Series(rows, index=index).groupby([key["k"], key["d"]]).transform("first")
    add(
        dup,
        "period",
        [
            f"Duplicate row in the file: same KPI and period as row {int(r)}."
            for r in first_row[dup]
        ],
    )
    progress(75)

    ok = candidate & value_ok & ~dup & ~long_note
    errors.sort(key=lambda e: (e["row"], [c for c, _, _ in COLUMNS].index(e["column"])))
    checked = Checked(rows=n, skipped=int(skipped.sum()), errors=errors)
    if errors:
        checked.summary = {"rows": n, "skipped": checked.skipped, "errors": len(errors)}
        progress(100)
        return checked

    plan = pd.DataFrame(
        {
            "row": rows[ok.to_numpy()],
            "kpi_id": kid[ok].astype(np.int64).to_numpy(),
            "period": _dates(day_numbers[ok.to_numpy()]),
            "grain": frequency[ok].to_numpy(),
            "exact": exact[ok].to_numpy(),
            "value": value[ok].to_numpy(dtype=float),
            "note": note[ok].to_numpy(),
            "has_note": (note[ok] != "").to_numpy(),
        }
    )
    checked.plan = _compare_with_existing(plan, for_update=for_update)
    checked.summary = _summary(checked, info)
    progress(100)
    return checked


def _d(days):
    return date(1970, 1, 1) + timedelta(days=int(days))


def _dates(days):
    return [_d(x) for x in days]


def _compare_with_existing(plan, *, for_update):
    if plan.empty:
        plan["outcome"] = []
        return plan
    low, high = min(plan["period"]), max(plan["period"])
    existing = Measurement.objects.filter(
        kpi_id__in=sorted(set(plan["kpi_id"])), period__gte=low, period__lte=high
    )
    if for_update:
        existing = existing.select_for_update()
    old = pd.DataFrame(
        list(
            existing.values_list(
                "id",
                "kpi_id",
                "grain",
                "period",
                "value",
                "note",
                "source",
                "recorded_by_id",
                "recorded_at",
            )
        ),
        columns=[
            "measurement_id",
            "kpi_id",
            "grain",
            "period",
            "old_value",
            "old_note",
            "old_source",
            "old_by",
            "old_at",
        ],
    )
    old = old.astype({"kpi_id": np.int64, "measurement_id": np.float64})
    plan = plan.merge(old, on=["kpi_id", "grain", "period"], how="left")
    exists = plan["measurement_id"].notna()
    old_value = plan["old_value"].map(lambda v: float(v) if v is not None and v == v else np.nan)
    new_note = np.where(plan["has_note"], plan["note"], plan["old_note"].fillna(""))
    same = exists & (np.round(plan["value"], 6) == old_value) & (new_note == plan["old_note"])
    plan["note"] = new_note
    plan["outcome"] = np.select([~exists, same], ["create", "unchanged"], default="correct")
    return plan


def _summary(checked, info):
    plan = checked.plan
    counts = plan["outcome"].value_counts()
    titles = plan["kpi_id"].map(info["partnership__title"])
    by_partnership = (
        plan.assign(p=titles).groupby(["p", "outcome"]).size().unstack(fill_value=0)
        if not plan.empty
        else pd.DataFrame()
    )
    corrections = plan[plan["outcome"] == "correct"].head(100)
    creates = plan[plan["outcome"] == "create"].head(20)

    def sample(frame, with_old):
        out = []
        for r in frame.itertuples(index=False):
            item = {
                "row": int(r.row),
                "kpi": str(info.at[r.kpi_id, "name"]),
                "kpi_id": int(r.kpi_id),
                "period": periods.period_label(r.period, r.grain),
                "value": r.exact,
            }
            if with_old:
                item["old"] = (
                    format(r.old_value.normalize(), "f") if r.old_value is not None else ""
                )
            out.append(item)
        return out

    return {
        "rows": checked.rows,
        "skipped": checked.skipped,
        "errors": 0,
        "create": int(counts.get("create", 0)),
        "correct": int(counts.get("correct", 0)),
        "unchanged": int(counts.get("unchanged", 0)),
        "kpis": int(plan["kpi_id"].nunique()),
        "by_partnership": [
            {
                "partnership": str(name),
                "create": int(row.get("create", 0)),
                "correct": int(row.get("correct", 0)),
                "unchanged": int(row.get("unchanged", 0)),
            }
            for name, row in by_partnership.iterrows()
        ],
        "corrections": sample(corrections, True),
        "creates": sample(creates, False),
    }


# Writing ------------------------------------------------------------------------------------


def write(plan, *, user, batch, now=None, progress=None, source=Source.IMPORT):
    """Write the plan's creates and corrections (call inside a transaction)."""
    now = now or timezone.now()
    progress = progress or (lambda pct: None)
    todo = plan[plan["outcome"] != "unchanged"]
    corrections = todo[todo["outcome"] == "correct"]
    MeasurementRevision.objects.bulk_create(
        [
            MeasurementRevision(
                measurement_id=int(r.measurement_id),
                value=r.old_value,
                note=r.old_note or "",
                source=r.old_source,
                recorded_by_id=None if pd.isna(r.old_by) else int(r.old_by),
                recorded_at=r.old_at,
                replaced_by=user,
                replaced_at=now,
                replaced_via=source,
            )
            for r in corrections.itertuples(index=False)
        ],
        batch_size=WRITE_CHUNK,
    )
    total = max(len(todo), 1)
    for start in range(0, len(todo), WRITE_CHUNK):
        chunk = todo.iloc[start : start + WRITE_CHUNK]
        Measurement.objects.bulk_create(
            [
                Measurement(
                    kpi_id=int(r.kpi_id),
                    period=r.period,
                    grain=r.grain,
                    value=Decimal(r.exact),
                    note=r.note,
                    source=source,
                    recorded_by=user,
                    recorded_at=now,
                    import_batch=batch,
                )
                for r in chunk.itertuples(index=False)
            ],
            update_conflicts=True,
            unique_fields=["kpi", "grain", "period"],
            update_fields=["value", "note", "source", "recorded_by", "recorded_at", "import_batch"],
        )
        progress(min(99, 50 + int(50 * (start + len(chunk)) / total)))
    return int((todo["outcome"] == "create").sum()), len(corrections)


# The import's life --------------------------------------------------------------------------


def progress_key(import_id):
    return f"kpis:import:{import_id}:progress"


def _progress_setter(batch, low, high):
    def set_progress(pct):
        value = low + int((high - low) * pct / 100)
        cache.set(progress_key(batch.pk), value, 3600)

    return set_progress


def current_progress(batch):
    value = cache.get(progress_key(batch.pk))
    return batch.progress if value is None else max(value, batch.progress)


def estimate_rows(content, name):
    if name.lower().endswith(".xlsx"):
        return len(content) // 40  # about 40 bytes a row in a compressed sheet
    return content.count(b"\n")


def _read(batch):
    with batch.file.open("rb") as handle:
        content = handle.read()
    return read_table(content, batch.original_name)


def run_validation(import_id):
    """Check the stored file and keep the result on the import (the preview)."""
    batch = MeasurementImport.objects.select_related("uploaded_by").get(pk=import_id)
    if batch.state != MeasurementImport.State.VALIDATING:
        return batch
    progress = _progress_setter(batch, 0, 100)
    try:
        progress(5)
        frame = _read(batch)
        progress(30)
        checked = check(frame, batch.uploaded_by, progress=_progress_setter(batch, 30, 100))
    except ImportFileError as error:
        _finish(batch, MeasurementImport.State.INVALID, message=str(error))
        return batch
    except Exception as error:
        log.exception("Checking import %s failed", import_id)
        _finish(
            batch,
            MeasurementImport.State.FAILED,
            message=f"The file could not be checked ({error}).",
        )
        return batch
    _finish(
        batch,
        MeasurementImport.State.INVALID if checked.errors else MeasurementImport.State.READY,
        errors=checked.errors,
        summary=checked.summary,
        total_rows=checked.rows,
        finished=False,
    )
    return batch


def _finish(
    batch, state, *, message="", errors=None, summary=None, total_rows=None, finished=True, **extra
):
    batch.state = state
    batch.message = message
    batch.progress = 100
    if errors is not None:
        batch.errors = errors[:MAX_ERRORS_STORED]
        batch.error_count = len(errors)
    if summary is not None:
        batch.summary = summary
    if total_rows is not None:
        batch.total_rows = total_rows
    if finished:
        batch.finished_at = timezone.now()
    for name, value in extra.items():
        setattr(batch, name, value)
    batch.save()
    cache.delete(progress_key(batch.pk))


def confirm(batch):
    """Claim a ready import for writing (False if it is not ready, e.g. confirmed twice)."""
    claimed = MeasurementImport.objects.filter(
        pk=batch.pk, state=MeasurementImport.State.READY
    ).update(state=MeasurementImport.State.IMPORTING, confirmed_at=timezone.now(), progress=0)
    return bool(claimed)


def run_apply(import_id):
    """Write a confirmed import: checked again under lock, all rows in one transaction."""
    from .services import enqueue_recompute

    batch = MeasurementImport.objects.select_related("uploaded_by").get(pk=import_id)
    if batch.state != MeasurementImport.State.IMPORTING:
        return batch
    user = batch.uploaded_by
    progress = _progress_setter(batch, 0, 100)
    try:
        frame = _read(batch)
        progress(10)
        with transaction.atomic():
            checked = check(frame, user, for_update=True, progress=_progress_setter(batch, 10, 50))
            if checked.errors:
                transaction.set_rollback(True)
            else:
                created, corrected = write(checked.plan, user=user, batch=batch, progress=progress)
                enqueue_recompute(set(checked.plan["kpi_id"]))
    except ImportFileError as error:
        _finish(batch, MeasurementImport.State.FAILED, message=str(error))
        return batch
    except Exception as error:
        log.exception("Import %s failed", import_id)
        _finish(
            batch,
            MeasurementImport.State.FAILED,
            message=f"The import failed and nothing was written ({type(error).__name__}: {error}).",
        )
        return batch
    if checked.errors:
        _finish(
            batch,
            MeasurementImport.State.INVALID,
            message="Things changed since the preview, so nothing was imported: fix these rows "
            "and upload the file again.",
            errors=checked.errors,
            summary=checked.summary,
        )
        return batch
    _finish(
        batch,
        MeasurementImport.State.DONE,
        summary=checked.summary,
        created_count=created,
        corrected_count=corrected,
    )
    return batch
