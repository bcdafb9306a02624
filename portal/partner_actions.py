"""The actions a partner contact owns: governance action items and KPI corrective actions.

A partner user sees the partner-side actions of the partnerships they were given (so a
colleague's action is visible) and changes only their own (403 otherwise). Due-date reminders
go through the outbox, once per (action, due date, reminder day)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from governance.models import OPEN_ACTION, ActionItem, ActionStatus
from kpis.models import Alert, CorrectiveAction
from outbox.services import enqueue_email

from . import access
from .models import ActionUpdate

REMINDER_DAYS = (7, 1, 0)  # days before the due date
NOTE_MAX = 2000
ITEM = "item"
CORRECTIVE = "corrective"
STATUSES = {
    ITEM: [(s.value, s.label) for s in ActionStatus],
    CORRECTIVE: [(s.value, s.label) for s in CorrectiveAction.State],
}
DONE = {ITEM: ActionStatus.DONE, CORRECTIVE: CorrectiveAction.State.DONE}


def visible_items(profile):
    return ActionItem.objects.filter(
        partnership__in=access.partnerships_for(profile),
        owner_contact__partner_id=profile.partner_id,
    ).select_related("partnership", "owner_contact")


def visible_corrective(profile):
    return CorrectiveAction.objects.filter(
        access.shared_kpi_filter_on("kpi"),
        partnership__in=access.partnerships_for(profile),
        owner_contact__partner_id=profile.partner_id,
    ).select_related("partnership", "kpi", "owner_contact")


def get_action(request, kind, pk, *, change=False):
    """The action, or 404 if the partner user may not see it; 403 if it is not theirs."""
    profile = access.require_partner_user(request)
    queryset = visible_items(profile) if kind == ITEM else visible_corrective(profile)
    action = queryset.filter(pk=pk).first()
    if action is None:
        raise Http404("No such action.")
    if change and action.owner_contact_id != profile.contact_id:
        raise PermissionDenied("This action belongs to a colleague; only its owner updates it.")
    return action


def update(*, action, kind, status, note, by):
    """Set the status of a partner-owned action and record the note. Raises ValidationError."""
    note = (note or "").strip()
    allowed = dict(STATUSES[kind])
    if status not in allowed:
        raise ValidationError(f"Choose a status: {', '.join(allowed.values())}.")
    if len(note) > NOTE_MAX:
        raise ValidationError(f"Keep the note under {NOTE_MAX} characters ({len(note)} now).")
    current = action.status if kind == ITEM else action.state
    if status == current and not note:
        raise ValidationError("Change the status or add a note.")
    now = timezone.now()
    with transaction.atomic():
        completed = now if status == DONE[kind] else None
        if kind == ITEM:
            ActionItem.objects.filter(pk=action.pk).update(status=status, completed_at=completed)
            action.status = status
        else:
            fields = {"state": status, "completed_at": completed}
            if note and status == DONE[kind]:
                fields["outcome"] = note
            CorrectiveAction.objects.filter(pk=action.pk).update(**fields)
            action.state = status
        ActionUpdate.objects.create(
            action_item=action if kind == ITEM else None,
            corrective_action=action if kind == CORRECTIVE else None,
            status=status,
            note=note,
            by=by,
            created_at=now,
        )
    return action


def open_alerts(profile):
    """Open alerts on shared KPIs of the partner's partnerships, each with the corrective
    actions agreed on it (never our acknowledgement note)."""
    alerts = list(
        Alert.objects.filter(
            access.shared_kpi_filter_on("kpi"),
            partnership__in=access.partnerships_for(profile),
        )
        .exclude(state="resolved")
        .select_related("kpi", "partnership")
        .order_by("-opened_at")[:50]
    )
    actions = {}
    for a in CorrectiveAction.objects.filter(alert__in=alerts).select_related(
        "owner", "owner_contact"
    ):
        actions.setdefault(a.alert_id, []).append(a)
    for alert in alerts:
        alert.agreed_actions = actions.get(alert.pk, [])
    return alerts


def owner_label(action):
    """Who owns an action, as the partner may read it (a name, never an internal email)."""
    if action.owner_contact_id:
        return action.owner_contact.name
    if action.owner_id:
        return action.owner.get_full_name() or "Our team"
    return "—"


# Reminders -----------------------------------------------------------------------------------


def due_reminders(today=None):
    """Email each partner owner of an open action due in 7 days, tomorrow or today; each
    reminder is keyed so a second run (or a retried task) sends nothing twice. Returns how
    many reminders are due today (sent now or earlier)."""
    today = today or timezone.localdate()
    dates = {today + timezone.timedelta(days=d): d for d in REMINDER_DAYS}
    rows = [
        (ITEM, a)
        for a in ActionItem.objects.filter(
            owner_contact__isnull=False, status__in=OPEN_ACTION, due_date__in=dates
        ).select_related("partnership", "owner_contact")
    ] + [
        (CORRECTIVE, a)
        for a in CorrectiveAction.objects.filter(
            owner_contact__isnull=False,
            state__in=CorrectiveAction.OPEN_STATES,
            due_date__in=dates,
        ).select_related("partnership", "owner_contact", "kpi")
    ]
    written = 0
    for kind, action in rows:
        email = action.owner_contact.email
        if not email:
            continue
        days = dates[action.due_date]
        title = action.title if kind == ITEM else action.description
        when = {0: "today", 1: "tomorrow"}.get(days, f"in {days} days")
        context = {"action": action, "title": title, "when": when, "kind": kind}
        with transaction.atomic():
            enqueue_email(
                to=email,
                subject=f"Due {when}: {title[:80]}",
                text=render_to_string("emails/portal/action_reminder.txt", context),
                key=f"portal-action-reminder:{kind}:{action.pk}:{action.due_date}:{days}",
            )
        written += 1
    return written
