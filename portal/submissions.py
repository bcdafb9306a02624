"""Values the partner submits: recorded at once, or kept for our acceptance per KPI.

The same validation as our own entry (kpis.services.read_value / measurement_problems), and
the same write (kpis.services.measurement_record) with the partner as the source."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kpis import services as kpi_services
from kpis.models import Source

from .models import Submission


def submit(*, kpi, period, raw, by, today=None, now=None):
    """Returns (submission, outcome): outcome "created", "corrected", "unchanged" or "pending"."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    if not kpi.partner_values_need_acceptance:
        measurement, outcome = kpi_services.measurement_record(
            kpi=kpi, period=period, value=raw, by=by, source=Source.PARTNER, today=today, now=now
        )
        if outcome == "unchanged":
            return None, outcome
        submission = Submission.objects.create(
            kpi=kpi,
            period=period,
            value=measurement.value,
            submitted_by=by,
            submitted_at=now,
            state=Submission.State.ACCEPTED,
            measurement=measurement,
        )
        return submission, outcome
    try:
        value = kpi_services.read_value(raw)
    except ValidationError as error:
        raise ValidationError({"value": error.messages}) from None
    problems = kpi_services.measurement_problems(kpi, period, value, today=today)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        submission, _ = Submission.objects.update_or_create(
            kpi=kpi,
            period=period,
            state=Submission.State.PENDING,
            defaults={"value": value, "submitted_by": by, "submitted_at": now},
        )
    return submission, "pending"


def accept(*, submission, by, now=None):
    """Our side accepts: the value becomes a measurement with the partner as its source."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Submission.objects.filter(
            pk=submission.pk, state=Submission.State.PENDING
        ).update(state=Submission.State.ACCEPTED, reviewed_by=by, reviewed_at=now)
        if not claimed:
            return False
        measurement, _ = kpi_services.measurement_record(
            kpi=submission.kpi,
            period=submission.period,
            value=submission.value,
            by=submission.submitted_by,
            source=Source.PARTNER,
            note=submission.note or None,
            now=now,
        )
        Submission.objects.filter(pk=submission.pk).update(measurement=measurement)
    return True


def reject(*, submission, by, reason, now=None):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Tell the partner why, so they can correct it."})
    return bool(
        Submission.objects.filter(pk=submission.pk, state=Submission.State.PENDING).update(
            state=Submission.State.REJECTED,
            reason=reason,
            reviewed_by=by,
            reviewed_at=now or timezone.now(),
        )
    )
