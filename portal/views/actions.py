from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from .. import access, partner_actions
from ..navigation import portal_context
from ..partner_actions import CORRECTIVE, ITEM, STATUSES


def _rows(actions, kind, profile, today):
    rows = []
    for action in actions:
        rows.append(
            {
                "kind": kind,
                "action": action,
                "title": action.title if kind == ITEM else action.description,
                "status": action.status if kind == ITEM else action.state,
                "label": (
                    action.get_status_display() if kind == ITEM else action.get_state_display()
                ),
                "open": action.is_open if kind == ITEM else action.state in action.OPEN_STATES,
                "overdue": action.is_overdue(today),
                "mine": action.owner_contact_id == profile.contact_id,
                "statuses": STATUSES[kind],
                "url": reverse(f"portal:{kind}_update", args=[action.pk]),
            }
        )
    return rows


def actions(request):
    profile = access.require_partner_user(request)
    today = timezone.localdate()
    rows = _rows(partner_actions.visible_items(profile), ITEM, profile, today) + _rows(
        partner_actions.visible_corrective(profile), CORRECTIVE, profile, today
    )
    rows.sort(key=lambda r: (not r["open"], not r["mine"], r["action"].due_date))
    alerts = partner_actions.open_alerts(profile)
    for alert in alerts:
        for a in alert.agreed_actions:
            a.owner_label = partner_actions.owner_label(a)
    context = portal_context(
        request,
        profile,
        rows=rows,
        alerts=alerts,
        open_mine=sum(r["open"] and r["mine"] for r in rows),
    )
    return render(request, "portal/actions.html", context)


def _update(request, kind, action_pk):
    action = partner_actions.get_action(request, kind, action_pk, change=True)
    access.require_post(request)
    try:
        partner_actions.update(
            action=action,
            kind=kind,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        label = dict(STATUSES[kind])[request.POST["status"]]
        messages.success(request, f"Status saved: {label.lower()}.")
    return redirect(f"{reverse('portal:actions')}#{kind}-{action.pk}")


def item_update(request, action_pk):
    return _update(request, ITEM, action_pk)


def corrective_update(request, action_pk):
    return _update(request, CORRECTIVE, action_pk)


urlpatterns = [
    path("actions/", actions, name="actions"),
    path("actions/items/<int:action_pk>/update/", item_update, name="item_update"),
    path("actions/corrective/<int:action_pk>/update/", corrective_update, name="corrective_update"),
]
