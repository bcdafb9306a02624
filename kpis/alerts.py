"""Alert opening, escalation and resolution, and the emails they send.

The rule (``transition``) is a plain function of the open alert's severity and the KPI's latest
status. Applying it is set-based and safe under concurrency: opening is an INSERT that the
partial unique index turns into a no-op when another recompute opened the alert first, and
every other move is a conditional UPDATE that only one writer can win. Each writer records
events (and emails) only for the rows it changed, so an event and its email exist exactly once,
and a recompute that changes nothing adds nothing. On PostgreSQL the moves, their events and
their notifications are one statement, whatever the number of KPIs.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection, transaction
from django.db.models import Case, CharField, DateField, F, Q, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Partnership
from partnerships.roles import EXECUTIVE

from . import maths
from .models import (
    Alert,
    AlertEvent,
    AlertNotification,
    Checkpoint,
    CorrectiveAction,
    Severity,
    Status,
)

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


def read_open_alerts(kpi_ids):
    """{kpi_id: {"id", "kpi_id", "severity"}} of the open alerts of these KPIs."""
    return {
        a["kpi_id"]: a
        for a in Alert.objects.filter(kpi_id__in=kpi_ids, resolved_at__isnull=True).values(
            "id", "kpi_id", "severity"
        )
    }


# The open alerts of some KPIs as one text, for snapshots.stored_rows to read with the stored
# snapshots in the same statement: "alert id<TAB>KPI id<TAB>severity" lines.
OPEN_ALERTS_TEXT_SQL = (
    "SELECT string_agg(id::text || E'\\t' || kpi_id::text || E'\\t' || severity, E'\\n') "
    f"FROM {Alert._meta.db_table} WHERE kpi_id = ANY(%s) AND resolved_at IS NULL"
)


def parse_open_alerts(text):
    out = {}
    for line in (text or "").splitlines():
        pk, kpi_id, severity = line.split("\t")
        out[int(kpi_id)] = {"id": int(pk), "kpi_id": int(kpi_id), "severity": severity}
    return out


@dataclass(frozen=True)
class Move:
    """One alert transition to apply: ``alert_id`` is None when the move opens an alert."""

    kpi_id: int
    alert_id: int | None
    move: str
    partnership_id: int | None = None
    severity: str = ""  # of an opening
    period: date | None = None  # the latest period (None when a KPI was deactivated)
    value: Decimal | None = None
    resolution: str = ""


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

    ``open_alerts`` is what ``read_open_alerts`` gives, when the caller read it already.
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
    apply = _apply_in_one_statement if connection.vendor == "postgresql" else _apply_by_orm
    event_ids, notification_ids = apply(todo, now=now, notify=notify)
    if notify and notification_ids:
        from .tasks import send_alert_notifications

        transaction.on_commit(lambda: send_alert_notifications.delay(notification_ids))
    return event_ids


def _notification_state(notify):
    return AlertNotification.State.PENDING if notify else AlertNotification.State.SUPPRESSED


EVENT_KINDS = {
    OPEN: AlertEvent.Kind.OPENED,
    ESCALATE: AlertEvent.Kind.ESCALATED,
    IMPROVE: AlertEvent.Kind.IMPROVED,
    RESOLVE: AlertEvent.Kind.RESOLVED,
}
EMAILED = (AlertEvent.Kind.OPENED, AlertEvent.Kind.ESCALATED)

# Every move, its event and its notification in one statement (PostgreSQL). Opening is an
# INSERT the partial unique index turns into a no-op when another recompute opened the alert
# first; every other move is a conditional UPDATE only one writer can win. RETURNING gives each
# writer the rows it changed, so an event and its email exist exactly once. Recipients are the
# active executives with an address and the partnership's active owner, sorted and distinct.
APPLY_SQL = """
WITH m (kpi_id, alert_id, move, partnership_id, severity, period, value, resolution) AS (
    SELECT * FROM unnest(
        %(kpi_ids)s::bigint[], %(alert_ids)s::bigint[], %(moves)s::text[],
        %(partnership_ids)s::bigint[], %(severities)s::text[], %(periods)s::date[],
        %(values)s::numeric[], %(resolutions)s::text[])
),
opened AS (
    INSERT INTO kpis_alert (kpi_id, partnership_id, state, severity, peak_severity, opened_at,
                            opened_period, opened_value, acknowledgement, resolution,
                            change_token)
    SELECT kpi_id, partnership_id, 'open', severity, severity, %(now)s, period, value, '', '',
           %(token)s || ':open'
    FROM m WHERE move = 'open'
    ON CONFLICT DO NOTHING
    RETURNING id, kpi_id, severity, resolution, 'opened'::text AS kind
),
escalated AS (
    UPDATE kpis_alert a SET severity = 'off_track', peak_severity = 'off_track',
        escalated_at = %(now)s, state = 'open', change_token = %(token)s || ':escalate'
    FROM m WHERE m.move = 'escalate' AND a.id = m.alert_id AND a.severity = 'at_risk'
        AND a.resolved_at IS NULL
    RETURNING a.id, a.kpi_id, a.severity, a.resolution, 'escalated'::text
),
improved AS (
    UPDATE kpis_alert a SET severity = 'at_risk', change_token = %(token)s || ':improve'
    FROM m WHERE m.move = 'improve' AND a.id = m.alert_id AND a.severity = 'off_track'
        AND a.resolved_at IS NULL
    RETURNING a.id, a.kpi_id, a.severity, a.resolution, 'improved'::text
),
resolved AS (
    UPDATE kpis_alert a SET state = 'resolved', resolved_at = %(now)s,
        resolved_period = coalesce(m.period, a.resolved_period), resolution = m.resolution,
        change_token = %(token)s || ':resolve'
    FROM m WHERE m.move = 'resolve' AND a.id = m.alert_id AND a.resolved_at IS NULL
    RETURNING a.id, a.kpi_id, a.severity, m.resolution, 'resolved'::text
),
claimed AS (
    SELECT * FROM opened UNION ALL SELECT * FROM escalated
    UNION ALL SELECT * FROM improved UNION ALL SELECT * FROM resolved
),
events AS (
    INSERT INTO kpis_alertevent (alert_id, kind, severity, period, value, comment, at)
    SELECT c.id, c.kind, CASE WHEN c.kind = 'resolved' THEN '' ELSE c.severity END,
           m.period, m.value, CASE WHEN c.kind = 'resolved' THEN c.resolution ELSE '' END,
           %(now)s
    FROM claimed c JOIN m ON m.kpi_id = c.kpi_id
    RETURNING id, alert_id, kind
),
executives AS (
    SELECT u.email FROM auth_user u
    WHERE u.is_active AND u.email <> '' AND (u.is_superuser OR EXISTS (
        SELECT 1 FROM auth_user_groups ug JOIN auth_group g ON g.id = ug.group_id
        WHERE ug.user_id = u.id AND g.name = %(executive)s))
),
notified AS (
    INSERT INTO kpis_alertnotification (event_id, recipients, delivered, state, attempts,
                                        last_error, created_at)
    SELECT e.id, (
        SELECT coalesce(jsonb_agg(r.email ORDER BY r.email COLLATE "C"), '[]'::jsonb)
        FROM (
            SELECT email FROM executives
            UNION
            SELECT o.email FROM partnerships_partnership p
            JOIN auth_user o ON o.id = p.owner_id
            WHERE p.id = m.partnership_id AND o.is_active AND o.email <> ''
        ) r
    ), '[]'::jsonb, %(state)s, 0, '', %(now)s
    FROM events e JOIN claimed c ON c.id = e.alert_id JOIN m ON m.kpi_id = c.kpi_id
    WHERE e.kind IN ('opened', 'escalated')
    RETURNING id, event_id
)
SELECT e.id, n.id FROM events e LEFT JOIN notified n ON n.event_id = e.id ORDER BY e.id
"""


def _apply_in_one_statement(todo, *, now, notify):
    """(event ids, notification ids) of the moves this writer won."""
    params = {
        "kpi_ids": [m.kpi_id for m in todo],
        "alert_ids": [m.alert_id for m in todo],
        "moves": [m.move for m in todo],
        "partnership_ids": [m.partnership_id for m in todo],
        "severities": [m.severity for m in todo],
        "periods": [m.period for m in todo],
        "values": [m.value for m in todo],
        "resolutions": [m.resolution for m in todo],
        "now": now,
        "token": uuid.uuid4().hex,
        "executive": EXECUTIVE,
        "state": _notification_state(notify),
    }
    with connection.cursor() as cursor:
        cursor.execute(APPLY_SQL, params)
        rows = cursor.fetchall()
    return [e for e, _ in rows], [n for _, n in rows if n is not None]


def _apply_by_orm(todo, *, now, notify):
    """The same as _apply_in_one_statement in several statements (SQLite, the embedded default):
    each writer claims the rows it changed with a token of its own, then reads them back."""
    token = uuid.uuid4().hex
    by_kind = {}
    for m in todo:
        by_kind.setdefault(m.move, []).append(m)
    if OPEN in by_kind:
        Alert.objects.bulk_create(
            [
                Alert(
                    kpi_id=m.kpi_id,
                    partnership_id=m.partnership_id,
                    severity=m.severity,
                    peak_severity=m.severity,
                    opened_at=now,
                    opened_period=m.period,
                    opened_value=m.value,
                    change_token=f"{token}:{OPEN}",
                )
                for m in by_kind[OPEN]
            ],
            ignore_conflicts=True,
        )
    unresolved = Alert.objects.filter(resolved_at__isnull=True)
    if ESCALATE in by_kind:
        unresolved.filter(
            pk__in=[m.alert_id for m in by_kind[ESCALATE]], severity=Severity.AT_RISK
        ).update(
            severity=Severity.OFF_TRACK,
            peak_severity=Severity.OFF_TRACK,
            escalated_at=now,
            state=Alert.State.OPEN,
            change_token=f"{token}:{ESCALATE}",
        )
    if IMPROVE in by_kind:
        unresolved.filter(
            pk__in=[m.alert_id for m in by_kind[IMPROVE]], severity=Severity.OFF_TRACK
        ).update(severity=Severity.AT_RISK, change_token=f"{token}:{IMPROVE}")
    if RESOLVE in by_kind:
        resolving = by_kind[RESOLVE]

        def each(field, output, default):
            # One UPDATE for every alert: each row takes its own move's value.
            return Case(
                *[When(pk=m.alert_id, then=Value(getattr(m, field))) for m in resolving],
                default=default,
                output_field=output,
            )

        unresolved.filter(pk__in=[m.alert_id for m in resolving]).update(
            state=Alert.State.RESOLVED,
            resolved_at=now,
            resolved_period=each("period", DateField(), F("resolved_period")),
            resolution=each("resolution", CharField(), Value("")),
            change_token=f"{token}:{RESOLVE}",
        )
    by_kpi = {m.kpi_id: m for m in todo}
    claimed = list(
        Alert.objects.filter(change_token__startswith=f"{token}:").values(
            "id", "kpi_id", "severity", "change_token", "resolution"
        )
    )
    events = AlertEvent.objects.bulk_create(
        [
            AlertEvent(
                alert_id=alert["id"],
                kind=EVENT_KINDS[move],
                severity="" if move == RESOLVE else alert["severity"],
                period=by_kpi[alert["kpi_id"]].period,
                value=by_kpi[alert["kpi_id"]].value,
                comment=alert["resolution"] if move == RESOLVE else "",
                at=now,
            )
            for alert in claimed
            for move in [alert["change_token"].split(":", 1)[1]]
        ]
    )
    emailing = [e for e in events if e.kind in EMAILED]
    if not emailing:
        return [e.pk for e in events], []
    kpi_of = {a["id"]: a["kpi_id"] for a in claimed}
    owners = dict(
        Partnership.objects.filter(pk__in={m.partnership_id for m in todo})
        .exclude(owner__isnull=True)
        .exclude(owner__email="")
        .filter(owner__is_active=True)
        .values_list("pk", "owner__email")
    )
    execs = [email for _, email in executives()]
    notifications = AlertNotification.objects.bulk_create(
        [
            AlertNotification(
                event_id=event.pk,
                recipients=sorted(
                    {
                        *execs,
                        *filter(None, [owners.get(by_kpi[kpi_of[event.alert_id]].partnership_id)]),
                    }
                ),
                state=_notification_state(notify),
                created_at=now,
            )
            for event in emailing
        ]
    )
    return [e.pk for e in events], [n.pk for n in notifications]


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


def read_due_checkpoints(kpi_ids, today):
    """[(checkpoint id, KPI id)] of the unrecorded checkpoints of these KPIs due by ``today``."""
    return list(
        Checkpoint.objects.filter(
            recorded_at__isnull=True, due_on__lte=today, action__kpi_id__in=kpi_ids
        ).values_list("pk", "action__kpi_id")
    )


# The same as one text, for snapshots.stored_rows: "checkpoint id<TAB>KPI id" lines.
DUE_CHECKPOINTS_TEXT_SQL = (
    "SELECT string_agg(c.id::text || E'\\t' || a.kpi_id::text, E'\\n') "
    f"FROM {Checkpoint._meta.db_table} c "
    f"JOIN {CorrectiveAction._meta.db_table} a ON a.id = c.action_id "
    "WHERE c.recorded_at IS NULL AND c.due_on <= %s AND a.kpi_id = ANY(%s)"
)


def parse_due_checkpoints(text):
    return [tuple(int(n) for n in line.split("\t")) for line in (text or "").splitlines()]


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
