"""What KPIs add to the weekly digest (see digests/README.md): health band changes, KPI status
changes, alerts, overdue corrective actions, and Health / Week columns in the partnership table.

Two readings of a KPI "as of" the start of a day, both from the period snapshots:
- for health, the rule of the health score (and of ``is_latest``): the last period that had
  closed, or the current one once it has a value; a period whose value was typed in later
  counted as "no data" then;
- for "KPIs that changed status", the status of the latest period that had a value by then, so
  a late value is news of the week it was typed in and an empty new period is not a change
  (missing data already costs health points).
"Had a value by then" at the start of the week means a measurement recorded before it.

Health is stored once per month (the last computation stands), so the score at the start of the
week is rebuilt with the health formula from the inputs as they were then; the score now is the
stored one, the figure the dashboard shows. Every builder runs a constant number of queries for
all the partnerships at once.
"""

from bisect import bisect_left
from collections import Counter, defaultdict
from datetime import timedelta

from django.db.models import Max, Q
from django.urls import reverse

from digests.sections import Cell, Item, SectionData, memo
from governance.selectors import health_inputs
from partnerships.models import Partnership, Stage

from .health import KPI_STAGES, _overdue_corrective, band_for, health_score
from .models import (
    Alert,
    CorrectiveAction,
    HealthSnapshot,
    Measurement,
    Severity,
    Snapshot,
    Status,
)
from .selectors import health_trends
from .templatetags.kpis import format_value

BAND_LABEL = dict(HealthSnapshot.Band.choices)
BAND_RANK = {"green": 0, "amber": 1, "red": 2}
STATUS_SEVERITY = {
    Status.ON_TRACK: "green",
    Status.AT_RISK: "amber",
    Status.OFF_TRACK: "red",
    Status.NO_DATA: "grey",
}
STATUS_RANK = {Status.ON_TRACK: 0, Status.NO_DATA: 1, Status.AT_RISK: 2, Status.OFF_TRACK: 3}
# A quarterly KPI's latest closed period can have started up to ~6 months before a day.
LOOKBACK_DAYS = 200
TREND_POINTS = 6
MAX_ITEMS = 50
PERIOD_WORDS = {"weekly": "weeks", "monthly": "months", "quarterly": "quarters"}


def _day(value):
    return f"{value:%a} {value.day} {value:%b}"


def _person(user):
    if user is None:
        return "no owner"
    return user.get_full_name() or user.username


def _signed(number):
    if number > 0:
        return f"+{number}"
    if number < 0:
        return f"−{abs(number)}"
    return "0"


def _dashboard(partnership_id, anchor=""):
    return reverse("partnerships:detail", args=[partnership_id]) + anchor


# KPI states at the two ends of the week -----------------------------------------------------


def _as_of(snapshots, day, *, known, scoring):
    """(snapshot, status) of a KPI at the start of ``day`` (snapshots oldest first), or None.

    ``known(snap)`` says whether the period's value was known by then. ``scoring`` applies the
    health rule (closed periods count even without a value); otherwise only periods with a
    known value count.
    """
    state = None
    for snap in snapshots:
        if snap.period >= day:
            break
        has_value = snap.value is not None and known(snap)
        if has_value:
            state = (snap, snap.status)
        elif scoring and snap.period_end < day:
            state = (snap, Status.NO_DATA)
    return state


def kpi_states(partnership_ids, week_start, week_end, *, scoring=False):
    """[(snapshot list oldest first, (snap, status) at week start, (snap, status) at week end)]
    per active KPI, each end None when there was nothing to read.

    Snapshots are light rows (pk, kpi_id, partnership_id, period, period_end, value, status);
    callers that show one load it in full. The two queries behind them run once per digest.
    """
    start_day, end_day = week_start.date(), week_end.date()
    key = ("kpis.snapshot_rows", tuple(partnership_ids), week_start, week_end)
    by_kpi, recorded = memo(key, lambda: _snapshot_rows(partnership_ids, week_start, week_end))
    out = []
    for kpi_id, snaps in by_kpi.items():

        def known_before(snap, periods=recorded[kpi_id]):
            # periods are sorted: is any of them inside the snapshot's period?
            index = bisect_left(periods, snap.period)
            return index < len(periods) and periods[index] <= snap.period_end

        before = _as_of(snaps, start_day, known=known_before, scoring=scoring)
        after = _as_of(snaps, end_day, known=lambda snap: True, scoring=scoring)
        out.append((snaps, before, after))
    return out


