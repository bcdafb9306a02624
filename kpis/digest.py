"""What KPIs add to the weekly digest (see digests/README.md): health band changes, KPI status
changes, alerts, overdue corrective actions, and Health / Week columns in the partnership table.

Two readings of a KPI "as of" the start of a day, both from the period snapshots:
- for health, the rule of the health score (and of ``is_latest``): the last period that had
  closed, or the current one once it has a value; a period whose value was typed in later
  counted as "no data" then;
- for "KPIs that changed status", the status of the latest period that had a value by then, so
  a late value is news of the week it was typed in and an empty new period is not a change
  (missing data already costs health points).
"Had a value by then" at the start of the week means a measurement recorded before it, which
each snapshot keeps as ``known_since`` (the earliest entry of its period's measurements).

Health is stored once per month (the last computation stands), so the score at the start of the
week is rebuilt with the health formula from the inputs as they were then; the score now is the
stored one, the figure the dashboard shows. Every builder runs a constant number of queries for
all the partnerships at once.
"""

from collections import Counter, defaultdict
from datetime import timedelta
from typing import NamedTuple

from django.db.models import Q

from digests.facts import partnership_facts
from digests.needs import per_partnership, summarised_for
from digests.sections import (
    MAX_ITEMS,
    PORTFOLIO,
    Cell,
    Item,
    SectionData,
    ids_param,
    left_out,
    memo,
    per_partnerships,
    see_all,
)
from partnerships.later import Later, deferrable, named
from partnerships.links import path_maker
from partnerships.models import Stage

from . import periods
from .health import KPI_STAGES, band_for, health_score, scoring_inputs
from .models import Alert, CorrectiveAction, HealthSnapshot, Severity, Status
from .queries import digest_readings
from .queries import kpi_history as history_reads
from .queries.digest_readings import LOOKBACK_DAYS
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
TREND_POINTS = 6
PERIOD_WORDS = {"weekly": "weeks", "monthly": "months", "quarterly": "quarters"}


def _day(value):
    return f"{value:%a} {value.day} {value:%b}"


def _signed(number):
    if number > 0:
        return f"+{number}"
    if number < 0:
        return f"−{abs(number)}"
    return "0"


ALERTS = ("kpis:alert_inbox", "All alerts")


# KPI states at the two ends of the week -----------------------------------------------------


def kpi_weeks(partnership_ids, week_start, week_end):
    """[KpiWeek] for the active KPIs of the partnerships, from their period snapshots; computed
    once per digest, or per batch of digests (one or two queries whatever the number of KPIs).

    Health reads a KPI at the start of the week by the health rule: the last period that had
    closed, or the current one once it has a value (a value typed in later counted as "no
    data" then). "KPIs that changed status" compares the latest period with a value known at
    the start of the week with the latest by its end, so a late value is news of the week it
    was typed in and an empty new period is not a change.
    """
    return per_partnerships(
        ("kpis.weeks", week_start, week_end),
        partnership_ids,
        lambda ids: digest_readings.kpi_weeks(ids, week_start, week_end),
        lambda weeks, ids: [w for w in weeks if w.partnership_id in ids],
    )


def _counts_at_start(weeks, partnership_ids):
    """{partnership_id: Counter(status)} of the health readings at the start of the week."""
    wanted = set(partnership_ids)
    counts = defaultdict(Counter)
    for week in weeks:
        if week.scored is not None and week.partnership_id in wanted:
            counts[week.partnership_id][week.scored] += 1
    return counts


# Health ---------------------------------------------------------------------------------------


def health_change(partnership_ids, week_start, week_end):
    """The health section and the table's columns both need this: computed once per digest,
    or per batch of digests.

    It depends on the start of the week only (the columns are not told where it ends), and
    each partnership's figures on that partnership alone, so the table, which may list only
    some of the partnerships the section read, takes them from the section's."""
    return per_partnerships(
        ("kpis.health_change", week_start),
        partnership_ids,
        lambda ids: _health_change(ids, week_start, week_end),
        lambda changes, ids: {pid: c for pid, c in changes.items() if pid in ids},
    )


def _health_change(partnership_ids, week_start, week_end):
    """{partnership_id: {"title", "before", "score", "band", "before_band", "trend", "period"}}.

    ``score``/``band`` are the stored current health; ``before`` is the score at the start of
    the week, rebuilt with the health formula. Partnerships with no stored health (or ended) are
    left out; one whose stored health predates the week shows no change. Three or four
    queries (trends, KPI readings, scoring inputs).
    """
    trends = health_trends(partnership_ids, points=TREND_POINTS)
    start_day = week_start.date()
    partnerships = {
        pk: (f.stage, f.title)
        for pk, f in partnership_facts(trends).items()
        if f.stage != Stage.ENDED
    }
    ids = sorted(partnerships)
    if not ids:
        return {}
    counts = _counts_at_start(kpi_weeks(partnership_ids, week_start, week_end), ids)
    overdue, governance = scoring_inputs(ids, start_day, False)
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
        stale = now["computed_at"] < week_start
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
    detail = path_maker("partnerships:detail")
    items = []
    for pid in order[:MAX_ITEMS]:
        c = moved[pid]
        delta = c["score"] - c["before"]
        worse = BAND_RANK[c["band"]] > BAND_RANK[c["before_band"]]
        items.append(
            _health_item(detail(pid), titles[pid], c, delta, "Worse" if worse else "Better")
        )
    omitted = len(order) - len(items)
    return SectionData(
        title="Health band changed",
        intro="Partnerships whose health score moved into another band this week.",
        items=items,
        omitted=omitted,
        omitted_note=f"And {omitted:,} more, each in the table below with its score and week."
        if omitted
        else "",
        partnership_ids=set(moved),
    )


