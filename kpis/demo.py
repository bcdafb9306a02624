"""Demo KPIs: 18 months of values for every operating partnership, replayed month by month
through the real snapshot and alert code, so the demo shows alerts that opened, escalated,
were acknowledged, got corrective actions with checkpoints, and resolved.

Idempotent: a partnership that already has KPIs is left alone.
"""

import math
import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from partnerships.models import Stage

from . import periods, services
from .health import backfill_health
from .models import Alert, CorrectiveAction, Kpi, KpiTemplate, Measurement, MeasurementRevision
from .snapshots import recompute

MONTHS = 18
OPERATING = (Stage.ACTIVE, Stage.UNDER_REVIEW, Stage.RENEWAL)

# partnership title -> [(library KPI, pattern)]
PLAN = {
    "Joint AI insights offering": [
        ("Joint revenue", "recovered"),
        ("Pipeline sourced", "healthy"),
        ("Lead response time", "healthy"),
        ("NPS of joint customers", "healthy"),
    ],
    "Nordic fulfilment network": [
        ("On-time delivery rate", "slipping"),
        ("Carbon per shipment", "healthy"),
        ("Support tickets escalated", "acknowledged"),
    ],
    "Protein modelling research": [
        ("Research publications", "healthy"),
        ("Integration milestones hit", "healthy"),
    ],
    "Swedish channel programme": [
        ("Joint revenue", "slipping"),
        ("Joint marketing leads", "worsening"),
        ("Deals co-sold", "slipping"),
    ],
    "Cloud co-sell alliance": [
        ("Pipeline sourced", "recovered"),
        ("Deals co-sold", "healthy"),
        ("Escalation resolution time", "gap"),
    ],
    "Hospital analytics bundle": [
        ("Joint revenue", "healthy"),
        ("Support tickets escalated", "recovered"),
        ("Lead response time", "slipping"),
    ],
    "Second-source precision parts": [
        ("On-time delivery rate", "acknowledged"),
        ("Defect rate", "healthy"),
        ("Cost savings", "healthy"),
    ],
}
FALLBACK = [("Joint revenue", "healthy"), ("On-time delivery rate", "healthy")]

ACK_COMMENTS = {
    "worsening": "The partner is re-planning its campaigns; we expect a dip for a month.",
    "acknowledged": "Discussed with the partner's sponsor; a recovery plan is agreed below.",
    "recovered": "Known dip: the partner lost two account managers. Recovery plan agreed.",
}
ACTIONS = {
    "worsening": "Run two joint webinars and a shared nurture campaign this quarter.",
    "acknowledged": "Weekly review with the partner's operations lead until the KPI is back "
    "above the warning threshold.",
    "recovered": "Joint pipeline sprint: both sales teams review every open deal weekly and "
    "the partner backfills the two account managers.",
}


def _badness(pattern, i, n, rng):
    """0 = on target, 1 = on the warning threshold, 2 = on the critical one."""
    healthy = rng.uniform(-0.6, 0.75)
    scale = n / MONTHS  # weekly series are longer; patterns keep their place in time
    k = i / scale
    if pattern == "slipping":
        if k >= MONTHS - 2:
            return 2.3 + rng.uniform(0, 0.4)
        if k >= MONTHS - 4:
            return 1.25 + rng.uniform(0, 0.5)
        return healthy
    if pattern == "worsening":
        if k >= MONTHS - 2:
            return 2.3 + rng.uniform(0, 0.3)
        if k >= MONTHS - 4:
            return 1.3 + rng.uniform(0, 0.4)
        return healthy
    if pattern == "acknowledged":
        if k >= MONTHS - 2:
            return 1.3 + rng.uniform(0, 0.4)
        return healthy
    if pattern == "recovered":
        if 7 <= k < 8:
            return 1.4
        if 8 <= k < 9:
            return 2.4
        if 9 <= k < 10:
            return 1.5
        return healthy
    return healthy + 0.15 * math.sin(i / 2)


def _value(template, badness):
    target, warning, critical = (
        float(x) for x in (template.target, template.warning, template.critical)
    )
    if badness <= 1:
        value = target + badness * (warning - target)
    elif badness <= 2:
        value = warning + (badness - 1) * (critical - warning)
    else:
        value = critical + (badness - 2) * (critical - warning)
    if template.unit == "percent":
        value = min(100.0, max(0.0, value))
    if template.unit == "count":
        value = max(0, round(value))
    if template.unit in ("days", "hours"):
        value = max(0.0, value)
    places = {"currency": 0, "count": 0, "percent": 1, "ratio": 2, "score": 0}.get(template.unit, 1)
    return Decimal(str(round(value, places)))


def _series(frequency, today):
    """Closed periods covering the last 18 months, oldest first."""
    current = periods.period_start(today, frequency)
    first = periods.period_start(today - timedelta(days=MONTHS * 30.44), frequency)
    out, period = [], first
    while period < current:
        out.append(period)
        period = periods.next_period(period, frequency)
    return out


def _aware(day, hour=9):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


