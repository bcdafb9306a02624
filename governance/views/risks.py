"""Risks: the partnership's register and the portfolio's heat map."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from partnerships.access import can_edit_partnership
from partnerships.htmx import fragment
from partnerships.models import Partnership

from .. import selectors, services
from ..forms import (
    RiskFilterForm,
    RiskForm,
)
from ..models import (
    Risk,
    RiskStatus,
)
from .common import PANEL_ROWS, _cached_panel, _partnership

PAGE_SIZE = 25


def _risks_context(request, partnership, *, full):
    today = timezone.localdate()
    risks = partnership.risks.all()
    open_risks = risks.exclude(status=RiskStatus.CLOSED)
    heat, total = selectors.heat_map(open_risks)
    top = list(open_risks.select_related("owner")[:PANEL_ROWS])
    for risk in top:
        risk.review_overdue = risk.is_review_overdue(today)
    context = {
        "partnership": partnership,
        "can_edit": can_edit_partnership(request.user, partnership),
        "heat": heat,
        "open_total": total,
        "top_risks": top,
        "review_overdue_count": open_risks.filter(review_date__lt=today).count(),
        "cell_url": reverse("governance:risks", kwargs={"pk": partnership.pk}),
        "today": today,
        "full": full,
    }
    if full:
        filters = RiskFilterForm(request.GET)
        page = Paginator(
            filters.apply(risks, today=today).select_related("owner"), PAGE_SIZE
        ).get_page(request.GET.get("page"))
        for risk in page.object_list:
            risk.review_overdue = risk.is_review_overdue(today)
        context.update({"filters": filters, "page": page, **_selected_cell(filters)})
    return context


def risks_panel(request, pk):
    return _cached_panel(request, pk, "risks", _risks_context)


def risk_form(request, pk, risk_pk=None):
    partnership = _partnership(request, pk, edit=request.method == "POST")
    risk = (
        get_object_or_404(Risk, pk=risk_pk, partnership=partnership)
        if risk_pk
        else Risk(partnership=partnership)
    )
    can_edit = can_edit_partnership(request.user, partnership)
    if not risk_pk and not can_edit:
        raise PermissionDenied("You can see this partnership but not change it.")
    form = RiskForm(request.POST or None, instance=risk, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        services.risk_save(
            risk=form.save(commit=False),
            by=request.user,
            note=form.cleaned_data.get("change_note", ""),
        )
        messages.success(request, "Risk saved.")
        return redirect("governance:risks", pk=partnership.pk)
    context = {
        "form": form,
        "partnership": partnership,
        "risk": risk if risk_pk else None,
        "history": risk.history.select_related("changed_by") if risk_pk else [],
        "can_edit": can_edit,
        "today": timezone.localdate(),
        "title": risk.title if risk_pk else "New risk",
    }
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "governance/risk_form.html", context, status=status)


def _selected_cell(filters):
    data = filters.cleaned_data if filters.is_valid() else {}
    return {"selected_l": data.get("likelihood"), "selected_i": data.get("impact")}


def portfolio_risks(request):
    today = timezone.localdate()
    visible = Partnership.objects.visible_to(request.user)
    risks = Risk.objects.filter(partnership__in=visible)
    heat, total = selectors.heat_map(risks.exclude(status=RiskStatus.CLOSED))
    filters = RiskFilterForm(request.GET)
    queryset = filters.apply(risks, today=today).select_related("owner", "partnership__partner")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    for risk in page.object_list:
        risk.review_overdue = risk.is_review_overdue(today)
    context = {
        "heat": heat,
        "open_total": total,
        "filters": filters,
        "page": page,
        "cell_url": reverse("governance:portfolio_risks"),
        "review_overdue_count": risks.exclude(status=RiskStatus.CLOSED)
        .filter(review_date__lt=today)
        .count(),
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "today": today,
        **_selected_cell(filters),
    }
    return render(request, fragment(request, "governance/portfolio_risks.html", "results"), context)
