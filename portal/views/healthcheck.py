from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from .. import access, healthchecks
from ..models import HealthCheck
from ..models.healthchecks import QUESTIONS
from ..navigation import portal_context


def form_rows(check, data=None, errors=None):
    """The survey's questions with the value to show in each field (posted, else saved)."""
    errors = errors or {}
    rows = []
    for field, question in QUESTIONS:
        if data is not None:
            score, comment = data.get(field, ""), data.get(f"{field}_comment", "")
        else:
            score = str(getattr(check, field)) if check else ""
            comment = getattr(check, f"{field}_comment") if check else ""
        label, _, text = question.partition(": ")
        rows.append(
            {
                "field": field,
                "label": label,
                "text": text,
                "score": score,
                "comment": comment,
                "error": errors.get(field, [None])[0] or errors.get(f"{field}_comment", [None])[0],
            }
        )
    return rows


def page(request, pk):
    profile = access.require_partner_user(request)
    partnership = access.get_partnership(request, pk)
    quarter = healthchecks.quarter_of(timezone.localdate())
    mine = list(
        HealthCheck.objects.filter(partnership=partnership, side="partner").order_by("-quarter")[
            : healthchecks.QUARTERS_SHOWN
        ]
    )
    current = next((c for c in mine if c.quarter == quarter), None)
    data = errors = None
    status = 200
    if request.method == "POST":
        try:
            healthchecks.save(
                partnership=partnership, side="partner", data=request.POST, by=request.user
            )
        except ValidationError as error:
            data, errors, status = request.POST, error.message_dict, 400
        else:
            messages.success(request, "Thank you: your health check for this quarter is saved.")
            return redirect(reverse("portal:healthcheck", args=[partnership.pk]))
    context = portal_context(
        request,
        profile,
        partnership=partnership,
        quarter=healthchecks.quarter_label(quarter),
        current=current,
        rows=form_rows(current, data, errors),
        errors=errors,
        history=[
            {"label": healthchecks.quarter_label(c.quarter), "check": c, "scores": c.scores()}
            for c in mine
        ],
        questions=QUESTIONS,
        action=reverse("portal:healthcheck", args=[partnership.pk]),
    )
    return render(request, "portal/healthcheck.html", context, status=status)


urlpatterns = [
    path("partnerships/<int:pk>/health-check/", page, name="healthcheck"),
]
