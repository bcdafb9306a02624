"""KPIs, their measurements and everything computed from them.

Values are stored as exact decimals (numeric(20, 6)): thresholds are compared against aggregated
values rounded to the same scale, so "exactly on the threshold" means exactly.

One module per concept: values (units, directions, statuses and their checks), definitions
(templates, KPIs and their versions), measurements (values, revisions, imports), snapshots
(computed statuses and health), alerts (alerts, their events and notifications, corrective
actions and checkpoints).
"""

from .alerts import (
    Alert,
    AlertEvent,
    AlertNotification,
    AlertQuerySet,
    Checkpoint,
    CorrectiveAction,
    Severity,
)
from .definitions import (
    Kpi,
    KpiQuerySet,
    KpiTemplate,
    KpiVersion,
)
from .feeds import FeedRequest
from .marks import RecomputeMark
from .measurements import (
    Measurement,
    MeasurementImport,
    MeasurementRevision,
    Source,
)
from .snapshots import (
    HealthSnapshot,
    Snapshot,
)
from .values import (
    STATUS_BADGE,
    UNIT_SUFFIX,
    VALUE_DIGITS,
    VALUE_LIMIT,
    VALUE_PLACES,
    Aggregation,
    Direction,
    Frequency,
    Status,
    Unit,
    threshold_problems,
    unit_problem,
    value_field,
)

__all__ = [
    "Aggregation",
    "Alert",
    "AlertEvent",
    "AlertNotification",
    "AlertQuerySet",
    "Checkpoint",
    "FeedRequest",
    "CorrectiveAction",
    "Direction",
    "Frequency",
    "HealthSnapshot",
    "Kpi",
    "KpiQuerySet",
    "KpiTemplate",
    "KpiVersion",
    "Measurement",
    "MeasurementImport",
    "MeasurementRevision",
    "RecomputeMark",
    "STATUS_BADGE",
    "Severity",
    "Snapshot",
    "Source",
    "Status",
    "UNIT_SUFFIX",
    "Unit",
    "VALUE_DIGITS",
    "VALUE_LIMIT",
    "VALUE_PLACES",
    "threshold_problems",
    "unit_problem",
    "value_field",
]
