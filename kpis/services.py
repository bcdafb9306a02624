"""Writes that carry a business rule (keyword-only functions named ``<entity>_<action>``)."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from partnerships.access import can_acknowledge_alerts, can_edit_partnership
from partnerships.ids import parse_whole

from . import periods, recomputes
from .models import (
    Alert,
    AlertEvent,
    Checkpoint,
    CorrectiveAction,
    Kpi,
    KpiVersion,
    Measurement,
    MeasurementRevision,
    Snapshot,
    Source,
    Status,
    unit_problem,
)
from .numbers import parse_one, problem_message

DEFAULT_CHECKPOINT_DAYS = (30, 60, 90)
EARLIEST_PERIOD = date(2000, 1, 1)


# Who may do what (views check these; templates only read the flags) -------------------------


def can_edit_kpis(user, partnership):
    return can_edit_partnership(user, partnership)


def can_acknowledge(user, alert):
    """Executives and the partnership's owner acknowledge alerts."""
    return can_acknowledge_alerts(user, alert.partnership)


# Recompute after commit ---------------------------------------------------------------------


def enqueue_recompute(kpi_ids):
    """Recompute these KPIs once the current transaction has committed (see kpis.recomputes:
    the mark is written here, in the caller's transaction, so no broker outage loses it)."""
    recomputes.mark_kpis(kpi_ids)


def enqueue_health(partnership_ids):
    recomputes.mark_health(partnership_ids)


# KPIs ---------------------------------------------------------------------------------------


def _version_row(kpi, *, number, effective_from, by, changes, now):
    return KpiVersion(
        kpi=kpi,
        number=number,
        effective_from=effective_from,
        direction=kpi.direction,
        target=kpi.target,
        warning=kpi.warning,
        critical=kpi.critical,
        baseline=kpi.baseline,
        definition=kpi.definition(),
        changes=changes,
        changed_by=by,
        changed_at=now,
    )


def kpi_create(*, partnership, by, now=None, **fields):
    """A new KPI and its first definition version (which counts for every period)."""
    now = now or timezone.now()
    kpi = Kpi(partnership=partnership, created_at=now, **fields)
    kpi.full_clean()
    with transaction.atomic():
        kpi.save()
        _version_row(kpi, number=1, effective_from=None, by=by, changes=[], now=now).save()
        enqueue_recompute([kpi.pk])
    return kpi


def kpi_update(*, kpi, changes, by, today=None, now=None):
    """Change a KPI's definition, keeping the previous one as a version.

    The new definition scores the current period and later ones; closed periods keep the
    definition that was in force for them. Returns the new KpiVersion, or None when nothing
    changed. A KPI with measurements may only become coarser (weekly -> monthly -> quarterly).
    """
    today = today or timezone.localdate()
    now = now or timezone.now()
    with transaction.atomic():
        locked = Kpi.objects.select_for_update().get(pk=kpi.pk)
        before = locked.definition()
        old_frequency = locked.frequency
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean()
        if (
            locked.frequency != old_frequency
            and not periods.is_coarser_or_equal(locked.frequency, old_frequency)
            and locked.measurements.exists()
        ):
            raise ValidationError(
                {
                    "frequency": f"This KPI already has {old_frequency} values, so it can only "
                    "move to a longer period (weekly → monthly → quarterly). Create a new KPI "
                    "for a shorter one."
                }
            )
        after = locked.definition()
        if after == before:
            return None
        labels = {f.attname: f.verbose_name for f in Kpi._meta.fields}
        diff = [
            [str(labels.get(name, name)).capitalize(), before[name], after[name]]
            for name in Kpi.DEFINITION_FIELDS
            if before[name] != after[name]
        ]
        locked.version += 1
        locked.save()
        version = _version_row(
            locked,
            number=locked.version,
            effective_from=periods.period_start(today, locked.frequency),
            by=by,
            changes=diff,
            now=now,
        )
        version.save()
        enqueue_recompute([locked.pk])
    for name in changes:
        setattr(kpi, name, getattr(locked, name))
    kpi.version = locked.version
    return version


# Measurements -------------------------------------------------------------------------------


def read_value(raw):
    """A Decimal from what a person typed, or ValidationError saying why not."""
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int | float):
        value = Decimal(repr(raw))
    else:
        text = str(raw or "").strip()
        if not text:
            raise ValidationError("Enter a value.")
        number, problem = parse_one(text, settings.DECIMAL_MARK)
        if problem or number is None:
            raise ValidationError(problem_message(text, problem))
        value = Decimal(repr(number))
    try:
        finite = value.is_finite()
    except (InvalidOperation, AttributeError):
        finite = False
    if not finite:
        raise ValidationError("Enter a finite number.")
    return value


def measurement_problems(kpi, period, value, *, today):
    """{field: message} for a value that may not be recorded (empty when it may)."""
    problems = {}
    if not kpi.is_active:
        problems["__all__"] = "This KPI is inactive; reactivate it to record values."
    try:
        periods.check_period(period, kpi.frequency)
    except periods.PeriodError as error:
        problems["period"] = str(error)
    else:
        if period > periods.period_start(today, kpi.frequency):
            problems["period"] = "This period has not started yet."
        elif period < EARLIEST_PERIOD:
            problems["period"] = "Periods before 2000 are not accepted."
    problem = unit_problem(kpi.unit, value)
    if problem:
        problems["value"] = problem
    return problems


