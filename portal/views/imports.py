from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path

from kpis import imports as kpi_imports
from kpis.forms import ImportUploadForm
from kpis.models import MeasurementImport

from .. import access, imports
from ..navigation import portal_context


def import_start(request):
    profile = access.require_partner_user(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = MeasurementImport.objects.create(
            uploaded_by=request.user, file=upload, original_name=upload.name, size=upload.size
        )
        imports.validate(batch, profile)
        return redirect("portal:import_detail", import_pk=batch.pk)
    kpis = imports.scope(profile).select_related("partnership").order_by("name")
    context = portal_context(
        request,
        profile,
        form=form,
        columns=kpi_imports.COLUMNS,
        kpis=list(kpis),
        max_rows=kpi_imports.async_rows(),
        max_mb=kpi_imports.max_bytes() // (1024 * 1024),
    )
    return render(request, "portal/import_start.html", context)


def _batch(request, pk):
    profile = access.require_partner_user(request)
    batch = MeasurementImport.objects.filter(pk=pk, uploaded_by=request.user).first()
    if batch is None:
        raise Http404("No such import.")
    return profile, batch


def import_detail(request, import_pk):
    profile, batch = _batch(request, import_pk)
    context = portal_context(request, profile, batch=batch, errors=batch.errors[:100])
    return render(request, "portal/import_detail.html", context)


def import_confirm(request, import_pk):
    profile, batch = _batch(request, import_pk)
    access.require_post(request)
    batch = imports.apply(batch, profile)
    if batch.state == MeasurementImport.State.DONE:
        messages.success(
            request,
            f"Imported: {batch.created_count} new values, {batch.corrected_count} corrections."
            + (f" {batch.message}" if batch.message else ""),
        )
        return redirect("portal:submissions")
    return redirect("portal:import_detail", import_pk=batch.pk)


urlpatterns = [
    path("import/", import_start, name="import_start"),
    path("import/<int:import_pk>/", import_detail, name="import_detail"),
    path("import/<int:import_pk>/confirm/", import_confirm, name="import_confirm"),
]
