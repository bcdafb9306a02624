"""What a KPI's values are: exact decimals, units, directions, frequencies, statuses, and
the checks of a value and of thresholds."""

from decimal import Decimal

from django.db import models

VALUE_DIGITS = 20


VALUE_PLACES = 6


VALUE_LIMIT = Decimal("1e14")  # numeric(20, 6) holds |x| < 1e14


def value_field(**kwargs):
    return models.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, **kwargs)


class Unit(models.TextChoices):
    PERCENT = "percent", "Percent (%)"
    CURRENCY = "currency", "Currency"
    COUNT = "count", "Count"
    DAYS = "days", "Days"
    HOURS = "hours", "Hours"
    RATIO = "ratio", "Ratio"
    SCORE = "score", "Score (e.g. NPS, −100 to 100)"


UNIT_SUFFIX = {
    Unit.PERCENT: "%",
    Unit.CURRENCY: "",
    Unit.COUNT: "",
    Unit.DAYS: " d",
    Unit.HOURS: " h",
    Unit.RATIO: "×",
    Unit.SCORE: "",
}


def unit_problem(unit, value):
    """Why ``value`` is not a valid number in ``unit`` (None when it is)."""
    if value is None:
        return None
    value = Decimal(value)
    if not value.is_finite():
        return "Enter a finite number."
    if abs(value) >= VALUE_LIMIT:
        return "This number is too large."
    if unit == Unit.PERCENT and not (0 <= value <= 100):
        return "A percentage must be between 0 and 100."
    if unit == Unit.COUNT and (value < 0 or value != value.to_integral_value()):
        return "A count must be a whole number of zero or more."
    if unit in (Unit.DAYS, Unit.HOURS) and value < 0:
        return f"A number of {unit} cannot be negative."
    if unit == Unit.SCORE and not (-100 <= value <= 100):
        return "A score must be between −100 and 100."
    return None


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


class Aggregation(models.TextChoices):
    SUM = "sum", "Sum"
    MEAN = "mean", "Mean"
    LAST = "last", "Last value"
    MIN = "min", "Minimum"
    MAX = "max", "Maximum"


class Status(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    NO_DATA = "no_data", "No data"


STATUS_BADGE = {
    Status.ON_TRACK: "badge-green",
    Status.AT_RISK: "badge-amber",
    Status.OFF_TRACK: "badge-red",
    Status.NO_DATA: "",
}


def threshold_problems(direction, target, warning, critical):
    """{field: message} for thresholds that contradict the direction (empty when consistent)."""
    problems = {}
    if None in (target, warning, critical):
        return problems
    if direction == Direction.HIGHER:
        if warning > target:
            problems["warning"] = (
                f"When higher is better, the warning threshold ({warning:g}) cannot be above "
                f"the target ({target:g}): use critical ≤ warning ≤ target."
            )
        if critical > warning:
            problems["critical"] = (
                f"When higher is better, the critical threshold ({critical:g}) cannot be above "
                f"the warning threshold ({warning:g}): use critical ≤ warning ≤ target."
            )
    else:
        if warning < target:
            problems["warning"] = (
                f"When lower is better, the warning threshold ({warning:g}) cannot be below "
                f"the target ({target:g}): use target ≤ warning ≤ critical."
            )
        if critical < warning:
            problems["critical"] = (
                f"When lower is better, the critical threshold ({critical:g}) cannot be below "
                f"the warning threshold ({warning:g}): use target ≤ warning ≤ critical."
            )
    return problems