@transaction.atomic
def seed_kpis(ctx, today=None):
    today = today or timezone.localdate()
    users = ctx["users"]
    library = {t.name: t for t in KpiTemplate.objects.all()}
    created = []  # (kpi, pattern, [(period, value)])
    for title, partnership in ctx["partnerships"].items():
        if partnership.stage not in OPERATING or partnership.kpis.exists():
            continue
        rng = random.Random(f"kpis-{title}")
        objectives = list(partnership.objectives.order_by("pk"))
        if not objectives:
            continue
        owner = partnership.owner or users["coo"]
        start = _aware(today - timedelta(days=MONTHS * 31 + 10))
        for index, (name, pattern) in enumerate(PLAN.get(title, FALLBACK)):
            template = library.get(name)
            if template is None:
                continue
            kpi = Kpi.objects.create(
                partnership=partnership,
                objective=objectives[index % len(objectives)],
                template=template,
                name=name,
                description=template.description,
                unit=template.unit,
                direction=template.direction,
                target=template.target,
                warning=template.warning,
                critical=template.critical,
                frequency=template.frequency,
                aggregation=template.aggregation,
                owner=owner,
                created_at=start,
            )
            services._version_row(
                kpi, number=1, effective_from=None, by=owner, changes=[], now=start
            ).save()
            series = _series(kpi.frequency, today)
            values = [
                (period, _value(template, _badness(pattern, i, len(series), rng)))
                for i, period in enumerate(series)
                # A month nobody reported, so the demo shows "no data" too.
                if not (pattern == "gap" and i == len(series) - 6)
            ]
            created.append((kpi, pattern, values))
    if not created:
        return
    _replay(created, users, today)
    _add_history(created, users, today)
    ids = sorted({kpi.partnership_id for kpi, _, _ in created})
    backfill_health(list({p.pk for p in ctx["partnerships"].values()}), months=MONTHS, today=today)
    return ids


def _replay(created, users, today):
    """Feed the values in month by month, recomputing as the nightly job would have."""
    kpi_ids = [kpi.pk for kpi, _, _ in created]
    pattern_of = {kpi.pk: pattern for kpi, pattern, _ in created}
    pending = sorted(
        (
            (periods.period_end(period, kpi.frequency), period, kpi, value)
            for kpi, _, values in created
            for period, value in values
        ),
        key=lambda item: (item[0], item[2].pk),
    )
    steps = []
    first_month = today.replace(day=1)
    for back in range(MONTHS, 0, -1):
        month = first_month.month - 1 - back + 1
        day = first_month.replace(year=first_month.year + month // 12, month=month % 12 + 1)
        steps.append(min(day + timedelta(days=4), today))
    steps.append(today)
    cursor = 0
    for step in sorted(set(steps)):
        batch = []
        while cursor < len(pending):
            end, period, kpi, value = pending[cursor]
            if end >= step:
                break
            owner = kpi.owner
            batch.append(
                Measurement(
                    kpi=kpi,
                    period=period,
                    grain=kpi.frequency,
                    value=value,
                    source="import" if kpi.pk % 2 else "form",
                    recorded_by=owner,
                    recorded_at=min(_aware(end + timedelta(days=2), 10), timezone.now()),
                )
            )
            cursor += 1
        Measurement.objects.bulk_create(batch)
        moment = min(_aware(step, 6), timezone.now())
        recompute(kpi_ids, today=step, now=moment, notify=False)
        _respond(pattern_of, users, step)


def _respond(pattern_of, users, step):
    """What the owners did about alerts: acknowledge, agree an action, close it on recovery."""
    moment = min(_aware(step + timedelta(days=1), 11), timezone.now())
    for alert in Alert.objects.filter(kpi_id__in=list(pattern_of)).select_related(
        "kpi", "partnership__owner"
    ):
        pattern = pattern_of[alert.kpi_id]
        owner = alert.partnership.owner or users["coo"]
        if pattern in ACK_COMMENTS and alert.is_open and alert.acknowledged_at is None:
            services.alert_acknowledge(
                alert=alert, by=owner, comment=ACK_COMMENTS[pattern], now=moment
            )
            due_days = {"worsening": 20, "acknowledged": 75}.get(pattern, 45)
            services.action_create(
                alert=alert,
                by=owner,
                description=ACTIONS[pattern],
                owner=alert.kpi.owner or owner,
                due_date=timezone.localtime(moment).date() + timedelta(days=due_days),
                now=moment,
            )
        if not alert.is_open:
            for action in CorrectiveAction.objects.filter(
                alert=alert, state__in=CorrectiveAction.OPEN_STATES
            ):
                services.action_update(
                    action=action,
                    by=owner,
                    changes={
                        "state": CorrectiveAction.State.DONE,
                        "outcome": "Back above the warning threshold for a full period; "
                        "weekly reviews stopped.",
                    },
                    now=moment,
                )
    # Acknowledged alerts whose KPI keeps sliding get their action under way.
    CorrectiveAction.objects.filter(
        kpi_id__in=list(pattern_of), state=CorrectiveAction.State.PLANNED
    ).exclude(alert__resolved_at__isnull=False).update(state=CorrectiveAction.State.IN_PROGRESS)


def _add_history(created, users, today):
    """A restated figure, so the demo shows a correction with its history."""
    for kpi, _, values in created:
        if kpi.name != "Joint revenue" or len(values) < 4:
            continue
        measurement = Measurement.objects.get(kpi=kpi, grain=kpi.frequency, period=values[3][0])
        MeasurementRevision.objects.create(
            measurement=measurement,
            value=(measurement.value * Decimal("0.92")).quantize(Decimal("1")),
            note="First estimate from the partner's monthly report.",
            source="form",
            recorded_by=measurement.recorded_by,
            recorded_at=measurement.recorded_at - timedelta(days=20),
            replaced_by=users["coo"],
            replaced_at=measurement.recorded_at,
            replaced_via="import",
        )
        measurement.note = "Restated after the partner's quarterly audit."
        measurement.save(update_fields=["note"])
