"""Objectives read from the KPIs that measure them (``Contributions.objective_readings``).

Each KPI counts with its latest period that has a value: its status, and its attainment (the
share of the target reached, 1.0 on target) as progress, capped at 100%. An objective is off
track when one of its KPIs is, at risk when one is, achieved when every one has reached its
target, and on track otherwise; its progress is the mean of its KPIs'.
"""

from collections import defaultdict

from partnerships.models import Objective
from partnerships.objectives import Reading

from .models import Status
from .queries.latest_readings import latest_kpi_readings


def objective_status(statuses, progresses):
    """The objective's status from its KPIs' statuses and progress (each 0–100)."""
    if Status.OFF_TRACK in statuses:
        return Objective.Status.OFF_TRACK
    if Status.AT_RISK in statuses:
        return Objective.Status.AT_RISK
    if progresses and min(progresses) >= 100:
        return Objective.Status.ACHIEVED
    return Objective.Status.ON_TRACK


def kpi_progress(attainment):
    if attainment is None:
        return 0
    return max(0, min(100, round(attainment * 100)))


def objective_readings(objective_ids, today):
    if not objective_ids:
        return {}
    latest = latest_kpi_readings(objective_ids, today)
    by_objective = defaultdict(list)
    for objective_id, status, attainment in latest:
        by_objective[objective_id].append((status, kpi_progress(attainment)))
    readings = {}
    for objective_id, kpis in by_objective.items():
        statuses = [status for status, _ in kpis]
        progresses = [progress for _, progress in kpis]
        readings[objective_id] = Reading(
            status=objective_status(statuses, progresses),
            progress=round(sum(progresses) / len(progresses)),
            kpis=len(kpis),
        )
    return readings
