"""Marks written as one array statement, as a large import writes them, are the marks the plain
writer makes: one a KPI, in order, marked now, swept alike."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from kpis import recomputes
from kpis.models import RecomputeMark

from .conftest import make_kpi


def _written(writer, ids):
    with transaction.atomic():
        before = timezone.now()
        writer(RecomputeMark.Kind.KPI, ids)
        rows = list(
            RecomputeMark.objects.order_by("pk").values_list("kind", "target_id", "marked_at")
        )
        transaction.set_rollback(True)
    assert all(before - timedelta(seconds=5) <= at <= timezone.now() for _, _, at in rows)
    return [(kind, target) for kind, target, _ in rows]


def test_marks_by_array_are_the_plain_marks(db):
    ids = [3, 7, 11, 2**40, 12]
    assert _written(recomputes.insert_marks_by_array, ids) == _written(recomputes.insert_marks, ids)
    assert _written(recomputes.insert_marks_by_array, ids) == [("kpi", i) for i in ids]


def test_many_marks_go_by_array_and_are_swept(partnership, monkeypatch):
    kpis = [make_kpi(partnership, name=f"K{n}") for n in range(3)]
    monkeypatch.setattr(recomputes, "MARKS_BY_ARRAY", 2)
    taken = []
    real = recomputes.insert_marks_by_array
    monkeypatch.setattr(
        recomputes, "insert_marks_by_array", lambda kind, ids: taken.append(ids) or real(kind, ids)
    )
    recomputes.mark_kpis([k.pk for k in reversed(kpis)] + [kpis[0].pk])
    assert taken == [sorted(k.pk for k in kpis)]
    swept = recomputes.sweep()
    assert (swept.marks, swept.kpis) == (3, {k.pk for k in kpis})
