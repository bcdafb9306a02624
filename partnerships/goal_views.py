"""The strategic goals page: each goal with the partnerships that serve it, weakest first."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
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


def goal_list(request):
    visible = Partnership.objects.visible_to(request.user).values("pk")
    goals = StrategicGoal.objects.prefetch_related(
        Prefetch(
            "objectives",
            queryset=Objective.objects.filter(partnership__in=visible).select_related(
                "partnership__partner"
            ),
        )
    )
    goals = list(goals)
    show_objectives(o for goal in goals for o in goal.objectives.all())
    ids = {o.partnership_id for goal in goals for o in goal.objectives.all()}
    health = portfolio.health_for(ids)
    alignment = []
    for goal in goals:
        partnerships = {}
        for objective in goal.objectives.all():
            partnerships.setdefault(objective.partnership, []).append(objective)
        rows = [(p, objectives, health.get(p.pk)) for p, objectives in partnerships.items()]
        alignment.append({"goal": goal, **goal_alignment(rows)})
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
