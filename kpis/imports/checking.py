"""Checking every row of an import, vectorised: errors by row and column, and the plan.

Each step takes boolean masks over the rows and adds the errors of the rows it refuses; a row
is written only when every step has kept it.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
from django.utils import timezone

from partnerships.aggregates import ids_param
from partnerships.models import Partnership

from .. import periods
from ..day_numbers import days_to_dates
from ..models import Kpi, Unit
from ..numbers import AMBIGUOUS
from .cells import kpi_cells, text_cells, value_cells
from .distinct import over_distinct
from .layout import COLUMNS
from .period_cells import parse_periods, period_start_days
from .preview import compare_with_existing, preview_summary


@dataclass
class Checked:
    rows: int = 0
    skipped: int = 0
    errors: list = field(default_factory=list)
    plan: pd.DataFrame | None = None
    summary: dict = field(default_factory=dict)


class RowErrors:
    """The errors found so far, each for a sheet row and a column of the frame."""

    def __init__(self, frame):
        self.frame = frame
        self.rows = frame["_row"].to_numpy()
        self.index = frame.index
        self.errors = []

    def add(self, mask, column, messages):
        frame, rows, errors = self.frame, self.rows, self.errors
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

    def text_of(self, column):
        frame, index = self.frame, self.index
        if column not in frame:
            return pd.Series("", index=index, dtype="string")
        return over_distinct(text_cells, frame[column])[0]

    def in_sheet_order(self):
        order = [c for c, _, _ in COLUMNS]
        self.errors.sort(key=lambda e: (e["row"], order.index(e["column"])))
        return self.errors


@dataclass
class _Values:
    value: pd.Series
    exact: pd.Series
    text: pd.Series
    problem: pd.Series
    skipped: pd.Series


@dataclass
class _Kpis:
    info: pd.DataFrame
    kid: pd.Series
    frequency: pd.Series
    unit: pd.Series
    ok: pd.Series


def check(frame, user, *, today=None, for_update=False, progress=None, kpis_allowed=None):
    """Check every row; returns a Checked with errors by row and column, and the plan.

    ``kpis_allowed`` (a Kpi queryset) replaces the user's partnerships as what the file may
    write to: the partner portal's users enter the KPIs of their side only."""
    today = today or timezone.localdate()
    progress = progress or (lambda pct: None)
    report = RowErrors(frame)
    n = len(frame)

    # Values first: rows without one are skipped, not errors.
    values = _read_values(report)
    keep = ~values.skipped
    progress(15)
    kpis = _check_kpis(report, keep, user, for_update=for_update, kpis_allowed=kpis_allowed)
    progress(35)
    day_numbers, period_ok = _check_periods(report, keep, kpis, today)
    progress(55)
    value_ok = _check_values(report, keep, kpis, values)
    note = report.text_of("note")
    long_note = keep & (note.str.len() > 500)
    report.add(long_note, "note", "Notes are limited to 500 characters.")
    candidate = keep & kpis.ok & period_ok
    dup = _check_duplicates(report, candidate, kpis.kid, day_numbers)
    progress(75)

    ok = candidate & value_ok & ~dup & ~long_note
    errors = report.in_sheet_order()
    checked = Checked(rows=n, skipped=int(values.skipped.sum()), errors=errors)
    if errors:
        checked.summary = {"rows": n, "skipped": checked.skipped, "errors": len(errors)}
        progress(100)
        return checked

    plan = pd.DataFrame(
        {
            "row": report.rows[ok.to_numpy()],
            "kpi_id": kpis.kid[ok].astype(np.int64).to_numpy(),
            "period": days_to_dates(day_numbers[ok.to_numpy()]),
            "grain": kpis.frequency[ok].to_numpy(),
            "exact": values.exact[ok].to_numpy(),
            "value": values.value[ok].to_numpy(dtype=float),
            "note": note[ok].to_numpy(),
            "has_note": (note[ok] != "").to_numpy(),
        }
    )
    checked.plan = compare_with_existing(plan, for_update=for_update)
    checked.summary = preview_summary(checked, kpis.info)
    progress(100)
    return checked