def _snapshot_rows(partnership_ids, week_start, week_end):
    """Recent snapshots of every active KPI by KPI, and the periods that already had a value
    recorded before the week began (two queries)."""
    start_day, end_day = week_start.date(), week_end.date()
    since = start_day - timedelta(days=LOOKBACK_DAYS)
    # Light rows, not model instances: an executive's week reads hundreds of thousands of them.
    snapshots = (
        Snapshot.objects.filter(
            partnership_id__in=partnership_ids,
            kpi__is_active=True,
            period__gte=since,
            period__lt=end_day,
        )
        .order_by("kpi_id", "period")
        .values_list(
            "pk", "kpi_id", "partnership_id", "period", "period_end", "value", "status", named=True
        )
    )
    by_kpi = defaultdict(list)
    for snap in snapshots:
        by_kpi[snap.kpi_id].append(snap)
    recorded = defaultdict(list)
    earlier = (
        Measurement.objects.filter(
            kpi_id__in=list(by_kpi), recorded_at__lt=week_start, period__gte=since
        )
        .order_by("kpi_id", "period")
        .values_list("kpi_id", "period")
    )
    for kpi_id, period in earlier:
        recorded[kpi_id].append(period)
    return by_kpi, recorded


def _counts_at_start(states):
    """{partnership_id: Counter(status)} of the KPIs' states at the start of the week."""
    counts = defaultdict(Counter)
    for _snaps, before, _after in states:
        if before is not None:
            snap, status = before
            counts[snap.partnership_id][status] += 1
    return counts


# Health ---------------------------------------------------------------------------------------


def health_change(partnership_ids, week_start, week_end):
    """The health section and the table's columns both need this: computed once per digest."""
    key = ("kpis.health_change", tuple(partnership_ids), week_start, week_end)
    return memo(key, lambda: _health_change(partnership_ids, week_start, week_end))


def _health_change(partnership_ids, week_start, week_end):
    """{partnership_id: {"title", "before", "score", "band", "before_band", "trend", "period"}}.

    ``score``/``band`` are the stored current health; ``before`` is the score at the start of
    the week, rebuilt with the health formula. Partnerships with no stored health (or ended) are
    left out; one whose stored health predates the week shows no change. Nine queries.
    """
    trends = health_trends(partnership_ids, points=TREND_POINTS)
    start_day = week_start.date()
    partnerships = {
        pk: (stage, title)
        for pk, stage, title in Partnership.objects.filter(pk__in=list(trends))
        .exclude(stage=Stage.ENDED)
        .values_list("pk", "stage", "title")
    }
    ids = sorted(partnerships)
    if not ids:
        return {}
    counts = _counts_at_start(kpi_states(ids, week_start, week_end, scoring=True))
    overdue = _overdue_corrective(ids, start_day, False)
    governance = health_inputs(ids, today=start_day)
    computed = dict(
        HealthSnapshot.objects.filter(partnership_id__in=ids)
        .values("partnership_id")
        .annotate(last=Max("computed_at"))
        .values_list("partnership_id", "last")
    )
    out = {}
    for pid in ids:
        trend = trends[pid]
        now = trend[-1]
        before = health_score(
            on_track=counts[pid][Status.ON_TRACK],
            at_risk=counts[pid][Status.AT_RISK],
            off_track=counts[pid][Status.OFF_TRACK],
            no_data=counts[pid][Status.NO_DATA],
            kpis_expected=partnerships[pid][0] in KPI_STAGES,
            overdue_corrective_actions=overdue.get(pid, 0),
            governance=governance.get(pid, {}),
        )["score"]
        stale = computed[pid] < week_start
        out[pid] = {
            "title": partnerships[pid][1],
            "before": now["score"] if stale else before,
            "score": now["score"],
            "band": now["band"],
            "before_band": now["band"] if stale else band_for(before),
            "trend": [row["score"] for row in trend],
            "period": now["period"],
        }
    return out


