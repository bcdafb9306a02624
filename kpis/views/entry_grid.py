"""The fast entry grid: a few periods of many KPIs, saved cell by cell or at once."""

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from partnerships.ids import parse_id
from partnerships.models import Partnership
from partnerships.roles import is_executive

from .. import periods, services
from ..models import (
    Kpi,
    Measurement,
    Snapshot,
)
from ..numbers import number_rule
from .common import _kpi, _partnership

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
        pid = parse_id(request.GET.get("partnership") or request.POST.get("partnership"))
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
        "number_rule": number_rule(settings.DECIMAL_MARK),
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
            kpi = kpis[parse_id(kpi_pk)]
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
        kpi_pk = parse_id(request.POST.get("kpi"))
        period = date.fromisoformat(request.POST.get("period", ""))
    except ValueError:
        kpi_pk = None
    if kpi_pk is None:
        raise Http404("No such cell.")
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
