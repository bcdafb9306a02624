"""A KPI's pages: create, edit, its detail and a measurement recorded by hand."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone

from partnerships.htmx import fragment
from partnerships.ids import parse_id

from .. import periods, services
from ..forms import (
    KpiForm,
    MeasurementForm,
)
from ..maths import RULES
from ..models import (
    KpiTemplate,
    MeasurementRevision,
)
from .common import _add_errors, _kpi, _partnership


def kpi_create(request, pk):
    partnership = _partnership(request, pk, edit=True)
    template = None
    initial = {"owner": request.user.pk}
    template_pk = parse_id(request.GET.get("template"))
    if template_pk:
        template = KpiTemplate.objects.filter(pk=template_pk, is_active=True).first()
        if template:
            initial.update(
                {
                    name: getattr(template, name)
                    for name in (
                        "name",
                        "description",
                        "unit",
                        "direction",
                        "frequency",
                        "aggregation",
                        "target",
                        "warning",
                        "critical",
                    )
                }
            )
    if parse_id(request.GET.get("objective")):
        initial["objective"] = parse_id(request.GET["objective"])
    form = KpiForm(request.POST or None, initial=initial, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            kpi = services.kpi_create(
                partnership=partnership,
                by=request.user,
                template=KpiTemplate.objects.filter(
                    pk=parse_id(request.POST.get("template"))
                ).first(),
                **data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"KPI “{kpi.name}” added.")
            return redirect(kpi)
    context = {
        "form": form,
        "partnership": partnership,
        "library": KpiTemplate.objects.filter(is_active=True),
        "template": template,
        "title": "New KPI",
    }
    return render(request, "kpis/kpi_form.html", context)


def kpi_edit(request, kpi_pk):
    kpi = _kpi(request, kpi_pk, edit=True)
    form = KpiForm(request.POST or None, instance=kpi, partnership=kpi.partnership)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.kpi_update(kpi=kpi, changes=form.changes(), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if version:
                messages.success(
                    request,
                    f"KPI saved as version {version.number}; it applies from "
                    f"{periods.period_label(version.effective_from, kpi.frequency)} on, earlier "
                    "periods keep their targets.",
                )
            else:
                messages.info(request, "Nothing changed.")
            return redirect(kpi)
    context = {
        "form": form,
        "partnership": kpi.partnership,
        "kpi": kpi,
        "title": f"Edit {kpi.name}",
        "current_period": periods.period_label(kpi.current_period(), kpi.frequency),
    }
    return render(request, "kpis/kpi_form.html", context)


def kpi_detail(request, kpi_pk):
    kpi = _kpi(request, kpi_pk)
    snapshots = list(kpi.snapshots.order_by("period"))
    measurements = Paginator(
        kpi.measurements.select_related("recorded_by", "import_batch").prefetch_related(
            Prefetch(
                "revisions",
                queryset=MeasurementRevision.objects.select_related("recorded_by", "replaced_by"),
            )
        ),
        24,
    ).get_page(request.GET.get("mpage"))
    context = {
        "kpi": kpi,
        "partnership": kpi.partnership,
        "snapshots": snapshots,
        "recent": snapshots[::-1][:24],
        "latest": snapshots[-1] if snapshots else None,
        "measurements": measurements,
        "versions": kpi.versions.select_related("changed_by"),
        "alerts": kpi.alerts.select_related("acknowledged_by")[:10],
        "can_edit": services.can_edit_kpis(request.user, kpi.partnership),
        "rules": RULES,
    }
    return render(request, fragment(request, "kpis/kpi_detail.html", "measurements"), context)


def measurement_create(request, kpi_pk):
    kpi = _kpi(request, kpi_pk, edit=True)
    today = timezone.localdate()
    default_period = kpi.current_period(today)
    if default_period == kpi.current_period(today) and request.method == "GET":
        default_period = periods.previous_period(default_period, kpi.frequency)
    form = MeasurementForm(
        request.POST or None,
        kpi=kpi,
        initial={"period": request.GET.get("period") or default_period.isoformat()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            _, outcome = services.measurement_record(
                kpi=kpi,
                period=form.cleaned_data["period"],
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"] or None,
                by=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                {
                    "created": "Value recorded.",
                    "corrected": "Value corrected; the previous value is kept in the history.",
                    "unchanged": "That value was already recorded; nothing changed.",
                }[outcome],
            )
            return redirect(kpi)
    return render(
        request,
        "partnerships/form.html",
        {
            "form": form,
            "title": f"Record {kpi.name}",
            "partnership": kpi.partnership,
        },
    )