def health_bands(user, partnership_ids, week_start, week_end):
    changes = health_change(partnership_ids, week_start, week_end)
    moved = {pid: c for pid, c in changes.items() if c["band"] != c["before_band"]}
    if not moved:
        return None
    titles = {pid: c["title"] for pid, c in moved.items()}
    # Worst news first: the deepest fall, then by title.
    order = sorted(
        moved,
        key=lambda pid: (
            BAND_RANK[moved[pid]["before_band"]] - BAND_RANK[moved[pid]["band"]],
            titles[pid],
        ),
    )
    items = []
    for pid in order:
        c = moved[pid]
        delta = c["score"] - c["before"]
        worse = BAND_RANK[c["band"]] > BAND_RANK[c["before_band"]]
        items.append(_health_item(pid, titles[pid], c, delta, "Worse" if worse else "Better"))
    return SectionData(
        title="Health band changed",
        intro="Partnerships whose health score moved into another band this week.",
        items=items,
    )


def _health_item(pid, title, c, delta, badge):
    return Item(
        text=f"{title}: {BAND_LABEL[c['before_band']]} → {BAND_LABEL[c['band']]}",
        link=_dashboard(pid, "#panel-health"),
        severity=c["band"],
        badge=badge,
        meta=f"Score {c['score']} of 100, {_signed(delta)} this week (was {c['before']})",
        trend=c["trend"],
        trend_label="score by month",
    )


def health_columns(partnership_ids, week_start):
    changes = health_change(partnership_ids, week_start, week_start + timedelta(days=7))
    out = {}
    for pid, c in changes.items():
        delta = c["score"] - c["before"]
        # The pill's colour is the band and the week's move is a signed number: at 390px the
        # four columns fit exactly, and any trend bars here would push the table off a phone's
        # screen (the bars are in the "Health band changed" section instead).
        out[pid] = {
            "Health": Cell(
                str(c["score"]), link=_dashboard(pid, "#panel-health"), severity=c["band"]
            ),
            "Week": Cell(_signed(delta), sub=f"was {c['before']}" if delta else ""),
        }
    return out


def _against_target(snap):
    target = format_value(snap.target, snap.kpi.unit)
    if snap.value is None:
        return f"no value for {snap.period_label} (target {target})"
    value = format_value(snap.value, snap.kpi.unit)
    return f"{value} against a target of {target} · {snap.period_label}"


# KPI status changes -------------------------------------------------------------------------


def kpi_status_changes(user, partnership_ids, week_start, week_end):
    changed = []
    for snaps, before, after in kpi_states(partnership_ids, week_start, week_end):
        if after is None or (before is not None and before[1] == after[1]):
            continue
        changed.append((snaps, before, after[0]))
    if not changed:
        return None
    full = Snapshot.objects.select_related("kpi__partnership").in_bulk([r[2].pk for r in changed])
    changed = [(snaps, before, full[after.pk]) for snaps, before, after in changed]
    # Worst news first: the biggest fall, then by partnership and KPI.
    changed.sort(
        key=lambda row: (
            STATUS_RANK.get(row[1][1], 0) - STATUS_RANK[row[2].status] if row[1] else 0,
            row[2].kpi.partnership.title,
            row[2].kpi.name,
        )
    )
    items = []
    for snaps, before, after in changed[:MAX_ITEMS]:
        kpi = after.kpi
        was = Status(before[1]).label if before else "No result yet"
        to = Status(after.status)
        values = [s.value for s in snaps if s.period <= after.period and s.value is not None]
        shown = min(len(values), TREND_POINTS)
        items.append(
            Item(
                text=f"{kpi.name}: {was} → {to.label}",
                link=_dashboard(kpi.partnership_id, "#panel-kpis"),
                severity=STATUS_SEVERITY[to],
                badge=to.label,
                meta=f"{kpi.partnership.title} · {_against_target(after)}",
                trend=[float(v) for v in values[-TREND_POINTS:]],
                trend_label=f"last {shown} {PERIOD_WORDS[kpi.frequency]}",
            )
        )
    return SectionData(
        title="KPIs that changed status",
        intro="Each KPI's latest result compared with a week ago.",
        items=items,
    )


