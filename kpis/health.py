"""Partnership health: one score from 0 to 100, with the formula shown to users.

``health_score`` is the single documented function; everything else gathers its inputs for many
partnerships at once (a constant number of queries) and keeps one HealthSnapshot per month.
"""

from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

from django.db.models import Case, Count, F, Q, Value, When
from django.utils import timezone

from partnerships.aggregates import ids_param, read_together
from partnerships.models import Partnership, Stage
from partnerships.plugins import contributed

from .models import CorrectiveAction, HealthSnapshot, Kpi, Snapshot, Status

GREEN_FROM = 75
AMBER_FROM = 50
KPI_STAGES = (Stage.ACTIVE, Stage.UNDER_REVIEW, Stage.RENEWAL)

# (key, label, most points it can take off, how, in words for users)
FORMULA = [
    (
        "kpis",
        "KPI results",
        50,
        "Up to 50 points off in proportion to the KPIs at risk (half weight) and off track "
        "(full weight), using each active KPI's latest result. An operating partnership "
        "(active, under review, renewal) with no KPI result yet loses 25.",
    ),
    ("missing", "Missing KPI data", 10, "5 points off per KPI whose latest period has no value."),
    (
        "corrective",
        "Overdue corrective actions",
        15,
        "5 points off per corrective action past its due date.",
    ),
    ("governance", "Overdue governance actions", 9, "3 points off per overdue action item."),
    (
        "risks",
        "Open risks",
        30,
        "The highest open risk (likelihood × impact, out of 25), weighed by its own size: "
        "30 × (score / 25)², so 25 takes 30 points, 20 takes 19, 15 takes 11 and 10 takes 5. "
        "A partnership with a 25 of 25 risk open cannot be Healthy.",
    ),
    (
        "dd",
        "Due diligence",
        6,
        "3 points off per required due-diligence item neither passed nor waived.",
    ),
    (
        "integration",
        "Slipped milestones",
        8,
        "2 points off per integration-plan milestone still open after its due date.",
    ),
]
BANDS = [
    ("green", GREEN_FROM, "Healthy"),
    ("amber", AMBER_FROM, "Needs attention"),
    ("red", 0, "Unhealthy"),
]


def band_for(score):
    for band, floor, _ in BANDS:
        if score >= floor:
            return band
    return "red"


RISK_MOST = 30


def risk_points(score):
    """Points off for the highest open risk: a small risk costs little, the worst one enough to
    leave the healthy band on its own (100 - 30 < GREEN_FROM)."""
    score = max(0, min(25, score))
    return RISK_MOST * (score / 25) ** 2


def health_score(
    *,
    on_track=0,
    at_risk=0,
    off_track=0,
    no_data=0,
    kpis_expected=True,
    overdue_corrective_actions=0,
    governance=None,
):
    """The health of one partnership: 100 minus the points each component takes off.

    ``governance`` holds the inputs the other apps contribute (``HealthInput``), by name:
    governance's ``overdue_actions``, ``max_risk_score``, ``open_risks``, ``dd_required_open``
    and the integration plans' ``slipped_milestones``.

    Returns {"score": int 0..100, "band": "green"|"amber"|"red", "components": [{"key",
    "label", "points" (taken off, 0 or more), "max", "detail"}]} — see FORMULA.
    """
    governance = governance or {}
    scored = on_track + at_risk + off_track
    parts = {}
    if scored:
        share = (0.5 * at_risk + off_track) / scored
        parts["kpis"] = (
            50 * share,
            f"{on_track} on track, {at_risk} at risk, {off_track} off track.",
        )
    elif kpis_expected:
        parts["kpis"] = (25, "No KPI has a result yet, so performance cannot be shown.")
    else:
        parts["kpis"] = (0, "Not expected before the partnership is active.")
    parts["missing"] = (
        min(10, 5 * no_data),
        f"{no_data} KPI{'s' if no_data != 1 else ''} without a value for the latest period.",
    )
    parts["corrective"] = (
        min(15, 5 * overdue_corrective_actions),
        f"{overdue_corrective_actions} overdue.",
    )
    parts.update(_contributed_parts(governance))

    components = []
    for key, label, most, _ in FORMULA:
        points, detail = parts[key]
        components.append(
            {"key": key, "label": label, "points": round(points, 1), "max": most, "detail": detail}
        )
    taken = sum(points for points, _ in parts.values())
    score = max(0, min(100, round(100 - taken)))
    return {"score": score, "band": band_for(score), "components": components}


