"""The period cell of each row, read as a date (ISO, day-first, Excel serial, week, month,
quarter), vectorised over the column."""

from datetime import date, datetime

import numpy as np
import pandas as pd
from django.utils import timezone

from .. import periods

EXCEL_EPOCH = date(1899, 12, 30)

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
    recognised = _parse_written(text, rest, result, kind)
    problem[rest & ~recognised] = "not_a_period"
    problem[recognised & result.isna()] = "not_a_date"
    problem[(text == "") & ~(is_moment | is_number)] = "blank"
    return result, kind, problem


def _parse_written(text, rest, result, kind):
    """Read the written periods among ``rest`` into ``result`` and ``kind``; returns the rows
    whose text has a period's shape (its date may still be unreal)."""
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

    return m | m_uk | m_month | m_q | m_w | moment


def _iso_week(year, week):
    try:
        return pd.Timestamp(date.fromisocalendar(year, week, 1))
    except ValueError:
        return pd.NaT


def period_start_days(days, frequency):
    from ..maths import ordinal, ordinal_start

    return ordinal_start(ordinal(days, frequency), frequency)
