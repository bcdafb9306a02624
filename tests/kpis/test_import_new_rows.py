"""The COPY writer stores an import's new rows straight into the measurements: a row someone
stored after the check (which the KPI locks rule out) fails the whole write, never overwritten
unseen."""

from datetime import date, datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from kpis.imports import check, read_table, writing
from kpis.models import Measurement, MeasurementImport

from .conftest import make_kpi, measure

TODAY = date(2024, 6, 15)
NOW = timezone.make_aware(datetime(2024, 6, 15, 9, 30))


def test_a_new_row_stored_since_the_check_fails_the_write(partnership, manager):
    kpi = make_kpi(partnership, frequency="weekly")
    weeks = [date.fromisocalendar(2024, w, 1) for w in range(1, 9)]
    content = "kpi_id,period,value\n" + "".join(f"{kpi.pk},{w},{n}\n" for n, w in enumerate(weeks))
    batch = MeasurementImport.objects.create(uploaded_by=manager, original_name="m.csv")
    with transaction.atomic():
        plan = check(
            read_table(content.encode(), "m.csv"), manager, today=TODAY, for_update=True
        ).plan
        assert set(plan["outcome"]) == {"create"}
        measure(kpi, weeks[3], 99, note="stored meanwhile")
        with pytest.raises(IntegrityError), transaction.atomic():
            writing.write_by_copy(
                plan, user=manager, batch=batch, now=NOW, progress=lambda pct: None, source="import"
            )
        assert list(Measurement.objects.values_list("note", flat=True)) == ["stored meanwhile"]
        transaction.set_rollback(True)