def _health_item(dashboard, title, c, delta, badge):
    return Item(
        text=f"{title}: {BAND_LABEL[c['before_band']]} → {BAND_LABEL[c['band']]}",
        link=dashboard + "#panel-health",
        severity=c["band"],
        badge=badge,
        meta=f"Score {c['score']} of 100, {_signed(delta)} this week (was {c['before']})",
        trend=c["trend"],
        trend_label="score by month",
    )


def health_columns(partnership_ids, week_start):
    changes = health_change(partnership_ids, week_start, week_start + timedelta(days=7))
    detail = path_maker("partnerships:detail")
    out = {}
    for pid in partnership_ids:
        c = changes.get(pid)
        if c is None:
            continue
        delta = c["score"] - c["before"]
        # The pill's colour is the band and the week's move is a signed number: at 390px the
        # four columns fit exactly, and any trend bars here would push the table off a phone's
        # screen (the bars are in the "Health band changed" section instead).
        out[pid] = {
            "Health": Cell(str(c["score"]), link=detail(pid) + "#panel-health", severity=c["band"]),
            "Week": Cell(_signed(delta), sub=f"was {c['before']}" if delta else ""),
        }
    return out


def _against_target(reading):
    target = format_value(reading.target, reading.unit)
    if reading.value is None:
        return f"no value for {reading.period_label} (target {target})"
    value = format_value(reading.value, reading.unit)
    return f"{value} against a target of {target} · {reading.period_label}"


# KPI status changes -------------------------------------------------------------------------


def listed_changes(weeks):
    """The KpiWeeks that changed, worst news first (the biggest fall, then by partnership and
    KPI), and the first MAX_ITEMS of them, which a section lists."""
    changed = [w for w in weeks if w.changed]
    changed.sort(
        key=lambda w: (
            STATUS_RANK.get(w.before, 0) - STATUS_RANK[w.after] if w.before else 0,
            w.partnership_title,
            w.kpi_name,
        )
    )
    return changed, changed[:MAX_ITEMS]


def kpi_status_changes(user, partnership_ids, week_start, week_end):
    changed, shown = listed_changes(kpi_weeks(partnership_ids, week_start, week_end))
    if not changed:
        return None
    readings = _shown_readings(shown, week_start, week_end)
    detail = path_maker("partnerships:detail")
    items = []
    for week in shown:
        after = readings.get(week.after_id)
        if after is None:
            continue  # removed since kpi_weeks read it
        was = Status(week.before).label if week.before else "No result yet"
        to = Status(after.status)
        items.append(
            Item(
                text=f"{week.kpi_name}: {was} → {to.label}",
                link=detail(week.partnership_id) + "#panel-kpis",
                severity=STATUS_SEVERITY[to],
                badge=to.label,
                meta=f"{week.partnership_title} · {_against_target(after)}",
                trend=[float(v) for v in after.recent_values],
                trend_label=f"last {len(after.recent_values)} {PERIOD_WORDS[after.kpi_frequency]}",
            )
        )
    return SectionData(
        title="KPIs that changed status",
        intro="Each KPI's latest result compared with a week ago.",
        items=items,
        **left_out(changed, "KPI", more=PORTFOLIO),
        partnership_ids={w.partnership_id for w in changed},
    )


class ShownReading(NamedTuple):
    """The snapshot a listed KPI's status change ends on, and its KPI's last values."""

    status: str
    period_label: str
    kpi_frequency: str
    value: object  # Decimal or None
    target: object
    unit: str
    recent_values: list  # the values of its last periods up to this one, oldest first


def kpi_history(kpi_ids, week_start, week_end):
    """{kpi_id: [HistoryRow, by period]} of the KPIs' snapshots with a value from LOOKBACK_DAYS
    before the week to its end. The scorecard's cards and the KPI changes listed beyond them
    both read these: the KPIs not yet read this digest are read in one query."""
    store = memo(("kpis.history", week_start, week_end), dict, shared=True)
    missing = sorted({k for k in kpi_ids if k not in store})
    if missing:
        since = week_start.date() - timedelta(days=LOOKBACK_DAYS)
        for kpi_id in missing:
            store[kpi_id] = []
        for row in history_reads.kpi_history(missing, since, week_end.date()):
            store[row.kpi_id].append(row)
    return {kpi_id: store[kpi_id] for kpi_id in kpi_ids}


