"""The spreadsheet import's pages: upload, template, preview, confirm, cancel."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from partnerships.exports import table_response
from partnerships.htmx import fragment
from partnerships.ids import parse_id
from partnerships.models import Partnership
from partnerships.roles import is_executive, is_manager

from .. import imports, periods
from ..forms import (
    ImportUploadForm,
)
from ..models import (
    Kpi,
    MeasurementImport,
)


def _can_import(user):
    return is_executive(user) or is_manager(user)


def import_start(request):
    if not _can_import(request.user):
        raise PermissionDenied("Only executives and partner managers can import measurements.")
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        upload.seek(0)
        batch = MeasurementImport.objects.create(
            uploaded_by=request.user, file=upload, original_name=upload.name, size=upload.size
        )
        if imports.check_off_request(content, upload.name):
            imports.queue(batch)
        else:
            imports.run_validation(batch.pk)
        return redirect(batch)
    context = {
        "form": form,
        "columns": imports.COLUMNS,
        "recent": MeasurementImport.objects.filter(uploaded_by=request.user)[:10],
        "max_rows": imports.max_rows(),
        "max_mb": imports.max_bytes() // (1024 * 1024),
        "partnerships": Partnership.objects.editable_by(request.user)
        .filter(pk__in=Kpi.objects.filter(is_active=True).values("partnership_id"))
        .order_by("title"),
    }
    return render(request, "kpis/import_start.html", context)


def import_template(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404("The template comes as .csv or .xlsx.")
    if not _can_import(request.user):
        raise PermissionDenied("Only executives and partner managers can import measurements.")
    kpis = (
        Kpi.objects.editable_by(request.user).filter(is_active=True).select_related("partnership")
    )
    if request.GET.get("partnership"):
        kpis = kpis.filter(partnership_id=parse_id(request.GET["partnership"]))
    header = ["kpi_id", "partnership", "kpi", "unit", "frequency", "period", "value", "note"]
    today = timezone.localdate()
    rows = []
    for kpi in kpis.order_by("partnership__title", "name")[:5000]:
        last = periods.previous_period(kpi.current_period(today), kpi.frequency)
        rows.append(
            [
                kpi.pk,
                kpi.partnership.title,
                kpi.name,
                kpi.unit_label,
                kpi.get_frequency_display(),
                last.isoformat(),
                "",
                "",
            ]
        )
    return table_response(
        [header, *rows],
        fmt=fmt,
        filename="kpi-measurements",
        sheet="measurements",
        widths=(8, 32, 32, 14, 12, 12, 12, 30),
        dated=False,
    )


def _import(request, pk):
    batch = MeasurementImport.objects.filter(pk=pk, uploaded_by=request.user).first()
    if batch is None:
        raise Http404("No such import.")
    return batch


def import_detail(request, import_pk):
    batch = _import(request, import_pk)
    errors = Paginator(batch.errors, 100).get_page(request.GET.get("page"))
    context = {
        "batch": batch,
        "errors": errors,
        "progress": imports.current_progress(batch),
        "summary": batch.summary,
        "columns": imports.COLUMNS,
    }
    return render(request, fragment(request, "kpis/import_detail.html", "status"), context)


@require_POST
def import_confirm(request, import_pk):
    batch = _import(request, import_pk)
    if not imports.confirm(batch):
        messages.warning(request, "This import is not waiting for confirmation.")
        return redirect(batch)
    if batch.total_rows > imports.async_rows():
        imports.queue(batch)
    else:
        batch = imports.run_apply(batch.pk, batch.attempts)
        if batch.state == MeasurementImport.State.DONE:
            messages.success(
                request,
                f"Imported: {batch.created_count} new values, {batch.corrected_count} corrections.",
            )
    return redirect(batch)


@require_POST
def import_cancel(request, import_pk):
    batch = _import(request, import_pk)
    was = imports.cancel(batch)
    if was is None:
        batch.refresh_from_db()
        messages.warning(
            request,
            f"Too late to cancel: this import had already ended ({batch.get_state_display()}).",
        )
        return redirect(batch)
    if was in MeasurementImport.BUSY_STATES:
        messages.info(
            request,
            "Import cancelled. The worker stops at its next step; nothing was written and "
            "nothing will be.",
        )
        return redirect(batch)
    messages.info(request, "Import cancelled; nothing was written.")
    return redirect("kpis:import_start")
