"""Applying alert moves: the one-statement adapter and its ORM reference.

Opening is an INSERT the partial unique index turns into a no-op when another recompute opened
the alert first; every other move is a conditional UPDATE only one writer can win. Each writer
then records events (and notifications) only for the rows it changed, so an event and its email
exist exactly once. Both functions take the moves and give (event ids, notification ids).
"""

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Case, CharField, DateField, F, Q, Value, When

from partnerships.models import Partnership
from partnerships.roles import EXECUTIVE

from ..models import Alert, AlertEvent, AlertNotification, Severity
from .names import Names

OPEN, ESCALATE, IMPROVE, RESOLVE = "open", "escalate", "improve", "resolve"


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


EVENT_KINDS = {
    OPEN: AlertEvent.Kind.OPENED,
    ESCALATE: AlertEvent.Kind.ESCALATED,
    IMPROVE: AlertEvent.Kind.IMPROVED,
    RESOLVE: AlertEvent.Kind.RESOLVED,
}
EMAILED = (AlertEvent.Kind.OPENED, AlertEvent.Kind.ESCALATED)


def notification_state(notify):
    return AlertNotification.State.PENDING if notify else AlertNotification.State.SUPPRESSED


def executives():
    """[(pk, email)] of the active executives (and superusers) with an address."""
    users = get_user_model().objects.filter(is_active=True)
    return list(
        users.filter(Q(groups__name=EXECUTIVE) | Q(is_superuser=True))
        .exclude(email="")
        .distinct()
        .values_list("pk", "email")
    )


_OPENED, _ESCALATED = AlertEvent.Kind.OPENED, AlertEvent.Kind.ESCALATED
_IMPROVED, _RESOLVED = AlertEvent.Kind.IMPROVED, AlertEvent.Kind.RESOLVED


def _claims_sql():
    """The moves as CTEs, each RETURNING the rows this writer changed; ``claimed`` is all."""
    a = Names(Alert)
    at_risk, off_track = Severity.AT_RISK, Severity.OFF_TRACK
    returned = f"a.{a.id}, a.{a.kpi}, a.{a.severity}"
    unresolved = f"a.{a.id} = m.alert_id AND a.{a.resolved_at} IS NULL"
    return f"""
opened AS (
    INSERT INTO {a.table} ({a.kpi}, {a.partnership}, {a.state}, {a.severity}, {a.peak_severity},
        {a.opened_at}, {a.opened_period}, {a.opened_value}, {a.acknowledgement}, {a.resolution},
        {a.change_token})
    SELECT kpi_id, partnership_id, '{Alert.State.OPEN}', severity, severity, %(now)s, period,
           value, '', '', %(token)s || ':{OPEN}'
    FROM m WHERE move = '{OPEN}'
    ON CONFLICT DO NOTHING
    RETURNING {a.id}, {a.kpi}, {a.severity}, {a.resolution}, '{_OPENED}'::text AS kind
),
escalated AS (
    UPDATE {a.table} a SET {a.severity} = '{off_track}', {a.peak_severity} = '{off_track}',
        {a.escalated_at} = %(now)s, {a.state} = '{Alert.State.OPEN}',
        {a.change_token} = %(token)s || ':{ESCALATE}'
    FROM m WHERE m.move = '{ESCALATE}' AND {unresolved} AND a.{a.severity} = '{at_risk}'
    RETURNING {returned}, a.{a.resolution}, '{_ESCALATED}'::text
),
improved AS (
    UPDATE {a.table} a SET {a.severity} = '{at_risk}',
        {a.change_token} = %(token)s || ':{IMPROVE}'
    FROM m WHERE m.move = '{IMPROVE}' AND {unresolved} AND a.{a.severity} = '{off_track}'
    RETURNING {returned}, a.{a.resolution}, '{_IMPROVED}'::text
),
resolved AS (
    UPDATE {a.table} a SET {a.state} = '{Alert.State.RESOLVED}', {a.resolved_at} = %(now)s,
        {a.resolved_period} = coalesce(m.period, a.{a.resolved_period}),
        {a.resolution} = m.resolution, {a.change_token} = %(token)s || ':{RESOLVE}'
    FROM m WHERE m.move = '{RESOLVE}' AND {unresolved}
    RETURNING {returned}, m.resolution, '{_RESOLVED}'::text
),
claimed (id, kpi_id, severity, resolution, kind) AS (
    SELECT * FROM opened UNION ALL SELECT * FROM escalated
    UNION ALL SELECT * FROM improved UNION ALL SELECT * FROM resolved
),"""


