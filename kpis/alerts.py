"""Alert opening, escalation and resolution, and the emails they send.

The rule (``transition``) is a plain function of the open alert's severity and the KPI's latest
status. Applying it is set-based and safe under concurrency: opening is an INSERT that the
partial unique index turns into a no-op when another recompute opened the alert first, and
every other move is a conditional UPDATE that only one writer can win. Each writer records
events (and emails) only for the rows it changed, so an event and its email exist exactly once,
and a recompute that changes nothing adds nothing. Every email leaves through the outbox, one
message per recipient written in the transaction of the move. The moves, their events and their
notifications are one statement, whatever the number of KPIs (queries/alert_moves.py).
"""

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from outbox.models import Message
from outbox.origins import origin_of
from outbox.services import enqueue_emails, recipient_key

from . import alert_hooks, escalation, maths
from .models import AlertEvent, AlertNotification, Checkpoint, Status
from .queries.alert_moves import (
    ESCALATE,
    IMPROVE,
    OPEN,
    RESOLVE,
    Move,
    apply_moves,
)
from .queries.snapshot_reads import due_checkpoints_reference as read_due_checkpoints
from .queries.snapshot_reads import open_alerts_reference as read_open_alerts

RECOVERED = "Back on track."
DEACTIVATED = "The KPI was deactivated."


def transition(open_severity, status):
    """What the latest status does to a KPI's alert: OPEN, ESCALATE, IMPROVE, RESOLVE or None.

    ``open_severity`` is the open alert's severity (None when there is no open alert). No data
    changes nothing: a missing value is neither a breach nor a recovery.
    """
    if status not in maths.SCORED:
        return None
    if open_severity is None:
        return OPEN if status in (Status.AT_RISK, Status.OFF_TRACK) else None
    if status == Status.ON_TRACK:
        return RESOLVE
    if status == open_severity:
        return None
    return ESCALATE if maths.worse(status, open_severity) else IMPROVE


def moves(*, active_ids, inactive_ids, latest, open_alerts):
    """The transitions the latest statuses call for, given the open alerts."""
    out = []
    for kpi_id in active_ids:
        state = latest.get(kpi_id) or {}
        alert = open_alerts.get(kpi_id)
        move = transition(alert and alert["severity"], state.get("status"))
        if move is None:
            continue
        out.append(
            Move(
                kpi_id=kpi_id,
                alert_id=alert and alert["id"],
                move=move,
                partnership_id=state["partnership_id"],
                severity=state["status"] if move == OPEN else "",
                period=state["period"],
                value=state["value"],
                resolution=RECOVERED if move == RESOLVE else "",
            )
        )
    for kpi_id in inactive_ids:
        if kpi_id in open_alerts:
            alert = open_alerts[kpi_id]
            out.append(
                Move(kpi_id=kpi_id, alert_id=alert["id"], move=RESOLVE, resolution=DEACTIVATED)
            )
    return out


def evaluate(*, active_ids, inactive_ids, latest, now, notify=True, open_alerts=None):
    """Apply the alert rule to these KPIs. Returns the AlertEvent ids it created.

    ``open_alerts`` is what ``read_open_alerts`` gives, when the caller read it already. The
    emails of the new notifications are written to the outbox in the caller's transaction, so
    an alert event and its emails exist together or not at all.
    """
    if not (active_ids or inactive_ids):
        return []
    if open_alerts is None:
        open_alerts = read_open_alerts(list(active_ids) + list(inactive_ids))
    todo = moves(
        active_ids=active_ids, inactive_ids=inactive_ids, latest=latest, open_alerts=open_alerts
    )
    if not todo:
        return []
    event_ids, notification_ids = apply_moves(todo, now=now, notify=notify)
    if notify and notification_ids:
        enqueue_notifications(notification_ids)
    if notify:
        # Chat channels and other systems hear of it in the same transaction as the emails.
        alert_hooks.emit(event_ids)
    return event_ids


# Emails --------------------------------------------------------------------------------------

ORIGIN = "alert-notification"


def _context(notification):
    event = notification.event
    alert = event.alert
    kpi = alert.kpi
    return {
        "event": event,
        "alert": alert,
        "kpi": kpi,
        "partnership": alert.partnership,
        "escalated": event.kind == AlertEvent.Kind.ESCALATED,
        "url": settings.SITE_URL + reverse("kpis:alert_detail", args=[alert.pk]),
        "inbox_url": settings.SITE_URL + reverse("kpis:alert_inbox"),
    }


