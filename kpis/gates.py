"""The KPI app's stage-gate conditions (declared in contributions.py)."""

from .models import Kpi


def has_kpi_for_objective(partnership):
    """Into Active: at least one objective is measured by an active KPI."""
    if not Kpi.objects.filter(
        partnership=partnership, is_active=True, objective__partnership=partnership
    ).exists():
        return ["Define at least one KPI for an objective."]
    return []
