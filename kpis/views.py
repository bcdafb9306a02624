import csv
import io
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from partnerships import access, pagecache
from partnerships.htmx import fragment
from partnerships.models import Partnership
from partnerships.roles import is_executive, is_manager

from . import imports, periods, selectors, services
from .forms import (
    AcknowledgeForm,
    AlertFilterForm,
    CheckpointForm,
    CorrectiveActionEditForm,
    CorrectiveActionForm,
    ImportUploadForm,
    KpiForm,
    MeasurementForm,
)
from .health import BANDS, FORMULA
from .maths import RULES
from .models import (
    Alert,
    Checkpoint,
    CorrectiveAction,
    Kpi,
    KpiTemplate,
    Measurement,
    MeasurementImport,
    MeasurementRevision,
    Snapshot,
)

PAGE_SIZE = 25


def _int(value):
    """An id from a query string, or None when it is not a number (never a 500)."""
    value = str(value or "").strip()
    return int(value) if value.isdigit() else None


def _partnership(request, pk, *, edit=False):
    queryset = Partnership.objects.select_related("partner", "owner")
    return access.get_partnership_for_user(request.user, pk, edit=edit, queryset=queryset)


def _kpi(request, pk, *, edit=False):
    try:
        kpi = (
            Kpi.objects.visible_to(request.user)
            .select_related("partnership__partner", "partnership__owner", "objective", "owner")
            .get(pk=pk)
        )
    except Kpi.DoesNotExist:
        raise Http404("No such KPI.") from None
    if edit and not services.can_edit_kpis(request.user, kpi.partnership):
        raise PermissionDenied("You can see this KPI but not change it.")
    return kpi


def _alert(request, pk):
    try:
        return (
            Alert.objects.visible_to(request.user)
            .select_related("kpi", "partnership__partner", "partnership__owner", "acknowledged_by")
            .get(pk=pk)
        )
    except Alert.DoesNotExist:
        raise Http404("No such alert.") from None


# Partnership panels --------------------------------------------------------------------------


def partnership_kpis(request, pk):
    partnership = _partnership(request, pk)

    def context():
        cards = selectors.kpi_cards(partnership, include_inactive=not request.htmx)
        return {
            "partnership": partnership,
            "cards": cards,
            "counts": selectors.status_counts(cards),
            "can_edit": services.can_edit_kpis(request.user, partnership),
            "has_objectives": partnership.objectives.exists(),
        }

    return pagecache.panel(
        request, "kpis/partnership_kpis.html", context, key=f"kpis:{partnership.pk}"
    )


def partnership_alerts(request, pk):
    partnership = _partnership(request, pk)

    def context():
        unresolved, resolved = selectors.alerts_for_partnership(
            partnership, resolved_limit=5 if request.htmx else 50
        )
        return {
            "partnership": partnership,
            "unresolved": unresolved,
            "resolved": resolved,
            "can_edit": services.can_edit_kpis(request.user, partnership),
            "can_acknowledge": is_executive(request.user)
            or partnership.owner_id == request.user.pk,
            "today": timezone.localdate(),
        }

    return pagecache.panel(
        request, "kpis/partnership_alerts.html", context, key=f"alerts:{partnership.pk}"
    )


def partnership_health(request, pk):
    partnership = _partnership(request, pk)

    def context():
        latest, trend = selectors.latest_health(partnership, points=18)
        return {
            "partnership": partnership,
            "health": latest,
            "trend": trend,
            "trend_scores": [h.score for h in trend],
            "formula": FORMULA,
            "bands": BANDS,
        }

    return pagecache.panel(
        request, "kpis/partnership_health.html", context, key=f"health:{partnership.pk}"
    )


# KPIs ---------------------------------------------------------------------------------------