def _contributed_parts(inputs):
    """The components scored from the other apps' inputs: {key: (points, detail)}."""
    overdue = inputs.get("overdue_actions", 0) or 0
    risk = inputs.get("max_risk_score", 0) or 0
    open_risks = inputs.get("open_risks", 0) or 0
    dd_open = inputs.get("dd_required_open", 0) or 0
    slipped = inputs.get("slipped_milestones", 0) or 0
    return {
        "governance": (min(9, 3 * overdue), f"{overdue} overdue."),
        "risks": (
            risk_points(risk),
            f"{open_risks} open; highest score {risk} of 25." if open_risks else "No open risk.",
        ),
        "dd": (min(6, 3 * dd_open), f"{dd_open} required item{'s' if dd_open != 1 else ''} open."),
        "integration": (
            min(8, 2 * slipped),
            f"{slipped} milestone{'s' if slipped != 1 else ''} slipped.",
        ),
    }


# Gathering the inputs ------------------------------------------------------------------------


def _latest_statuses(partnership_ids, as_of):
    """{partnership_id: Counter(status)} from each active KPI's latest snapshot as it was at
    ``as_of`` (for backfills; the live counts are ``_status_part``)."""
    active = Kpi.objects.filter(partnership_id__in=partnership_ids, is_active=True)
    # The latest period that had closed by then, or the current one if it had a value.
    rows = (
        Snapshot.objects.filter(kpi__in=active, period__lte=as_of)
        .filter(Q(period_end__lt=as_of) | Q(value__isnull=False))
        .order_by("kpi_id", "period")
        .values_list("kpi_id", "partnership_id", "status")
    )
    latest = {}
    for kpi_id, pid, status in rows:
        latest[kpi_id] = (pid, status)
    counts = defaultdict(Counter)
    for pid, status in latest.values():
        counts[pid][status] += 1
    return counts


STATUS_COLUMNS = [Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.NO_DATA]


def _status_part(partnership_ids):
    """Each partnership's active KPIs counted by their latest status, as they are now."""
    counts = {str(status): Count("pk", filter=Q(status=status)) for status in STATUS_COLUMNS}
    queryset = Snapshot.objects.filter(
        partnership_id__in=partnership_ids, is_latest=True, kpi__is_active=True
    )
    return queryset.values("partnership_id").annotate(**counts).order_by(), list(counts)


def _scored_part(partnership_ids):
    """The partnerships health scores (every one but ended ones), and whether KPI results are
    expected of them yet."""
    expected = Case(When(stage__in=KPI_STAGES, then=Value(1)), default=Value(0))
    queryset = (
        Partnership.objects.filter(pk__in=partnership_ids)
        .exclude(stage=Stage.ENDED)
        .values(partnership_id=F("pk"))
        .annotate(expected=expected)
        .order_by()
    )
    return queryset, ["expected"]


def _overdue_corrective_part(partnership_ids, today, live):
    queryset = CorrectiveAction.objects.filter(
        partnership_id__in=partnership_ids, due_date__lt=today
    )
    if live:
        queryset = queryset.filter(state__in=CorrectiveAction.OPEN_STATES)
    else:
        end = timezone.make_aware(datetime.combine(today, time.min))
        queryset = queryset.filter(created_at__lt=end).filter(
            Q(state__in=CorrectiveAction.OPEN_STATES) | Q(completed_at__gte=end)
        )
    return queryset.values("partnership_id").annotate(n=Count("pk")).order_by(), ["n"]


