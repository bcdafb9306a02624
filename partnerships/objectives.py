"""What an objective's status and progress are, as shown: read from its KPIs (by the app that
scores them, ``Contributions.objective_readings``) unless set by hand with a reason.

An objective typed "Achieved" at 20% progress told two stories; now one number per fact.
"""

from dataclasses import dataclass

from django.utils import timezone

from .models import Objective
from .plugins import contributed


@dataclass(frozen=True)
class Reading:
    """An objective's standing from its KPIs: ``status`` an ``Objective.Status`` value,
    ``progress`` 0–100, ``kpis`` how many KPIs with a result it was read from."""

    status: str
    progress: int
    kpis: int


def readings(objective_ids, today):
    """{objective id: Reading} for the objectives whose KPIs have results."""
    found = {}
    for read in contributed("objective_readings"):
        found.update(read(list(objective_ids), today))
    return found


def show(objectives, today=None):
    """Set on each objective what the pages show: ``shown_status`` (a Status value),
    ``shown_status_label``, ``shown_progress`` (None when nothing measures it) and
    ``status_source``: "hand" (with ``status_reason``), "kpis" (with ``kpi_count``) or "none"."""
    objectives = list(objectives)
    found = readings([o.pk for o in objectives], today or timezone.localdate())
    labels = dict(Objective.Status.choices)
    for objective in objectives:
        reading = found.get(objective.pk)
        if objective.status_set_by_hand:
            status, progress, source = objective.status, objective.progress, "hand"
        elif reading is not None:
            status, progress, source = reading.status, reading.progress, "kpis"
            objective.kpi_count = reading.kpis
        else:
            status, progress, source = Objective.Status.NOT_STARTED, None, "none"
        objective.shown_status = status
        objective.shown_status_label = labels.get(status, status)
        objective.shown_progress = progress
        objective.status_source = source
    return objectives
