"""The partner's entry grid: our grid (kpis.views.entry_grid._grid and its cell partial) for
the KPIs assigned to the partner's side, written through portal.submissions."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse

from kpis.models import Measurement, Snapshot
from kpis.views.entry_grid import _grid, _plain
from partnerships.ids import parse_id

from .. import access, submissions
from ..models import Submission
from ..navigation import portal_context

# A value waiting for our acceptance is shown as such (cell.pending), not as saved.
OUTCOME_NOTE = {"created": "created", "corrected": "corrected"}


def _kpi_ids(profile):
    return set(
        access.enterable_kpis(access.partnerships_for(profile).values("pk")).values_list(
            "pk", flat=True
        )
    )


def _sections(request, profile, *, entered=None, errors=None):
    ids = list(access.partnerships_for(profile).values_list("pk", flat=True))
    enterable = _kpi_ids(profile)
    pending = {
        (s.kpi_id, s.period): s
        for s in Submission.objects.filter(kpi_id__in=enterable, state=Submission.State.PENDING)
    }
    sections = []
    for section in _grid(request, ids, entered=entered, errors=errors):
        section["rows"] = [r for r in section["rows"] if r["kpi"].pk in enterable]
        for row in section["rows"]:
            for cell in row["cells"]:
                waiting = pending.get((cell["kpi"].pk, cell["period"]))
                if waiting and not cell["error"]:
                    cell["value"] = _plain(waiting.value)
                    cell["saved"] = waiting.value
                    cell["pending"] = True
        if section["rows"]:
            sections.append(section)
    return sections


def entry(request):
    profile = access.require_partner_user(request)
    entered, errors, status = {}, {}, 200
    if request.method == "POST":
        entered, errors, saved = _save(request, profile)
        if not errors:
            messages.success(
                request,
                f"{saved} value{'s' if saved != 1 else ''} sent." if saved else "Nothing changed.",
            )
            return redirect("portal:entry")
        status = 422
    context = portal_context(
        request,
        profile,
        sections=_sections(request, profile, entered=entered, errors=errors),
        cell_url=reverse("portal:entry_cell"),
        error_count=len(errors),
        kpi_links_off=True,
    )
    return render(request, "portal/entry.html", context, status=status)


def _save(request, profile):
    kpis = {k.pk: k for k in access.enterable_kpis(access.partnerships_for(profile).values("pk"))}
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
        raw = raw.strip()
        if raw == request.POST.get(f"o-{kpi_pk}-{day}", "").strip():
            continue
        key = (kpi.pk, period)
        entered[key] = raw
        if not raw:
            errors[key] = "A sent value cannot be removed here; correct it instead."
            continue
        try:
            _, outcome = submissions.submit(kpi=kpi, period=period, raw=raw, by=request.user)
        except ValidationError as error:
            errors[key] = " ".join(error.messages)
        else:
            saved += outcome != "unchanged"
    return entered, errors, saved


def entry_cell(request):
    """Save one cell (HTMX) and answer with the cell, the same partial as our grid."""
    access.require_partner_user(request)
    data = request.POST if request.method == "POST" else request.GET
    try:
        kpi_pk = parse_id(data.get("kpi"))
        period = date.fromisoformat(data.get("period", ""))
    except ValueError:
        kpi_pk = None
    if kpi_pk is None:
        raise Http404("No such cell.")
    kpi = access.get_kpi(request, kpi_pk, enter=True)
    access.require_post(request)
    name = f"v-{kpi.pk}-{period.isoformat()}"
    raw = request.POST.get(name, "").strip()
    original = request.POST.get(f"o-{kpi.pk}-{period.isoformat()}", "").strip()
    error, outcome = "", None
    if raw and raw != original:
        try:
            _, outcome = submissions.submit(kpi=kpi, period=period, raw=raw, by=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    elif not raw and original:
        error = "A sent value cannot be removed here; correct it instead."
    waiting = Submission.objects.filter(
        kpi=kpi, period=period, state=Submission.State.PENDING
    ).first()
    current = (
        waiting or Measurement.objects.filter(kpi=kpi, grain=kpi.frequency, period=period).first()
    )
    status = Snapshot.objects.filter(kpi=kpi, period=period).values_list("status", flat=True)
    cell = {
        "kpi": kpi,
        "period": period,
        "name": name,
        "saved": current.value if current else None,
        "value": raw if error else (_plain(current.value) if current else ""),
        "error": error,
        "status": status.first() or "",
        "outcome": OUTCOME_NOTE.get(outcome),
        "pending": waiting is not None,
        "current": period == kpi.current_period(),
    }
    context = {"cell": cell, "cell_url": reverse("portal:entry_cell")}
    return render(request, "kpis/entry_grid.html#cell", context)


def submissions_list(request):
    profile = access.require_partner_user(request)
    rows = (
        Submission.objects.filter(
            kpi__in=access.enterable_kpis(access.partnerships_for(profile).values("pk"))
        )
        .select_related("kpi__partnership")
        .order_by("-submitted_at", "-pk")[:100]
    )
    return render(
        request, "portal/submissions.html", portal_context(request, profile, rows=list(rows))
    )


urlpatterns = [
    path("entry/", entry, name="entry"),
    path("entry/cell/", entry_cell, name="entry_cell"),
    path("submissions/", submissions_list, name="submissions"),
]
