"""Alert opening, escalation and resolution, and the emails they send.

The rule (``transition``) is a plain function of the open alert's severity and the KPI's latest
status. Applying it is set-based and safe under concurrency: opening is an INSERT that the
partial unique index turns into a no-op when another recompute opened the alert first, and
every other move is a conditional UPDATE that only one writer can win. Each writer then reads
back the rows carrying its own ``change_token`` and records events (and emails) only for those,
so an event and its email exist exactly once, and a recompute that changes nothing adds nothing.
"""

import logging
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.db.models import Case, DateField, F, Q, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Partnership
from partnerships.roles import EXECUTIVE

from . import maths
from .models import Alert, AlertEvent, AlertNotification, Checkpoint, Severity, Status

log = logging.getLogger(__name__)

OPEN, ESCALATE, IMPROVE, RESOLVE = "open", "escalate", "improve", "resolve"
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


def executives():
    users = get_user_model().objects.filter(is_active=True)
    return list(
        users.filter(Q(groups__name=EXECUTIVE) | Q(is_superuser=True))
        .exclude(email="")
        .distinct()
        .values_list("pk", "email")
    )


def evaluate(*, active_ids, inactive_ids, latest, now, notify=True):
    """Apply the alert rule to these KPIs. Returns the AlertEvent ids it created."""
    scope = list(active_ids) + list(inactive_ids)
    if not scope:
        return []
    open_alerts = {
        a["kpi_id"]: a
        for a in Alert.objects.filter(kpi_id__in=scope, resolved_at__isnull=True).values(
            "id", "kpi_id", "severity"
        )
    }
    token = uuid.uuid4().hex
    to_open, escalate, improve, resolve = [], [], [], {}
    for kpi_id in active_ids:
        state = latest.get(kpi_id)
        alert = open_alerts.get(kpi_id)
        move = transition(alert and alert["severity"], state and state["status"])
        if move == OPEN:
            to_open.append(
                Alert(
                    kpi_id=kpi_id,
                    partnership_id=state["partnership_id"],
                    severity=state["status"],
                    peak_severity=state["status"],
                    opened_at=now,
                    opened_period=state["period"],
                    opened_value=state["value"],
                    change_token=f"{token}:{OPEN}",
                )
            )
        elif move == ESCALATE:
            escalate.append(alert["id"])
        elif move == IMPROVE:
            improve.append(alert["id"])
        elif move == RESOLVE:
            resolve[alert["id"]] = (state["period"], RECOVERED)
    for kpi_id in inactive_ids:
        if kpi_id in open_alerts:
            resolve[open_alerts[kpi_id]["id"]] = (None, DEACTIVATED)

    if to_open:
        # The partial unique index makes a concurrent second opening a silent no-op.
        Alert.objects.bulk_create(to_open, ignore_conflicts=True)
    if escalate:
        Alert.objects.filter(
            pk__in=escalate, severity=Severity.AT_RISK, resolved_at__isnull=True
        ).update(
            severity=Severity.OFF_TRACK,
            peak_severity=Severity.OFF_TRACK,
            escalated_at=now,
            state=Alert.State.OPEN,
            change_token=f"{token}:{ESCALATE}",
        )
    if improve:
        Alert.objects.filter(
            pk__in=improve, severity=Severity.OFF_TRACK, resolved_at__isnull=True
        ).update(severity=Severity.AT_RISK, change_token=f"{token}:{IMPROVE}")
    recovered = {pk: period for pk, (period, _) in resolve.items() if period is not None}
    if recovered:
        Alert.objects.filter(pk__in=list(recovered), resolved_at__isnull=True).update(
            state=Alert.State.RESOLVED,
            resolved_at=now,
            resolved_period=Case(
                *[
                    When(pk=pk, then=Value(period, output_field=DateField()))
                    for pk, period in recovered.items()
                ],
                output_field=DateField(),
            ),
            resolution=RECOVERED,
            change_token=f"{token}:{RESOLVE}",
        )
    retired = [pk for pk, (period, _) in resolve.items() if period is None]
    if retired:
        Alert.objects.filter(pk__in=retired, resolved_at__isnull=True).update(
            state=Alert.State.RESOLVED,
            resolved_at=now,
            resolution=DEACTIVATED,
            change_token=f"{token}:{RESOLVE}",
        )
    if not (to_open or escalate or improve or resolve):
        return []

    claimed = list(
        Alert.objects.filter(change_token__startswith=f"{token}:")
        .select_related(None)
        .values("id", "kpi_id", "partnership_id", "severity", "change_token", "resolution")
    )
    kinds = {
        OPEN: AlertEvent.Kind.OPENED,
        ESCALATE: AlertEvent.Kind.ESCALATED,
        IMPROVE: AlertEvent.Kind.IMPROVED,
        RESOLVE: AlertEvent.Kind.RESOLVED,
    }
    events = []
    for alert in claimed:
        move = alert["change_token"].split(":", 1)[1]
        state = latest.get(alert["kpi_id"]) or {}
        events.append(
            AlertEvent(
                alert_id=alert["id"],
                kind=kinds[move],
                severity="" if move == RESOLVE else alert["severity"],
                period=state.get("period"),
                value=state.get("value"),
                comment=alert["resolution"] if move == RESOLVE else "",
                at=now,
            )
        )
    events = AlertEvent.objects.bulk_create(events)
    _record_notifications(events, claimed, notify=notify, now=now)
    return [e.pk for e in events]


