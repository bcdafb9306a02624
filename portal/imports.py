"""The partner's spreadsheet import: kpis.imports reads and checks the file with the same
rules as ours, limited to the KPIs of the partner's side, and writes all rows or none.

Rows of KPIs whose partner values need our acceptance become pending submissions instead of
measurements, in the same transaction."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kpis import imports
from kpis.models import Kpi, MeasurementImport, Source
from kpis.services import enqueue_recompute

from . import access
from .models import Submission

State = MeasurementImport.State


def scope(profile):
    return access.enterable_kpis(access.partnerships_for(profile).values("pk"))


def _read(batch):
    with batch.file.open("rb") as handle:
        return imports.read_table(handle.read(), batch.original_name)


def _save(batch, state, *, message="", checked=None, **fields):
    batch.state, batch.message, batch.progress = state, message, 100
    if checked is not None:
        batch.errors = checked.errors[: imports.MAX_ERRORS_STORED]
        batch.error_count = len(checked.errors)
        batch.total_rows = checked.rows
        batch.summary = checked.summary
    for name, value in fields.items():
        setattr(batch, name, value)
    batch.save()
    return batch


def validate(batch, profile):
    """The preview: every row checked, nothing written."""
    try:
        frame = _read(batch)
        if len(frame) > imports.async_rows():
            return _save(
                batch,
                State.INVALID,
                message=f"The portal takes up to {imports.async_rows()} rows a file: split it.",
            )
        checked = imports.check(frame, batch.uploaded_by, kpis_allowed=scope(profile))
    except imports.ImportFileError as error:
        return _save(batch, State.INVALID, message=str(error))
    return _save(batch, State.INVALID if checked.errors else State.READY, checked=checked)


def apply(batch, profile, *, now=None):
    """Checked again under lock, then every row written, or none."""
    now = now or timezone.now()
    if not imports.confirm(batch):
        return batch
    user = batch.uploaded_by
    try:
        frame = _read(batch)
        with transaction.atomic():
            checked = imports.check(frame, user, for_update=True, kpis_allowed=scope(profile))
            if checked.errors:
                transaction.set_rollback(True)
            else:
                created, corrected, pending = _write(checked.plan, user, batch, now)
    except imports.ImportFileError as error:
        return _save(batch, State.FAILED, message=str(error), finished_at=now)
    if checked.errors:
        return _save(
            batch,
            State.INVALID,
            message="Things changed since the preview, so nothing was imported: fix these "
            "rows and upload the file again.",
            checked=checked,
        )
    return _save(
        batch,
        State.DONE,
        checked=checked,
        created_count=created,
        corrected_count=corrected,
        message=f"{pending} value{'s' if pending != 1 else ''} wait for acceptance."
        if pending
        else "",
        finished_at=now,
    )


def _write(plan, user, batch, now):
    waiting = set(
        Kpi.objects.filter(
            pk__in=[int(k) for k in set(plan["kpi_id"])], partner_values_need_acceptance=True
        ).values_list("pk", flat=True)
    )
    held = plan["kpi_id"].astype(int).isin(waiting)
    created, corrected = imports.write(
        plan[~held], user=user, batch=batch, now=now, source=Source.PARTNER
    )
    rows = plan[held & (plan["outcome"] != "unchanged")]
    for r in rows.itertuples(index=False):
        Submission.objects.update_or_create(
            kpi_id=int(r.kpi_id),
            period=r.period,
            state=Submission.State.PENDING,
            defaults={
                "value": Decimal(r.exact),
                "note": r.note or "",
                "submitted_by": user,
                "submitted_at": now,
            },
        )
    counted = plan[~held & (plan["outcome"] != "unchanged")]
    Submission.objects.bulk_create(
        [
            Submission(
                kpi_id=int(r.kpi_id),
                period=r.period,
                value=Decimal(r.exact),
                note=r.note or "",
                submitted_by=user,
                submitted_at=now,
                state=Submission.State.ACCEPTED,
            )
            for r in counted.itertuples(index=False)
        ]
    )
    enqueue_recompute({int(k) for k in counted["kpi_id"]})
    return created, corrected, len(rows)