def measurement_record(
    *, kpi, period, value, by, note=None, source=Source.FORM, today=None, now=None
):
    """Record the value of ``kpi`` for ``period``; a second value for a period is a correction.

    Returns (measurement, outcome) with outcome "created", "corrected" or "unchanged". The old
    value of a correction is kept as a MeasurementRevision with who replaced it. ``note=None``
    keeps the existing note.
    """
    today = today or timezone.localdate()
    now = now or timezone.now()
    try:
        value = read_value(value)
    except ValidationError as error:
        raise ValidationError({"value": error.messages}) from None
    problems = measurement_problems(kpi, period, value, today=today)
    if problems:
        raise ValidationError(problems)
    for attempt in range(2):
        try:
            with transaction.atomic():
                # Serialises with imports and other entries for this KPI.
                Kpi.objects.select_for_update().filter(pk=kpi.pk).values_list("pk").first()
                existing = (
                    Measurement.objects.select_for_update()
                    .filter(kpi=kpi, grain=kpi.frequency, period=period)
                    .first()
                )
                if existing is None:
                    measurement = Measurement.objects.create(
                        kpi=kpi,
                        period=period,
                        grain=kpi.frequency,
                        value=value,
                        note=note or "",
                        source=source,
                        recorded_by=by,
                        recorded_at=now,
                    )
                    outcome = "created"
                else:
                    measurement, outcome = _correct(
                        existing, value=value, note=note, source=source, by=by, now=now
                    )
                    if outcome == "unchanged":
                        return measurement, outcome
                enqueue_recompute([kpi.pk])
            return measurement, outcome
        except IntegrityError:
            # Someone created the same period at the same moment: record ours as a correction.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _correct(existing, *, value, note, source, by, now):
    """A second value for a period: the old one kept as a revision (unless nothing changed)."""
    new_note = existing.note if note is None else note
    if existing.value == value and existing.note == new_note:
        return existing, "unchanged"
    MeasurementRevision.objects.create(
        measurement=existing,
        value=existing.value,
        note=existing.note,
        source=existing.source,
        recorded_by=existing.recorded_by,
        recorded_at=existing.recorded_at,
        replaced_by=by,
        replaced_at=now,
        replaced_via=source,
    )
    existing.value = value
    existing.note = new_note
    existing.source = source
    existing.recorded_by = by
    existing.recorded_at = now
    existing.save()
    return existing, "corrected"


# Alerts and corrective actions --------------------------------------------------------------


def alert_acknowledge(*, alert, by, comment, now=None):
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "Say what is being done about it."})
    now = now or timezone.now()
    with transaction.atomic():
        updated = Alert.objects.filter(pk=alert.pk, resolved_at__isnull=True).update(
            state=Alert.State.ACKNOWLEDGED,
            acknowledged_at=now,
            acknowledged_by=by,
            acknowledgement=comment,
        )
        if not updated:
            raise ValidationError("This alert is already resolved.")
        AlertEvent.objects.create(
            alert=alert,
            kind=AlertEvent.Kind.ACKNOWLEDGED,
            severity=alert.severity,
            comment=comment,
            by=by,
            at=now,
        )
    alert.refresh_from_db()
    return alert


def parse_checkpoint_days(text):
    days = []
    for part in str(text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        days_after = parse_whole(part, minimum=1, maximum=730)
        if days_after is None:
            raise ValidationError(
                f"“{part}” is not a number of days between 1 and 730 (e.g. 30, 60, 90)."
            )
        days.append(days_after)
    return sorted(set(days))


def action_create(
    *, alert, by, description, owner, due_date, checkpoint_days=DEFAULT_CHECKPOINT_DAYS, now=None
):
    """A corrective action for an unresolved alert, with its recovery checkpoints."""
    now = now or timezone.now()
    start = timezone.localtime(now).date()
    if not (description or "").strip():
        raise ValidationError({"description": "Describe the action."})
    if due_date < start:
        raise ValidationError({"due_date": "The due date cannot be in the past."})
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.resolved_at is not None:
            raise ValidationError("This alert is resolved; corrective actions are closed.")
        action = CorrectiveAction.objects.create(
            alert=locked,
            kpi_id=locked.kpi_id,
            partnership_id=locked.partnership_id,
            description=description.strip(),
            owner=owner,
            due_date=due_date,
            created_by=by,
            created_at=now,
        )
        Checkpoint.objects.bulk_create(
            Checkpoint(action=action, days=days, due_on=start + timedelta(days=days))
            for days in sorted(set(checkpoint_days))
        )
        AlertEvent.objects.create(
            alert=locked,
            kind=AlertEvent.Kind.ACTION,
            comment=f"{action.description} (owner {owner.get_full_name() or owner.username}, "
            f"due {due_date:%d %b %Y})"
            if owner
            else action.description,
            by=by,
            at=now,
        )
        enqueue_health([locked.partnership_id])
    return action


def action_update(*, action, by, changes, now=None):
    now = now or timezone.now()
    for name, value in changes.items():
        setattr(action, name, value)
    if action.state == CorrectiveAction.State.DONE and not (action.outcome or "").strip():
        raise ValidationError({"outcome": "Say what the action achieved before closing it."})
    if action.state in CorrectiveAction.OPEN_STATES:
        action.completed_at = None
    elif action.completed_at is None:
        action.completed_at = now
    with transaction.atomic():
        action.save()
        enqueue_health([action.partnership_id])
    return action


def checkpoint_record(*, checkpoint, by, note="", now=None):
    """Record whether the KPI has recovered, from its latest snapshot."""
    now = now or timezone.now()
    latest = Snapshot.objects.filter(kpi_id=checkpoint.action.kpi_id, is_latest=True).first()
    status = latest.status if latest else Status.NO_DATA
    checkpoint.recorded_at = now
    checkpoint.recorded_by = by
    checkpoint.status = status
    checkpoint.value = latest.value if latest else None
    checkpoint.recovered = None if status == Status.NO_DATA else status == Status.ON_TRACK
    checkpoint.note = (note or "").strip()
    checkpoint.save()
    return checkpoint