def _record_notifications(events, claimed, *, notify, now):
    emailing = [e for e in events if e.kind in (AlertEvent.Kind.OPENED, AlertEvent.Kind.ESCALATED)]
    if not emailing:
        return
    partnership_of = {a["id"]: a["partnership_id"] for a in claimed}
    owners = dict(
        Partnership.objects.filter(pk__in=set(partnership_of.values()))
        .exclude(owner__isnull=True)
        .exclude(owner__email="")
        .filter(owner__is_active=True)
        .values_list("pk", "owner__email")
    )
    execs = [email for _, email in executives()]
    notifications = []
    for event in emailing:
        owner = owners.get(partnership_of[event.alert_id])
        recipients = sorted({*execs, *([owner] if owner else [])})
        notifications.append(
            AlertNotification(
                event_id=event.pk,
                recipients=recipients,
                state=AlertNotification.State.PENDING
                if notify
                else AlertNotification.State.SUPPRESSED,
                created_at=now,
            )
        )
    notifications = AlertNotification.objects.bulk_create(notifications)
    if notify:
        ids = [n.pk for n in notifications]
        from .tasks import send_alert_notifications

        transaction.on_commit(lambda: send_alert_notifications.delay(ids))


# Sending -------------------------------------------------------------------------------------


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


def send_notification(notification_id):
    """Send one notification's emails, once: the row is claimed before anything is sent."""
    claimed = AlertNotification.objects.filter(
        pk=notification_id,
        state__in=[AlertNotification.State.PENDING, AlertNotification.State.FAILED],
    ).update(state=AlertNotification.State.SENDING, attempts=F("attempts") + 1)
    if not claimed:
        return False
    notification = AlertNotification.objects.select_related(
        "event__alert__kpi", "event__alert__partnership__owner"
    ).get(pk=notification_id)
    subject, text, html = render_email(notification)
    delivered = set(notification.delivered or [])
    try:
        with mail.mailers.default as connection:
            for address in notification.recipients:
                if address in delivered:
                    continue
                message = mail.EmailMultiAlternatives(
                    subject, text, settings.DEFAULT_FROM_EMAIL, [address]
                )
                message.attach_alternative(html, "text/html")
                connection.send_messages([message])
                delivered.add(address)
    except Exception as error:
        log.warning("Alert notification %s failed: %s", notification_id, error)
        AlertNotification.objects.filter(pk=notification_id).update(
            state=AlertNotification.State.FAILED,
            last_error=str(error)[:2000],
            delivered=sorted(delivered),
        )
        return False
    AlertNotification.objects.filter(pk=notification_id).update(
        state=AlertNotification.State.SENT, sent_at=timezone.now(), delivered=sorted(delivered)
    )
    return True


MAX_ATTEMPTS = 5


def pending_notification_ids():
    """Notifications never sent, or failed and worth another try."""
    return list(
        AlertNotification.objects.filter(
            Q(state=AlertNotification.State.PENDING)
            | Q(state=AlertNotification.State.FAILED, attempts__lt=MAX_ATTEMPTS)
        ).values_list("pk", flat=True)
    )


# Checkpoints ---------------------------------------------------------------------------------


def record_due_checkpoints(*, kpi_ids, latest, today, now):
    """Record, for checkpoints now due, whether their KPI has recovered (on track)."""
    if not kpi_ids:
        return 0
    due = list(
        Checkpoint.objects.filter(
            recorded_at__isnull=True, due_on__lte=today, action__kpi_id__in=kpi_ids
        ).values_list("pk", "action__kpi_id")
    )
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
