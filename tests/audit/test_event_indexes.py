"""An event table indexes the keys a history reads it by, and no others: a copied foreign key
to a model the trail does not follow is never in a history's WHERE (audit.registry)."""

import pytest
from django.db import connection

from audit.registry import event_models, scope

pytestmark = pytest.mark.django_db


def indexed_columns(table):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {c["columns"][0] for c in constraints.values() if c["index"] and c["columns"]}


def test_a_key_to_an_unfollowed_model_has_no_index():
    measurement = event_models()["kpis.Measurement"]._meta.db_table
    indexed = indexed_columns(measurement)
    assert "import_batch_id" not in indexed  # kpis.MeasurementImport is not followed
    # A KPI's, its partnership's and a user's histories read these.
    assert {"kpi_id", "recorded_by_id", "pgh_obj_id", "pgh_context_id"} <= indexed


def test_every_key_a_history_reads_by_keeps_its_index():
    for target in event_models():
        for event_model, clause in scope(target).items():
            table = event_model._meta.db_table
            indexed = indexed_columns(table)
            for field in event_model._meta.concrete_fields:
                if f'_event."{field.column}" = ' in clause or (
                    f'_event."{field.column}" IN ' in clause
                ):
                    assert field.column in indexed, (target, table, field.column)
