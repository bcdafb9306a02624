"""Our side of the partner's work, on the partnership page: the actions partner contacts own,
the due-diligence questionnaire, the joint health check and the value ledger."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone

from governance.models import ActionItem, ChecklistItem
from kpis.models import CorrectiveAction
from partnerships import access as partnership_access
from partnerships import pagecache
from partnerships.ids import parse_id

from .. import charts, healthchecks, ledger, questionnaire
from ..models import ActionUpdate, HealthCheck, LedgerEntry
from ..models.healthchecks import QUESTIONS
from .healthcheck import form_rows
from .internal import _partnership
from .ledger import ledger_context


def _editable(request, pk):
    partnership = _partnership(request, pk)
    if not partnership_access.can_edit_partnership(request.user, partnership):
        raise PermissionDenied("You can see this partnership but not change it.")
    return partnership


def _back(partnership):
    return redirect(f"{partnership.get_absolute_url()}#panel-partner-work")


def health_chart(quarters):
    oldest_first = list(reversed(quarters))
    return charts.lines(
        [q["label"] for q in oldest_first],
        [
            (
                "Our side (average)",
                "line-ours",
                [healthchecks.average(q["ours"]) for q in oldest_first],
            ),
            (
                "The partner (average)",
                "line-partner",
                [healthchecks.average(q["partner"]) for q in oldest_first],
            ),
        ],
        low=1,
        high=5,
    )


def panel(request, pk):
    partnership = _partnership(request, pk)
    can_edit = partnership_access.can_edit_partnership(request.user, partnership)

    def context():
        today = timezone.localdate()
        items = list(
            ActionItem.objects.filter(partnership=partnership, owner_contact__isnull=False)
            .select_related("owner_contact")
            .order_by("-due_date")[:20]
        )
        corrective = list(
            CorrectiveAction.objects.filter(partnership=partnership, owner_contact__isnull=False)
            .select_related("owner_contact", "kpi")
            .order_by("-due_date")[:20]
        )
        notes = {}
        for u in ActionUpdate.objects.filter(action_item__in=items) | ActionUpdate.objects.filter(
            corrective_action__in=corrective
        ):
            key = ("item", u.action_item_id) if u.action_item_id else ("ca", u.corrective_action_id)
            notes.setdefault(key, u)  # newest first
        actions = [
            {
                "title": a.title,
                "owner": a.owner_contact.name,
                "due": a.due_date,
                "label": a.get_status_display(),
                "done": a.status == "done",
                "overdue": a.is_overdue(today),
                "update": notes.get(("item", a.pk)),
                "anchor": f"item-{a.pk}",
            }
            for a in items
        ] + [
            {
                "title": f"{a.kpi.name}: {a.description}",
                "owner": a.owner_contact.name,
                "due": a.due_date,
                "label": a.get_state_display(),
                "done": a.state == "done",
                "overdue": a.is_overdue(today),
                "update": notes.get(("ca", a.pk)),
                "anchor": f"corrective-{a.pk}",
            }
            for a in corrective
        ]
        dd_items = list(
            ChecklistItem.objects.filter(checklist__partnership=partnership)
            .select_related("partner_answer")
            .order_by("section", "order", "pk")
        )
        sent = [i for i in dd_items if i.answered_by_partner]
        counts = questionnaire.progress(sent)
        quarters = healthchecks.comparison(partnership)
        entries = list(LedgerEntry.objects.filter(partnership=partnership))
        rows = ledger.balance(entries)
        return {
            "partnership": partnership,
            "can_edit": can_edit,
            "actions": actions,
            "questions": sent,
            "unsent": [
                i
                for i in dd_items
                if not i.answered_by_partner and i.status in ("not_started", "in_progress")
            ],
            "counts": counts,
            "latest": quarters[0] if quarters else None,
            "health_chart": health_chart(quarters),
            "ledger_rows": rows[-4:],
            "ledger_pending": sum(
                e.state == LedgerEntry.State.PENDING and e.entered_side == "partner"
                for e in entries
            ),
            "widening": ledger.widening(rows),
        }

    return pagecache.panel(
        request, "portal/partner_work_panel.html", context, key=f"partner-work:{partnership.pk}"
    )


def send_question(request, pk):
    partnership = _editable(request, pk)
    if request.method != "POST":
        raise PermissionDenied("Use the form on the page.")
    item = get_object_or_404(
        ChecklistItem, pk=parse_id(request.POST.get("item")), checklist__partnership=partnership
    )
    send = request.POST.get("send") != "no"
    ChecklistItem.objects.filter(pk=item.pk).update(answered_by_partner=send)
    if send:
        messages.success(
            request, f"“{item.question}” is in {partnership.partner.name}'s questionnaire."
        )
    else:
        messages.success(request, f"“{item.question}” is no longer asked of the partner.")
    return _back(partnership)


def health_check(request, pk):
    partnership = _partnership(request, pk)
    can_edit = partnership_access.can_edit_partnership(request.user, partnership)
    quarter = healthchecks.quarter_of(timezone.localdate())
    current = HealthCheck.objects.filter(
        partnership=partnership, quarter=quarter, side="ours"
    ).first()
    data = errors = None
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("You can see this partnership but not change it.")
        try:
            healthchecks.save(
                partnership=partnership, side="ours", data=request.POST, by=request.user
            )
        except ValidationError as error:
            data, errors, status = request.POST, error.message_dict, 400
        else:
            messages.success(request, "Our side's health check for this quarter is saved.")
            return redirect(reverse("partner_access:healthcheck", args=[partnership.pk]))
    quarters = healthchecks.comparison(partnership)
    context = {
        "partnership": partnership,
        "can_edit": can_edit,
        "quarter": healthchecks.quarter_label(quarter),
        "current": current,
        "rows": form_rows(current, data, errors),
        "errors": errors,
        "quarters": quarters,
        "health_chart": health_chart(quarters),
        "questions": QUESTIONS,
        "action": reverse("partner_access:healthcheck", args=[partnership.pk]),
    }
    return render(request, "portal/internal_healthcheck.html", context, status=status)


def _decide_url(entry):
    return reverse("partner_access:ledger_decide", args=[entry.partnership_id, entry.pk])


def ledger_page(request, pk):
    partnership = _partnership(request, pk)
    can_edit = partnership_access.can_edit_partnership(request.user, partnership)
    data = errors = None
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("You can see this partnership but not change it.")
        try:
            ledger.add(partnership=partnership, side="ours", data=request.POST, by=request.user)
        except ValidationError as error:
            data, errors, status = request.POST, error.message_dict, 400
        else:
            messages.success(request, "Entry recorded; it counts once the partner confirms it.")
            return redirect(reverse("partner_access:ledger", args=[partnership.pk]))
    context = {
        "partnership": partnership,
        "can_edit": can_edit,
        "action": reverse("partner_access:ledger", args=[partnership.pk]),
        **ledger_context(partnership, "ours", data=data, errors=errors, decide_url=_decide_url),
    }
    return render(request, "portal/internal_ledger.html", context, status=status)


def ledger_decide(request, pk, entry_pk):
    partnership = _editable(request, pk)
    entry = get_object_or_404(LedgerEntry, pk=entry_pk, partnership=partnership)
    if request.method != "POST":
        raise PermissionDenied("Use the form on the page.")
    confirm = request.POST.get("decision") != "dispute"
    try:
        ledger.decide(
            entry=entry,
            side="ours",
            by=request.user,
            confirm=confirm,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Entry confirmed." if confirm else "Entry disputed.")
    return redirect(f"{reverse('partner_access:ledger', args=[partnership.pk])}#entry-{entry.pk}")


urlpatterns = [
    path("partnership/<int:pk>/partner-work/", panel, name="work_panel"),
    path(
        "partnership/<int:pk>/questionnaire/send/",
        send_question,
        name="questionnaire_send",
    ),
    path("partnership/<int:pk>/health-check/", health_check, name="healthcheck"),
    path("partnership/<int:pk>/ledger/", ledger_page, name="ledger"),
    path("partnership/<int:pk>/ledger/<int:entry_pk>/decide/", ledger_decide, name="ledger_decide"),
]