def _read_values(report):
    value, exact, text, problem, skipped = over_distinct(value_cells, report.frame["value"])
    return _Values(value=value, exact=exact, text=text, problem=problem, skipped=skipped)


_INFO = ["id", "name", "unit", "frequency", "is_active", "partnership_id", "partnership__title"]
_ID, _PARTNERSHIP = _INFO.index("id"), _INFO.index("partnership_id")


def _kpi_info(ids, user, *, for_update, kpis_allowed=None):
    """The named KPIs as a frame by id, and the partnerships the user may see and edit."""
    kpis = Kpi.objects.filter(pk__in=ids_param(ids))
    if kpis_allowed is not None:
        kpis = kpis.filter(pk__in=kpis_allowed.values("pk"))
    if for_update:
        kpis = kpis.select_for_update().order_by("pk")
    # Tuples, not dicts: a dict a KPI took ~0.08 s for an import's 10,000 KPIs.
    kpi_rows = list(kpis.values_list(*_INFO))
    if kpis_allowed is not None:
        visible = editable = {k[_PARTNERSHIP] for k in kpi_rows}
    else:
        visible = set(
            Partnership.objects.visible_to(user)
            .filter(pk__in=ids_param({k[_PARTNERSHIP] for k in kpi_rows}))
            .values_list("pk", flat=True)
        )
        editable = set(
            Partnership.objects.editable_by(user)
            .filter(pk__in=ids_param(visible))
            .values_list("pk", flat=True)
        )
    info = pd.DataFrame(kpi_rows, columns=_INFO).set_index("id")
    seen = [k[_ID] for k in kpi_rows if k[_PARTNERSHIP] in visible]
    return info, seen, editable


def _lookup(kid, known, column):
    """Each row's value of ``column`` (by KPI), missing where the KPI is not known. With no KPI
    known at all, a plain map gives an all-missing integer column that refuses text fills."""
    if column.empty:
        return pd.Series(None, index=kid.index, dtype=object)
    return kid.map(column).where(known)


def _among(kid, ids):
    """Whether each row's KPI is one of ``ids`` (a look-up of each row's KPI, as a map by KPI
    is, costs ~20 ms on 100,000 rows)."""
    return kid.isin(ids).fillna(False).astype(bool)


def _check_kpis(report, keep, user, *, for_update, kpis_allowed=None):
    add = report.add
    kpi_text, kpi_id = over_distinct(kpi_cells, report.frame["kpi_id"])
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
    info, seen, editable = _kpi_info(ids, user, for_update=for_update, kpis_allowed=kpis_allowed)
    kid = kpi_id.astype("Int64")
    known = kid.isin(seen).fillna(False)
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
    frequency = _lookup(kid, known, info["frequency"])
    unit = _lookup(kid, known, info["unit"])
    allowed = known & _among(kid, info.index[info["partnership_id"].isin(editable).to_numpy()])
    denied = keep & known & ~allowed
    add(
        denied,
        "kpi_id",
        [
            f"No permission: you may not enter measurements for the partnership “{t}”."
            for t in kid[denied].map(info["partnership__title"])
        ],
    )
    active = known & _among(kid, info.index[info["is_active"].astype(bool).to_numpy()])
    inactive = keep & allowed & ~active
    add(
        inactive,
        "kpi_id",
        [f"KPI “{t}” is inactive; reactivate it first." for t in kid[inactive].map(info["name"])],
    )
    return _Kpis(info=info, kid=kid, frequency=frequency, unit=unit, ok=allowed & ~inactive)