def render_email(notification):
    context = _context(notification)
    subject = " ".join(render_to_string("emails/kpis/alert_subject.txt", context).split())
    text = render_to_string("emails/kpis/alert_body.txt", context)
    html = render_to_string("emails/kpis/alert_body.html", context)
    return subject, text, html


def enqueue_notifications(notification_ids):
    """Write one outbox email per recipient of these pending notifications, in the caller's
    transaction and in one statement. Idempotent: a recipient already written (or already
    served before the outbox carried these emails) is skipped. Returns how many notifications
    were written."""
    notifications = AlertNotification.objects.select_related(
        "event__alert__kpi",
        "event__alert__partnership__owner",
        "event__alert__partnership__partner",
    ).filter(pk__in=list(notification_ids), state=AlertNotification.State.PENDING)
    notifications = list(notifications.order_by("pk"))
    _follow_escalation_paths(notifications)
    emails, empty = [], []
    for notification in notifications:
        origin = origin_of(ORIGIN, notification.pk)
        delivered = set(notification.delivered or [])
        todo = [a for a in notification.recipients if a and a not in delivered]
        if not todo:
            empty.append(notification.pk)
            continue
        subject, text, html = render_email(notification)
        emails += [
            {
                "to": address,
                "subject": subject,
                "text": text,
                "html": html,
                "key": recipient_key(origin, address),
                "origin": origin,
            }
            for address in todo
        ]
    enqueue_emails(emails)
    if empty:
        # Nobody (left) to write to: there is nothing to wait for.
        AlertNotification.objects.filter(pk__in=empty).update(
            state=AlertNotification.State.SENT, sent_at=timezone.now()
        )
    return len({email["origin"] for email in emails})


def _follow_escalation_paths(notifications):
    """Address each notification not yet served along its partnership's escalation path."""
    fresh = [n for n in notifications if not n.delivered]
    addressed = escalation.recipients_for(fresh)
    changed = []
    for notification in fresh:
        chosen = addressed[notification.pk]
        if chosen != notification.recipients:
            notification.recipients = chosen
            changed.append(notification)
    if changed:
        AlertNotification.objects.bulk_update(changed, ["recipients"])


def enqueue_unqueued():
    """Pending notifications with no outbox email yet: those recorded (or interrupted) before
    the outbox carried alert emails. Writes their emails; the number of notifications."""
    written = Message.objects.filter(
        origin=Concat(Value(f"{ORIGIN}:"), Cast(OuterRef("pk"), CharField()))
    )
    ids = list(
        AlertNotification.objects.filter(state=AlertNotification.State.PENDING)
        .filter(~Exists(written))
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        return enqueue_notifications(ids)


def apply_outcome(pk, outcome):
    """A notification follows its emails: sent when every recipient was served, failed when one
    email failed for good (the outbox admin retries it), pending meanwhile."""
    notification = AlertNotification.objects.get(pk=pk)
    delivered = sorted(set(notification.delivered or []) | set(outcome.delivered_to))
    AlertNotification.objects.filter(pk=pk).update(
        state=outcome.status,
        delivered=delivered,
        attempts=outcome.attempts,
        last_error=outcome.last_error[:2000],
        sent_at=outcome.sent_at,
    )


# Checkpoints ---------------------------------------------------------------------------------


def record_due_checkpoints(*, kpi_ids, latest, today, now, due=None):
    """Record, for checkpoints now due, whether their KPI has recovered (on track).

    ``due`` is what ``read_due_checkpoints`` gives, when the caller read it already.
    """
    if not kpi_ids:
        return 0
    if due is None:
        due = read_due_checkpoints(kpi_ids, today)
    updates = []
    for pk, kpi_id in due:
        state = latest.get(kpi_id)
        if state is None:
            continue
        updates.append(
            Checkpoint(
                pk=pk,
                recorded_at=now,
                status=state["status"],
                value=state["value"],
                recovered=None
                if state["status"] == Status.NO_DATA
                else state["status"] == Status.ON_TRACK,
                note="Recorded automatically from the latest snapshot.",
            )
        )
    if updates:
        Checkpoint.objects.bulk_update(
            updates, ["recorded_at", "status", "value", "recovered", "note"]
        )
    return len(updates)
