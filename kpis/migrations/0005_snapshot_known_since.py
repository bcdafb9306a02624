from django.db import migrations, models

# Each stored snapshot learns when its period's first value was entered, so digests read the
# past right away; the next recompute computes the same figure.
POSTGRESQL = """
UPDATE kpis_snapshot s SET known_since = f.first
FROM (
    SELECT m.kpi_id,
           date_trunc(CASE k.frequency WHEN 'weekly' THEN 'week'
                                       WHEN 'monthly' THEN 'month'
                                       ELSE 'quarter' END, m.period)::date AS period,
           min(m.recorded_at) AS first
    FROM kpis_measurement m
    JOIN kpis_kpi k ON k.id = m.kpi_id
    GROUP BY 1, 2
) f
WHERE s.kpi_id = f.kpi_id AND s.period = f.period
"""
# SQLite (the embedded default, small portfolios): the plain form, a lookup per snapshot.
OTHERS = """
UPDATE kpis_snapshot SET known_since = (
    SELECT min(m.recorded_at) FROM kpis_measurement m
    WHERE m.kpi_id = kpis_snapshot.kpi_id
      AND m.period >= kpis_snapshot.period AND m.period <= kpis_snapshot.period_end
)
"""


def backfill(apps, schema_editor):
    sql = POSTGRESQL if schema_editor.connection.vendor == "postgresql" else OTHERS
    schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0004_measurement_kpi_recorded_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="snapshot",
            name="known_since",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
