from datetime import date

from kpis.models import Alert, Snapshot
from kpis.snapshots import recompute

from .conftest import make_kpi, measure, months


def test_pipeline_runs(partnership, django_capture_on_commit_callbacks):
    kpi = make_kpi(partnership)
    for day, value in months(2024, 1, [100, 95, 85, 70]):
        measure(kpi, day, value)
    with django_capture_on_commit_callbacks(execute=True):
        recompute([kpi.pk], today=date(2024, 5, 10))
    rows = list(Snapshot.objects.filter(kpi=kpi).values_list("period", "status"))
    assert [s for _, s in rows] == ["on_track", "on_track", "at_risk", "off_track"]
    alert = Alert.objects.get(kpi=kpi)
    assert alert.severity == "off_track"
