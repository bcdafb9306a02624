"""The strategic goals page: each goal with the partnerships that serve it, weakest first."""

from collections import defaultdict
from typing import NamedTuple

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from . import portfolio
from .forms import StrategicGoalForm
from .models import Objective, Partnership, StrategicGoal
from .objectives import show as show_objectives
from .roles import is_executive

GOAL_ROWS = 10  # partnerships listed under a goal; the rest are a click away in the portfolio


def goal_alignment(rows):
    """What the goals page says of one goal's partnerships [(partnership, objectives, health)]:
    the weakest first (unscored after the scored ones), the first GOAL_ROWS of them, the count
    per health band, and whether any is healthy."""

    def weakest_first(row):
        partnership, _, health = row
        scored = bool(health and health.band)
        return (not scored, health.score if scored else 0, partnership.title)

    rows = sorted(rows, key=weakest_first)
    bands = {"green": 0, "amber": 0, "red": 0}
    for _, _, health in rows:
        if health and health.band in bands:
            bands[health.band] += 1
    return {
        "rows": rows[:GOAL_ROWS],
        "more": max(0, len(rows) - GOAL_ROWS),
        "total": len(rows),
        "bands": bands,
        "healthy": bands["green"] > 0,
    }


class _Listed(NamedTuple):
    """A partnership as ``goal_alignment`` orders it, before the listed ones are read whole."""

    pk: int
    title: str


def _served_by_goal(visible):
    """{goal id: {partnership id: title}}, each goal's partnerships in the order of their first
    objective, from light rows: a large portfolio's goals are served by thousands."""
    served = defaultdict(dict)
    rows = (
        Objective.objects.filter(partnership__in=visible, goal__isnull=False)
        .order_by("side", "title", "pk")
        .values_list("goal_id", "partnership_id", "partnership__title")
    )
    for goal_id, partnership_id, title in rows:
        served[goal_id].setdefault(partnership_id, title)
    return served


def _read_listed(alignment):
    """The listed rows' partnerships and objectives read whole, each objective with what the
    page shows of it: only these are on the page. At the huge size 12,800 objectives serve the
    goals; reading and showing them all took the page to ~1.9 s, against ~0.4 s now."""
    listed = {(entry["goal"].pk, row[0].pk) for entry in alignment for row in entry["rows"]}
    objectives, partnerships = defaultdict(list), {}
    queryset = (
        Objective.objects.filter(
            goal_id__in={goal for goal, _ in listed},
            partnership_id__in={partnership for _, partnership in listed},
        )
        .select_related("partnership__partner")
        .order_by("side", "title", "pk")
    )
    for objective in queryset:
        if (objective.goal_id, objective.partnership_id) in listed:
            objectives[objective.goal_id, objective.partnership_id].append(objective)
            partnerships.setdefault(objective.partnership_id, objective.partnership)
    show_objectives(o for found in objectives.values() for o in found)
    for entry in alignment:
        goal = entry["goal"].pk
        entry["rows"] = [
            (partnerships[p.pk], objectives[goal, p.pk], health) for p, _, health in entry["rows"]
        ]


def goal_list(request):
    visible = Partnership.objects.visible_to(request.user).values("pk")
    served = _served_by_goal(visible)
    health = portfolio.health_for({pk for by_pk in served.values() for pk in by_pk})
    alignment = []
    for goal in StrategicGoal.objects.all():
        rows = [
            (_Listed(pk, title), [], health.get(pk))
            for pk, title in served.get(goal.pk, {}).items()
        ]
        alignment.append({"goal": goal, **goal_alignment(rows)})
    _read_listed(alignment)
    context = {
        "alignment": alignment,
        "shown": GOAL_ROWS,
        "scored": bool(health),
        "can_edit": is_executive(request.user),
    }
    return render(request, "partnerships/goal_list.html", context)


def goal_form(request, pk=None):
    if not is_executive(request.user):
        raise PermissionDenied("Only executives set strategic goals.")
    goal = get_object_or_404(StrategicGoal, pk=pk) if pk else StrategicGoal()
    form = StrategicGoalForm(request.POST or None, instance=goal)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Strategic goal saved.")
        return redirect("partnerships:goals")
    context = {
        "form": form,
        "title": "Edit strategic goal" if pk else "New strategic goal",
        "cancel_url": reverse("partnerships:goals"),
    }
    return render(request, "partnerships/form.html", context)