def _check_periods(report, keep, kpis, today):
    """(the period's first day as days since 1970 for each row, the rows whose period fits)."""
    add = report.add
    when, kind, period_problem = over_distinct(parse_periods, report.frame["period"])
    period_text = report.text_of("period")
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
    has_date = keep & kpis.ok & when.notna() & (period_problem == "")
    day_numbers = np.zeros(len(report.frame), dtype=np.int64)
    day_numbers[has_date.to_numpy()] = (
        when[has_date].to_numpy().astype("datetime64[D]").astype(np.int64)
    )
    fits = _check_period_fits_kpi(report, has_date, kind, period_text, day_numbers, kpis)
    freq_arr = kpis.frequency.fillna(periods.MONTHLY).to_numpy(dtype=object)
    current = period_start_days(np.full(len(report.frame), (today - _EPOCH).days), freq_arr)
    future = fits & (day_numbers > current)
    add(future, "period", "Bad period: this period has not started yet.")
    early = fits & (day_numbers < (date(2000, 1, 1) - _EPOCH).days)
    add(early, "period", "Bad period: periods before 2000 are not accepted.")
    return day_numbers, fits & ~future & ~early


def _check_period_fits_kpi(report, has_date, kind, period_text, day_numbers, kpis):
    """The rows whose period is of the KPI's frequency and starts one of its periods."""
    frequency = kpis.frequency
    freq_arr = frequency.fillna(periods.MONTHLY).to_numpy(dtype=object)
    starts = period_start_days(day_numbers, freq_arr)
    kind_clash = has_date & (kind != "")
    if kind_clash.any():  # most files give first days, not weeks or months
        # A month given for a quarterly KPI is fine when it starts a quarter.
        kind_clash &= (kind != frequency) & ~(
            (kind == periods.MONTHLY) & (frequency == periods.QUARTERLY)
        )
    report.add(
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
    report.add(
        misfit,
        "period",
        [
            f"Bad period: {_d(d):%d %b %Y} does not start a {periods.NOUN[f]}"
            f"{' (weeks start on Monday)' if f == periods.WEEKLY else ''}; "
            f"did you mean {_d(s).isoformat()}?"
            for d, s, f in zip(day_numbers[misfit], starts[misfit], frequency[misfit], strict=True)
        ],
    )
    return has_date & ~kind_clash & ~misfit


def _unit_rules(v, units):
    """(mask of values the unit refuses, message) for each unit with bounds."""
    return [
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


def _check_values(report, keep, kpis, values):
    """The rows whose value is a number the KPI's unit accepts."""
    value, value_text = values.value, values.text
    ambiguous = keep & (values.problem == AMBIGUOUS)
    report.add(
        ambiguous,
        "value",
        [
            f"Not a number: “{t}” is ambiguous — write {t.replace(',', '')} or "
            f"{t.replace(',', '.')} without a thousands separator."
            for t in value_text[ambiguous]
        ],
    )
    nan = keep & ~ambiguous & value.isna()
    report.add(nan, "value", "Not a number.")
    with np.errstate(invalid="ignore"):
        checks = _unit_rules(value.to_numpy(dtype=float), kpis.unit.to_numpy(dtype=object))
    value_ok = keep & value.notna()
    for mask, message in checks:
        bad_unit = value_ok & kpis.ok & pd.Series(mask, index=report.index)
        report.add(bad_unit, "value", f"Not valid for this KPI: {message}")
        value_ok &= ~bad_unit
    return value_ok


def _check_duplicates(report, candidate, kid, day_numbers):
    """Rows that name a valid KPI and period already named by an earlier row."""
    key = pd.DataFrame({"k": kid.where(candidate), "d": np.where(candidate, day_numbers, -1)})
    dup = candidate & key.duplicated(["k", "d"], keep="first")
    if not dup.any():
        return dup
    first_row = pd.Series(report.rows, index=report.index).groupby([key["k"], key["d"]])
    first_row = first_row.transform("first")
    report.add(
        dup,
        "period",
        [
            f"Duplicate row in the file: same KPI and period as row {int(r)}."
            for r in first_row[dup]
        ],
    )
    return dup


_EPOCH = date(1970, 1, 1)


def _d(days):
    return _EPOCH + timedelta(days=int(days))
