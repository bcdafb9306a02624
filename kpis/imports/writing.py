"""Writing a confirmed plan: revisions of the replaced values, then the measurements."""

from decimal import Decimal

import pandas as pd
from django.utils import timezone

from ..models import Measurement, MeasurementRevision, Source

WRITE_CHUNK = 5000


def write(plan, *, user, batch, now=None, progress=None, source=Source.IMPORT):
    """Write the plan's creates and corrections (call inside a transaction)."""
    now = now or timezone.now()
    progress = progress or (lambda pct: None)
    todo = plan[plan["outcome"] != "unchanged"]
    corrections = todo[todo["outcome"] == "correct"]
    MeasurementRevision.objects.bulk_create(
        [
            MeasurementRevision(
                measurement_id=int(r.measurement_id),
                value=r.old_value,
                note=r.old_note or "",
                source=r.old_source,
                recorded_by_id=None if pd.isna(r.old_by) else int(r.old_by),
                recorded_at=r.old_at,
                replaced_by=user,
                replaced_at=now,
                replaced_via=source,
            )
            for r in corrections.itertuples(index=False)
        ],
        batch_size=WRITE_CHUNK,
    )
    total = max(len(todo), 1)
    for start in range(0, len(todo), WRITE_CHUNK):
        chunk = todo.iloc[start : start + WRITE_CHUNK]
        Measurement.objects.bulk_create(
            [
                Measurement(
                    kpi_id=int(r.kpi_id),
                    period=r.period,
                    grain=r.grain,
                    value=Decimal(r.exact),
                    note=r.note,
                    source=source,
                    recorded_by=user,
                    recorded_at=now,
                    import_batch=batch,
                )
                for r in chunk.itertuples(index=False)
            ],
            update_conflicts=True,
            unique_fields=["kpi", "grain", "period"],
            update_fields=["value", "note", "source", "recorded_by", "recorded_at", "import_batch"],
        )
        progress(min(99, 50 + int(50 * (start + len(chunk)) / total)))
    return int((todo["outcome"] == "create").sum()), len(corrections)