def _read_inputs(partnership_ids, today, live, extra=None):
    """read_together of the corrective actions, the other apps' inputs (governance's open risks,
    overdue actions and due diligence, declared as ``HealthInput``) and ``extra`` parts:
    (overdue corrective actions per partnership, other inputs per partnership, the read)."""
    inputs = contributed("health_inputs")
    # Extra parts last: the server types each shared column from the first parts that fill it.
    reads = {
        "kpis.overdue_corrective": _overdue_corrective_part(
            ids_param(partnership_ids), today, live
        ),
    }
    for source in inputs:
        reads.update(source.reads(partnership_ids, today=today))
    reads.update(extra or {})
    read = read_together(reads)
    overdue = {pid: row["n"] for pid, row in read["kpis.overdue_corrective"].items()}
    governance = {pid: {} for pid in partnership_ids}
    for source in inputs:
        for pid, values in source.values(read, partnership_ids).items():
            governance.setdefault(pid, {}).update(values)
    return overdue, governance, read


def scoring_inputs(partnership_ids, today, live):
    """(overdue corrective actions per partnership, governance inputs per partnership) as of
    ``today``, in one query; ``live`` reads corrective actions as they are now, otherwise as
    they were at the start of ``today``."""
    overdue, governance, _ = _read_inputs(partnership_ids, today, live)
    return overdue, governance


def compute_health(partnership_ids, *, today=None, now=None, live=None):
    """Score these partnerships as of ``today`` and keep it as the month's HealthSnapshot.

    ``live`` (the default when today is the real today) reads the current state, every input
    in one query; otherwise the state as it was on ``today`` is rebuilt from snapshots and
    dates (for backfills).
    """
    real_today = timezone.localdate()
    today = today or real_today
    live = (today == real_today) if live is None else live
    now = now or timezone.now()
    ids = sorted(set(partnership_ids))
    if not ids:
        return []
    extra = {"kpis.scored": _scored_part(ids_param(ids))}
    if live:
        extra["kpis.statuses"] = _status_part(ids_param(ids))
    overdue, governance, read = _read_inputs(ids, today, live, extra)
    scored = read["kpis.scored"]
    if not scored:
        return []
    if live:
        statuses = {
            pid: Counter({status: int(row[status]) for status in STATUS_COLUMNS})
            for pid, row in read["kpis.statuses"].items()
        }
    else:
        statuses = _latest_statuses(sorted(scored), today)
    period = today.replace(day=1)
    rows = []
    for pid in sorted(scored):
        counts = statuses.get(pid, Counter())
        inputs = {
            "on_track": counts[Status.ON_TRACK],
            "at_risk": counts[Status.AT_RISK],
            "off_track": counts[Status.OFF_TRACK],
            "no_data": counts[Status.NO_DATA],
            "kpis_expected": bool(scored[pid]["expected"]),
            "overdue_corrective_actions": overdue.get(pid, 0),
            "governance": governance.get(pid, {}),
        }
        result = health_score(**inputs)
        rows.append(
            HealthSnapshot(
                partnership_id=pid,
                period=period,
                score=result["score"],
                band=result["band"],
                components=result["components"],
                inputs={**inputs, "as_of": today.isoformat()},
                computed_at=now,
            )
        )
    return HealthSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["partnership", "period"],
        update_fields=["score", "band", "components", "inputs", "computed_at"],
    )


def backfill_health(partnership_ids, *, months=18, today=None):
    """Rebuild the monthly health history: each past month scored as of its last day."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    for back in range(months, 0, -1):
        month_index = first.month - 1 - back
        start = first.replace(year=first.year + month_index // 12, month=month_index % 12 + 1)
        next_index = start.month
        month_end = start.replace(
            year=start.year + next_index // 12, month=next_index % 12 + 1
        ) - timedelta(days=1)
        compute_health(partnership_ids, today=month_end, live=False)
    compute_health(partnership_ids, today=today)
