from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse

from partnerships.models import Objective

from .. import access, agreements
from ..models import ObjectiveComment
from ..navigation import portal_context


def objectives(request, pk):
    profile = access.require_partner_user(request)
    partnership = access.get_partnership(request, pk)
    states = agreements.states(
        Objective.objects.filter(partnership=partnership).select_related("goal")
    )
    comments = {}
    for c in ObjectiveComment.objects.filter(objective__partnership=partnership).select_related(
        "by"
    ):
        comments.setdefault(c.objective_id, []).append(c)
    for state in states:
        state.comments = comments.get(state.objective.pk, [])
    context = portal_context(
        request, profile, partnership=partnership, states=states, problem=request.GET.get("p")
    )
    return render(request, "portal/objectives.html", context)


def agree(request, objective_pk):
    objective = access.get_objective(request, objective_pk)
    access.require_post(request)
    agreements.agree(objective=objective, side="partner", by=request.user)
    messages.success(request, f"You agreed “{objective.title}”.")
    return redirect(reverse("portal:objectives", args=[objective.partnership_id]))


def propose(request, objective_pk):
    objective = access.get_objective(request, objective_pk)
    access.require_post(request)
    try:
        agreements.propose_change(
            objective=objective,
            side="partner",
            by=request.user,
            comment=request.POST.get("comment", ""),
        )
    except ValidationError:
        messages.error(request, "Say what should change before sending a proposal.")
    else:
        messages.success(
            request, f"Your proposal on “{objective.title}” was sent; it is proposed again."
        )
    return redirect(reverse("portal:objectives", args=[objective.partnership_id]))


urlpatterns = [
    path("partnerships/<int:pk>/objectives/", objectives, name="objectives"),
    path("objectives/<int:objective_pk>/agree/", agree, name="objective_agree"),
    path("objectives/<int:objective_pk>/propose/", propose, name="objective_propose"),
]