def _shown_readings(weeks, week_start, week_end):
    """{snapshot pk: ShownReading} for the KpiWeeks listed, from each KPI's last TREND_POINTS
    snapshots with a value by the end of the week, the latest being the one its change ends
    on."""
    wanted = {w.after_id for w in weeks}
    out = {}
    for rows in kpi_history([w.kpi_id for w in weeks], week_start, week_end).values():
        last = rows[-TREND_POINTS:]
        recent = [row.value for row in last]
        for row in last:
            if row.pk in wanted:
                label = periods.period_label(row.period, row.frequency)
                out[row.pk] = ShownReading(
                    row.status, label, row.kpi_frequency, row.value, row.target, row.unit, recent
                )
    return out


# Alerts ----------------------------------------------------------------------------------------


@deferrable
def alerts_this_week(user, partnership_ids, week_start, week_end):
    def within(name):
        return Q(**{f"{name}__gte": week_start, f"{name}__lt": week_end})

    # Light rows for all of them (the count and the partnerships), items for the first.
    alerts = (
        Alert.objects.filter(partnership_id__in=ids_param(partnership_ids))
        .filter(within("opened_at") | within("escalated_at") | within("resolved_at"))
        .order_by("resolved_at", "-severity", "opened_at", "pk")
        .values(
            "pk",
            "severity",
            "opened_at",
            "escalated_at",
            "resolved_at",
            "resolution",
            "partnership_id",
            "partnership__title",
            "partnership__partner__name",
            "kpi__name",
        )
    )
    return Later(alerts, lambda rows: _alerts(named(rows), week_start, week_end))


def _alerts(alerts, week_start, week_end):
    if not alerts:
        return None
    detail = path_maker("kpis:alert_detail")
    items = [_alert_item(alert, week_start, week_end, detail) for alert in alerts[:MAX_ITEMS]]
    return SectionData(
        title="Alerts",
        intro="Alerts opened, escalated or resolved this week.",
        items=items,
        **left_out(alerts, "alert"),
        **see_all(ALERTS),  # linked whether or not some are left out
        partnership_ids={alert.partnership_id for alert in alerts},
    )


def _alert_item(alert, week_start, week_end, detail):
    """An alert's line: what happened to it this week, its badge and colour."""
    tz = week_start.tzinfo
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
    happened = ", ".join(steps)
    meta = (
        f"{severity.label} · {alert.partnership__partner__name} · "
        f"{happened[:1].upper()}{happened[1:]}"
    )
    if alert.resolution and alert.resolved_at:
        meta += f" · {alert.resolution}"
    return Item(
        text=f"{alert.partnership__title} · {alert.kpi__name}",
        link=detail(alert.pk),
        severity=colour,
        badge=badge,
        meta=meta,
    )


# Overdue corrective actions -------------------------------------------------------------------


@deferrable
def overdue_corrective_actions(user, partnership_ids, week_start, week_end):
    today = week_end.date()
    actions = (
        CorrectiveAction.objects.filter(
            partnership_id__in=ids_param(partnership_ids),
            state__in=CorrectiveAction.OPEN_STATES,
            due_date__lt=today,
        )
        .order_by("due_date", "pk")
        .values(
            "pk",
            "alert_id",
            "description",
            "due_date",
            "partnership_id",
            "partnership__title",
            "kpi__name",
            "owner_id",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
        )
    )
    return Later(actions, lambda rows: _overdue_corrective(user, named(rows), today))


def _overdue_corrective(user, actions, today):
    actions = [a for a in actions if a.owner_id != user.pk]  # theirs are in "Needs you"
    detail = path_maker("kpis:alert_detail")
    if summarised_for(user, actions):
        return _counted(actions, today)
    items = []
    for action in actions[:MAX_ITEMS]:
        late = (today - action.due_date).days
        description = " ".join(action.description.split())
        if len(description) > 90:
            description = description[:89].rstrip() + "…"
        owner = "no owner"
        if action.owner__username:
            full = f"{action.owner__first_name} {action.owner__last_name}".strip()
            owner = full or action.owner__username
        items.append(
            Item(
                text=f"{action.partnership__title}: {description}",
                link=f"{detail(action.alert_id)}#action-{action.pk}",
                severity="red" if late > 14 else "amber",
                badge=f"{late} day{'s' if late != 1 else ''} late",
                meta=f"{action.kpi__name} · due {_day(action.due_date)} · {owner}",
            )
        )
    return SectionData(
        title="Overdue corrective actions",
        items=items,
        **left_out(actions, "overdue corrective action", more=ALERTS),
        partnership_ids={action.partnership_id for action in actions},
    )


def _counted(actions, today):
    detail = path_maker("partnerships:detail")
    items, more = per_partnership(
        actions, "overdue corrective action", lambda pid: detail(pid) + "#panel-alerts", today
    )
    return SectionData(
        title="Overdue corrective actions",
        intro="Other people's, counted per partnership.",
        items=items,
        omitted=more,
        omitted_note=f"And {more:,} more partnerships with some." if more else "",
        **see_all(ALERTS),
        partnership_ids={action.partnership_id for action in actions},
    )