def kpi_create(request, pk):
    partnership = _partnership(request, pk, edit=True)
    template = None
    initial = {"owner": request.user.pk}
    if request.GET.get("template", "").isdigit():
        template = KpiTemplate.objects.filter(pk=request.GET["template"], is_active=True).first()
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
    if request.GET.get("objective"):
        initial["objective"] = request.GET["objective"]
    form = KpiForm(request.POST or None, initial=initial, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            kpi = services.kpi_create(
                partnership=partnership,
                by=request.user,
                template=KpiTemplate.objects.filter(pk=_int(request.POST.get("template"))).first(),
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


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# Fast entry grid -----------------------------------------------------------------------------

GRID_PERIODS = {periods.WEEKLY: 8, periods.MONTHLY: 6, periods.QUARTERLY: 4}
GRID_PARTNERSHIPS = 5  # a page of "My partnerships": about 50 KPIs, 400 cells


def _grid_partnerships(request):
    editable = Partnership.objects.editable_by(request.user).select_related("partner")
    if is_executive(request.user):
        mine = editable.filter(owner=request.user) | editable.filter(team=request.user)
    else:
        mine = editable
    return editable.order_by("title"), mine.distinct().order_by("title")


def _grid(request, partnership_ids, *, entered=None, errors=None, today=None):
    """Sections by frequency: KPIs as rows, recent periods as columns, cell values."""
    today = today or timezone.localdate()
    entered, errors = entered or {}, errors or {}
    kpis = list(
        Kpi.objects.filter(partnership_id__in=partnership_ids, is_active=True)
        .select_related("partnership")
        .order_by("partnership__title", "name")
    )
    columns = {f: periods.recent_periods(f, n, today) for f, n in GRID_PERIODS.items()}
    earliest = min(p[0] for p in columns.values())
    values = {
        (m.kpi_id, m.period): m
        for m in Measurement.objects.filter(
            kpi__in=kpis, period__gte=earliest, grain=F("kpi__frequency")
        )
    }
    statuses = {
        (s.kpi_id, s.period): s.status
        for s in Snapshot.objects.filter(kpi__in=kpis, period__gte=earliest).only(
            "kpi_id", "period", "status"
        )
    }
    sections = []
    for frequency, label in (
        (periods.WEEKLY, "Weekly KPIs"),
        (periods.MONTHLY, "Monthly KPIs"),
        (periods.QUARTERLY, "Quarterly KPIs"),
    ):
        rows = []
        for kpi in (k for k in kpis if k.frequency == frequency):
            cells = []
            for period in columns[frequency]:
                key = (kpi.pk, period)
                measurement = values.get(key)
                cells.append(
                    {
                        "kpi": kpi,
                        "period": period,
                        "name": f"v-{kpi.pk}-{period.isoformat()}",
                        "saved": measurement.value if measurement else None,
                        "value": entered.get(key, _plain(measurement.value) if measurement else ""),
                        "error": errors.get(key, ""),
                        "status": statuses.get(key, ""),
                        "current": period == columns[frequency][-1],
                    }
                )
            rows.append({"kpi": kpi, "cells": cells})
        if rows:
            sections.append(
                {
                    "frequency": frequency,
                    "label": label,
                    "periods": columns[frequency],
                    "rows": rows,
                }
            )
    return sections


def _plain(value):
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


def entry_grid(request):
    editable, mine = _grid_partnerships(request)
    can_enter = editable.exists()
    chosen = None
    if request.GET.get("partnership") or request.POST.get("partnership"):
        pid = _int(request.GET.get("partnership") or request.POST.get("partnership"))
        if pid is None:
            raise Http404("No such partnership.")
        chosen = _partnership(request, pid, edit=request.method == "POST")
        if not services.can_edit_kpis(request.user, chosen):
            raise PermissionDenied("You cannot enter values for this partnership.")
        ids = [chosen.pk]
    else:
        # Executives see every partnership: they pick one unless they are on some teams. A
        # manager of many partnerships gets them a few at a time, not a grid of thousands.
        source = request.POST if request.method == "POST" else request.GET
        page = Paginator(list(mine.values_list("pk", flat=True)), GRID_PARTNERSHIPS).get_page(
            source.get("page")
        )
        ids = list(page.object_list)
    entered, errors, status = {}, {}, 200
    if request.method == "POST":
        if not can_enter:
            raise PermissionDenied("You cannot enter KPI values.")
        entered, errors, saved = _save_grid(request, ids)
        if not errors:
            messages.success(
                request,
                f"{saved} value{'s' if saved != 1 else ''} saved." if saved else "Nothing changed.",
            )
            url = reverse("kpis:entry_grid")
            if chosen:
                return redirect(f"{url}?partnership={chosen.pk}")
            return redirect(f"{url}?page={page.number}" if page.number > 1 else url)
        status = 422
    context = {
        "sections": _grid(request, ids, entered=entered, errors=errors),
        "partnerships": editable,
        "page": None if chosen else page,
        "cell_url": reverse("kpis:entry_cell"),
        "chosen": chosen,
        "can_enter": can_enter,
        "nothing_mine": not chosen and not ids,
        "error_count": len(errors),
    }
    return render(request, "kpis/entry_grid.html", context, status=status)


def _save_grid(request, partnership_ids):
    kpis = {
        k.pk: k
        for k in Kpi.objects.filter(
            partnership_id__in=partnership_ids, is_active=True
        ).select_related("partnership")
    }
    entered, errors, saved = {}, {}, 0
    for name, raw in request.POST.items():
        if not name.startswith("v-"):
            continue
        try:
            _, kpi_pk, day = name.split("-", 2)
            kpi = kpis[int(kpi_pk)]
            period = date.fromisoformat(day)
        except (ValueError, KeyError):
            continue
        original = request.POST.get(f"o-{kpi_pk}-{day}", "")
        raw = raw.strip()
        if raw == original.strip():
            continue
        key = (kpi.pk, period)
        entered[key] = raw
        if not raw:
            errors[key] = "A recorded value cannot be removed here; correct it instead."
            continue
        try:
            _, outcome = services.measurement_record(
                kpi=kpi, period=period, value=raw, by=request.user
            )
        except ValidationError as error:
            errors[key] = " ".join(error.messages)
        else:
            saved += outcome != "unchanged"
    return entered, errors, saved


@require_POST
def entry_cell(request):
    """Save one cell of the grid (HTMX) and answer with the cell."""
    try:
        kpi_pk = int(request.POST.get("kpi", ""))
        period = date.fromisoformat(request.POST.get("period", ""))
    except ValueError:
        raise Http404("No such cell.") from None
    kpi = _kpi(request, kpi_pk, edit=True)
    raw = request.POST.get(f"v-{kpi.pk}-{period.isoformat()}", "").strip()
    original = request.POST.get(f"o-{kpi.pk}-{period.isoformat()}", "").strip()
    error, outcome = "", None
    if raw and raw != original:
        try:
            measurement, outcome = services.measurement_record(
                kpi=kpi, period=period, value=raw, by=request.user
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    elif not raw and original:
        error = "A recorded value cannot be removed here; correct it instead."
    current = Measurement.objects.filter(kpi=kpi, grain=kpi.frequency, period=period).first()
    status = Snapshot.objects.filter(kpi=kpi, period=period).values_list("status", flat=True)
    cell = {
        "kpi": kpi,
        "period": period,
        "name": f"v-{kpi.pk}-{period.isoformat()}",
        "saved": current.value if current else None,
        "value": raw if error else (_plain(current.value) if current else ""),
        "error": error,
        "status": status.first() or "",
        "outcome": outcome,
        "current": period == kpi.current_period(),
    }
    # A validation error is part of the cell, not a failed request: HTMX swaps only 2xx.
    context = {"cell": cell, "cell_url": reverse("kpis:entry_cell")}
    return render(request, "kpis/entry_grid.html#cell", context)


# Imports ------------------------------------------------------------------------------------


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
        if imports.estimate_rows(content, upload.name) > imports.async_rows():
            from .tasks import validate_import

            transaction.on_commit(lambda: validate_import.delay(batch.pk))
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
    if not _can_import(request.user):
        raise PermissionDenied("Only executives and partner managers can import measurements.")
    kpis = (
        Kpi.objects.editable_by(request.user).filter(is_active=True).select_related("partnership")
    )
    if request.GET.get("partnership"):
        kpis = kpis.filter(partnership_id=_int(request.GET["partnership"]))
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
                kpi.get_unit_display(),
                kpi.get_frequency_display(),
                last.isoformat(),
                "",
                "",
            ]
        )
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "measurements"
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        for column, width in zip("ABCDEFGH", (8, 32, 32, 14, 12, 12, 12, 30), strict=True):
            sheet.column_dimensions[column].width = width
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="kpi-measurements.xlsx"'
        return response
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kpi-measurements.csv"'
    return response


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
        from .tasks import apply_import

        transaction.on_commit(lambda: apply_import.delay(batch.pk))
    else:
        batch = imports.run_apply(batch.pk)
        if batch.state == MeasurementImport.State.DONE:
            messages.success(
                request,
                f"Imported: {batch.created_count} new values, {batch.corrected_count} corrections.",
            )
    return redirect(batch)


@require_POST
def import_cancel(request, import_pk):
    batch = _import(request, import_pk)
    cancelled = MeasurementImport.objects.filter(
        pk=batch.pk, state__in=[MeasurementImport.State.READY, MeasurementImport.State.INVALID]
    ).update(state=MeasurementImport.State.CANCELLED, finished_at=timezone.now())
    if cancelled:
        messages.info(request, "Import cancelled; nothing was written.")
    return redirect("kpis:import_start")


# Alerts -------------------------------------------------------------------------------------


def alert_inbox(request):
    form = AlertFilterForm(request.GET or None, user=request.user)
    queryset = form.apply(selectors.inbox_queryset(request.user))
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    executive = is_executive(request.user)
    for alert in page.object_list:
        alert.can_acknowledge = alert.is_open and (
            executive or alert.partnership.owner_id == request.user.pk
        )
    context = {
        "form": form,
        "page": page,
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "today": timezone.localdate(),
    }
    return render(request, fragment(request, "kpis/alert_inbox.html", "results"), context)


def alert_detail(request, alert_pk):
    alert = _alert(request, alert_pk)
    story = selectors.alert_story(alert)
    timeline = _timeline(alert, story)
    context = {
        "alert": alert,
        "kpi": alert.kpi,
        "partnership": alert.partnership,
        "today": timezone.localdate(),
        "can_acknowledge": alert.is_open and services.can_acknowledge(request.user, alert),
        "can_edit": services.can_edit_kpis(request.user, alert.partnership),
        "ack_form": AcknowledgeForm(),
        "timeline": timeline,
        **story,
    }
    return render(request, "kpis/alert_detail.html", context)


def _timeline(alert, story):
    """Events and checkpoints in one story, oldest first."""
    items = [{"at": e.at, "event": e} for e in story["events"]]
    for action in story["actions"]:
        for cp in action.checkpoints.all():
            if cp.recorded_at:
                items.append({"at": cp.recorded_at, "checkpoint": cp, "action": action})
    return sorted(items, key=lambda item: item["at"])


@require_POST
def alert_acknowledge(request, alert_pk):
    alert = _alert(request, alert_pk)
    if not services.can_acknowledge(request.user, alert):
        raise PermissionDenied("Only executives and the partnership owner acknowledge alerts.")
    form = AcknowledgeForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            alert = services.alert_acknowledge(
                alert=alert, by=request.user, comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = "Say what is being done about it."
    if request.htmx:
        alert = selectors.inbox_queryset(request.user).get(pk=alert.pk)
        alert.can_acknowledge = alert.is_open and services.can_acknowledge(request.user, alert)
        context = {"alert": alert, "ack_error": error, "today": timezone.localdate()}
        # The row carries its own error message; HTMX only swaps 2xx answers.
        return render(request, "kpis/alert_inbox.html#row", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Alert acknowledged.")
    return redirect(request.POST.get("next") or alert.get_absolute_url())


def action_create(request, alert_pk):
    alert = _alert(request, alert_pk)
    if not services.can_edit_kpis(request.user, alert.partnership):
        raise PermissionDenied("You can see this alert but not act on it.")
    form = CorrectiveActionForm(request.POST or None, initial={"owner": request.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            form.create(alert=alert, by=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Corrective action added with its checkpoints.")
            return redirect(alert)
    return render(
        request,
        "partnerships/form.html",
        {
            "form": form,
            "title": f"Corrective action for {alert.kpi.name}",
            "cancel_url": alert.get_absolute_url(),
        },
    )


def action_edit(request, action_pk):
    action = get_object_or_404(
        CorrectiveAction.objects.filter(
            partnership__in=Partnership.objects.visible_to(request.user)
        ).select_related("alert__kpi", "partnership"),
        pk=action_pk,
    )
    if not services.can_edit_kpis(request.user, action.partnership):
        raise PermissionDenied("You can see this action but not change it.")
    form = CorrectiveActionEditForm(request.POST or None, instance=action)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(
                action=action,
                by=request.user,
                changes={name: form.cleaned_data[name] for name in form.changed_data},
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Corrective action saved.")
            return redirect(action.alert)
    return render(
        request,
        "partnerships/form.html",
        {
            "form": form,
            "title": "Edit corrective action",
            "cancel_url": action.alert.get_absolute_url(),
        },
    )


@require_POST
def checkpoint_record(request, checkpoint_pk):
    checkpoint = get_object_or_404(
        Checkpoint.objects.filter(
            action__partnership__in=Partnership.objects.visible_to(request.user)
        ).select_related("action__partnership", "action__alert"),
        pk=checkpoint_pk,
    )
    if not services.can_edit_kpis(request.user, checkpoint.action.partnership):
        raise PermissionDenied("You can see this checkpoint but not record it.")
    form = CheckpointForm(request.POST)
    form.is_valid()
    services.checkpoint_record(
        checkpoint=checkpoint, by=request.user, note=form.cleaned_data.get("note", "")
    )
    messages.success(request, "Checkpoint recorded from the KPI's latest result.")
    return redirect(checkpoint.action.alert)