def _records_sql():
    """The events of the claimed rows and the notifications of those emailed. Recipients are
    the active executives with an address and the partnership's active owner, sorted (as
    Python sorts: byte order) and distinct."""
    e, n = Names(AlertEvent), Names(AlertNotification)
    user = get_user_model()
    u, g, p, ug = Names(user), Names(Group), Names(Partnership), Names(user.groups.through)
    return f"""
events AS (
    INSERT INTO {e.table} ({e.alert}, {e.kind}, {e.severity}, {e.period}, {e.value}, {e.comment},
        {e.at})
    SELECT c.id, c.kind, CASE WHEN c.kind = '{_RESOLVED}' THEN '' ELSE c.severity END,
           m.period, m.value, CASE WHEN c.kind = '{_RESOLVED}' THEN c.resolution ELSE '' END,
           %(now)s
    FROM claimed c JOIN m ON m.kpi_id = c.kpi_id
    RETURNING {e.id} AS id, {e.alert} AS alert_id, {e.kind} AS kind
),
executives AS (
    SELECT u.{u.email} AS email FROM {u.table} u
    WHERE u.{u.is_active} AND u.{u.email} <> '' AND (u.{u.is_superuser} OR EXISTS (
        SELECT 1 FROM {ug.table} ug JOIN {g.table} g ON g.{g.id} = ug.{ug.group}
        WHERE ug.{ug.user} = u.{u.id} AND g.{g.name} = %(executive)s))
),
notified AS (
    INSERT INTO {n.table} ({n.event}, {n.recipients}, {n.delivered}, {n.state}, {n.attempts},
        {n.last_error}, {n.created_at})
    SELECT e.id, (
        SELECT coalesce(jsonb_agg(r.email ORDER BY r.email COLLATE "C"), '[]'::jsonb)
        FROM (
            SELECT email FROM executives
            UNION
            SELECT o.{u.email} FROM {p.table} p
            JOIN {u.table} o ON o.{u.id} = p.{p.owner}
            WHERE p.{p.id} = m.partnership_id AND o.{u.is_active} AND o.{u.email} <> ''
        ) r
    ), '[]'::jsonb, %(state)s, 0, '', %(now)s
    FROM events e JOIN claimed c ON c.id = e.alert_id JOIN m ON m.kpi_id = c.kpi_id
    WHERE e.kind IN ('{_OPENED}', '{_ESCALATED}')
    RETURNING {n.id} AS id, {n.event} AS event_id
)"""


APPLY_SQL = f"""
WITH m (kpi_id, alert_id, move, partnership_id, severity, period, value, resolution) AS (
    SELECT * FROM unnest(
        %(kpi_ids)s::bigint[], %(alert_ids)s::bigint[], %(moves)s::text[],
        %(partnership_ids)s::bigint[], %(severities)s::text[], %(periods)s::date[],
        %(values)s::numeric[], %(resolutions)s::text[])
),{_claims_sql()}{_records_sql()}
SELECT e.id, n.id FROM events e LEFT JOIN notified n ON n.event_id = e.id ORDER BY e.id
"""


def apply_moves(todo, *, now, notify):
    """(event ids, notification ids) of the moves this writer won: one statement."""
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
        "state": notification_state(notify),
    }
    with connection.cursor() as cursor:
        cursor.execute(APPLY_SQL, params)
        rows = cursor.fetchall()
    return [e for e, _ in rows], [n for _, n in rows if n is not None]


# The reference: the same in several ORM statements. Each writer claims the rows it changed
# with a token of its own, then reads them back.


def apply_moves_reference(todo, *, now, notify):
    """What ``apply_moves`` does, the plain way."""
    token = uuid.uuid4().hex
    by_kind = {}
    for m in todo:
        by_kind.setdefault(m.move, []).append(m)
    _open(by_kind.get(OPEN, []), now, token)
    _escalate_or_improve(by_kind, now, token)
    _resolve(by_kind.get(RESOLVE, []), now, token)
    by_kpi = {m.kpi_id: m for m in todo}
    claimed = list(
        Alert.objects.filter(change_token__startswith=f"{token}:").values(
            "id", "kpi_id", "severity", "change_token", "resolution"
        )
    )
    events = AlertEvent.objects.bulk_create(
        [_event(alert, by_kpi[alert["kpi_id"]], now) for alert in claimed]
    )
    emailing = [e for e in events if e.kind in EMAILED]
    kpi_of = {a["id"]: a["kpi_id"] for a in claimed}
    partnership_of = {e.pk: by_kpi[kpi_of[e.alert_id]].partnership_id for e in emailing}
    notifications = _notifications(partnership_of, now, notify)
    return [e.pk for e in events], [n.pk for n in notifications]


def _open(opening, now, token):
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
            for m in opening
        ],
        ignore_conflicts=True,
    )


def _escalate_or_improve(by_kind, now, token):
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


def _resolve(resolving, now, token):
    if not resolving:
        return

    def each(field, output, default):
        # One UPDATE for every alert: each row takes its own move's value.
        return Case(
            *[When(pk=m.alert_id, then=Value(getattr(m, field))) for m in resolving],
            default=default,
            output_field=output,
        )

    Alert.objects.filter(resolved_at__isnull=True, pk__in=[m.alert_id for m in resolving]).update(
        state=Alert.State.RESOLVED,
        resolved_at=now,
        resolved_period=each("period", DateField(), F("resolved_period")),
        resolution=each("resolution", CharField(), Value("")),
        change_token=f"{token}:{RESOLVE}",
    )


def _event(alert, move, now):
    kind = alert["change_token"].split(":", 1)[1]
    return AlertEvent(
        alert_id=alert["id"],
        kind=EVENT_KINDS[kind],
        severity="" if kind == RESOLVE else alert["severity"],
        period=move.period,
        value=move.value,
        comment=alert["resolution"] if kind == RESOLVE else "",
        at=now,
    )


def _notifications(partnership_of, now, notify):
    """One notification per emailed event ({event pk: partnership id})."""
    if not partnership_of:
        return []
    owners = dict(
        Partnership.objects.filter(pk__in=set(partnership_of.values()))
        .exclude(owner__isnull=True)
        .exclude(owner__email="")
        .filter(owner__is_active=True)
        .values_list("pk", "owner__email")
    )
    execs = [email for _, email in executives()]
    return AlertNotification.objects.bulk_create(
        [
            AlertNotification(
                event_id=event_id,
                recipients=sorted({*execs, *filter(None, [owners.get(partnership_id)])}),
                state=notification_state(notify),
                created_at=now,
            )
            for event_id, partnership_id in partnership_of.items()
        ]
    )