# Alerts ----------------------------------------------------------------------------------------


def alerts_this_week(user, partnership_ids, week_start, week_end):
    def within(name):
        return Q(**{f"{name}__gte": week_start, f"{name}__lt": week_end})

    alerts = list(
        Alert.objects.filter(partnership_id__in=partnership_ids)
        .filter(within("opened_at") | within("escalated_at") | within("resolved_at"))
        .select_related("kpi", "partnership__partner")
        .order_by("resolved_at", "-severity", "opened_at", "pk")[:MAX_ITEMS]
    )
    if not alerts:
        return None
    tz = week_start.tzinfo
    items = []
    for alert in alerts:
        severity = Severity(alert.severity)
        steps = []
        if week_start <= alert.opened_at < week_end:
            steps.append(f"opened {_day(alert.opened_at.astimezone(tz))}")
        if alert.escalated_at and week_start <= alert.escalated_at < week_end:
            steps.append(f"escalated {_day(alert.escalated_at.astimezone(tz))}")
        if alert.resolved_at and week_start <= alert.resolved_at < week_end:
            steps.append(f"resolved {_day(alert.resolved_at.astimezone(tz))}")
            badge, colour = "Resolved", "green"
        elif alert.escalated_at and week_start <= alert.escalated_at < week_end:
            badge, colour = "Escalated", "red"
        else:
            badge, colour = "Opened", "red" if severity == Severity.OFF_TRACK else "amber"
        where = alert.partnership.partner.name
        happened = ", ".join(steps)
        meta = f"{severity.label} · {where} · {happened[:1].upper()}{happened[1:]}"
        if alert.resolution and alert.resolved_at:
            meta += f" · {alert.resolution}"
        items.append(
            Item(
                text=f"{alert.partnership.title} · {alert.kpi.name}",
                link=alert.get_absolute_url(),
                severity=colour,
                badge=badge,
                meta=meta,
            )
        )
    return SectionData(
        title="Alerts",
        intro="Alerts opened, escalated or resolved this week.",
        items=items,
        more_link=reverse("kpis:alert_inbox"),
        more_label="All alerts",
    )


# Overdue corrective actions -------------------------------------------------------------------


def overdue_corrective_actions(user, partnership_ids, week_start, week_end):
    today = week_end.date()
    actions = list(
        CorrectiveAction.objects.filter(
            partnership_id__in=partnership_ids,
            state__in=CorrectiveAction.OPEN_STATES,
            due_date__lt=today,
        )
        .select_related("kpi", "partnership", "owner")
        .order_by("due_date", "pk")[:MAX_ITEMS]
    )
    items = []
    for action in actions:
        late = (today - action.due_date).days
        description = " ".join(action.description.split())
        if len(description) > 90:
            description = description[:89].rstrip() + "…"
        items.append(
            Item(
                text=f"{action.partnership.title}: {description}",
                link=reverse("kpis:alert_detail", args=[action.alert_id]) + f"#action-{action.pk}",
                severity="red" if late > 14 else "amber",
                badge=f"{late} day{'s' if late != 1 else ''} late",
                meta=f"{action.kpi.name} · due {_day(action.due_date)} · {_person(action.owner)}",
            )
        )
    return SectionData(title="Overdue corrective actions", items=items)


def register():
    from digests.sections import register_partnership_columns, register_section

    register_section("kpis.health", "Health band changed", health_bands, order=10)
    register_section("kpis.status", "KPIs that changed status", kpi_status_changes, order=20)
    register_section("kpis.alerts", "Alerts", alerts_this_week, order=30)
    register_section(
        "kpis.corrective_actions",
        "Overdue corrective actions",
        overdue_corrective_actions,
        order=45,
    )
    register_partnership_columns("kpis.health", health_columns, order=10)
