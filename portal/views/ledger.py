from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from partnerships.conversion import RateHistory
from partnerships.currencies import CHOICES, reporting_currency

from .. import access, charts, ledger
from ..models import LedgerEntry
from ..navigation import portal_context


def ledger_context(partnership, side, *, data=None, errors=None, decide_url=None):
    """What both sides' ledger views show: entries, the balance by quarter, the chart."""
    entries = ledger.recent_entries(partnership)
    rates = RateHistory({e.currency for e in entries})
    rows = ledger.balance(entries, rates)
    for e in entries:
        e.to_confirm = e.state == LedgerEntry.State.PENDING and e.entered_side != side
        e.decide_url = decide_url(e)
    chart = charts.lines(
        [r["label"] for r in rows],
        [
            (
                f"Delivered by {partnership.partner.name}",
                "line-partner",
                [r["to_us"] for r in rows],
            ),
            (
                f"Delivered to {partnership.partner.name}",
                "line-ours",
                [r["to_partner"] for r in rows],
            ),
            ("Cumulative balance", "line-net", [r["net"] for r in rows]),
        ],
    )
    return {
        "entries": entries,
        "balance_rows": rows,
        "chart": chart,
        "widening": ledger.widening(rows),
        "kinds": LedgerEntry.Kind.choices,
        "currencies": CHOICES,
        "reporting": reporting_currency(),
        "unconverted": ledger.unconverted(entries, rates),
        "form": data
        or {"occurred_on": timezone.localdate().isoformat(), "currency": reporting_currency()},
        "errors": errors or {},
        "side": side,
    }


def _decide_url(entry):
    return reverse("portal:ledger_decide", args=[entry.pk])


def page(request, pk):
    profile = access.require_partner_user(request)
    partnership = access.get_partnership(request, pk)
    data = errors = None
    status = 200
    if request.method == "POST":
        try:
            ledger.add(partnership=partnership, side="partner", data=request.POST, by=request.user)
        except ValidationError as error:
            data, errors, status = request.POST, error.message_dict, 400
        else:
            messages.success(request, "Entry recorded; it counts once our side confirms it.")
            return redirect(reverse("portal:ledger", args=[partnership.pk]))
    context = portal_context(
        request,
        profile,
        partnership=partnership,
        action=reverse("portal:ledger", args=[partnership.pk]),
        **ledger_context(partnership, "partner", data=data, errors=errors, decide_url=_decide_url),
    )
    return render(request, "portal/ledger.html", context, status=status)


def _entry(request, entry_pk):
    profile = access.require_partner_user(request)
    entry = (
        LedgerEntry.objects.filter(partnership__in=access.partnerships_for(profile))
        .filter(pk=entry_pk)
        .first()
    )
    if entry is None:
        raise Http404("No such entry.")
    return entry


def decide(request, entry_pk):
    entry = _entry(request, entry_pk)
    access.require_post(request)
    confirm = request.POST.get("decision") != "dispute"
    try:
        ledger.decide(
            entry=entry,
            side="partner",
            by=request.user,
            confirm=confirm,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Entry confirmed." if confirm else "Entry disputed.")
    return redirect(f"{reverse('portal:ledger', args=[entry.partnership_id])}#entry-{entry.pk}")


urlpatterns = [
    path("partnerships/<int:pk>/ledger/", page, name="ledger"),
    path("ledger/<int:entry_pk>/decide/", decide, name="ledger_decide"),
]
