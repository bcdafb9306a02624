"""Recomputes marked in the database: written with the change, swept by the kick or by beat,
claimed so two sweeps never take the same mark, cleared only with a recompute that committed."""

from datetime import date

import psycopg
import pytest
from django.urls import reverse

from kpis import recomputes, services, snapshots, tasks
from kpis.models import HealthSnapshot, RecomputeMark, Snapshot
from tests import db as test_db

from .conftest import make_kpi

JANUARY = date(2024, 1, 1)


def marks():
    return sorted(RecomputeMark.objects.values_list("kind", "target_id"))


def test_a_save_marks_its_kpi_and_the_kick_sweeps_it(
    partnership, manager, django_capture_on_commit_callbacks
):
    kpi = make_kpi(partnership)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.measurement_record(kpi=kpi, period=JANUARY, value="70", by=manager)
    assert marks() == [("kpi", kpi.pk)]
    assert len(callbacks) == 1  # one kick per transaction
    callbacks[0]()  # the kick (tasks run eagerly here): the sweep
    assert marks() == []
    assert Snapshot.objects.get(kpi=kpi, period=JANUARY).status == "off_track"


def test_a_kick_that_never_ran_is_made_good_by_the_sweep(partnership, manager):
    # Without the on-commit kick (the broker was down), the mark waits for beat's sweep.
    kpi = make_kpi(partnership)
    services.measurement_record(kpi=kpi, period=JANUARY, value="70", by=manager)
    assert marks() == [("kpi", kpi.pk)] and not Snapshot.objects.filter(kpi=kpi).exists()
    assert tasks.recompute_marked() == {"marks": 1, "kpis": 1, "health": 0}
    assert Snapshot.objects.filter(kpi=kpi, period=JANUARY).exists()
    assert marks() == []
    assert tasks.recompute_marked() == {"marks": 0, "kpis": 0, "health": 0}


def test_many_changes_to_one_kpi_are_one_recompute(partnership, manager):
    kpi = make_kpi(partnership)
    for month, value in ((1, "70"), (2, "80"), (3, "90")):
        services.measurement_record(kpi=kpi, period=date(2024, month, 1), value=value, by=manager)
    swept = recomputes.sweep()
    assert (swept.marks, swept.kpis) == (3, {kpi.pk})


def test_health_marks_score_the_partnership_again(partnership, manager):
    make_kpi(partnership)
    recomputes.mark_health([partnership.pk, partnership.pk])
    assert marks() == [("health", partnership.pk)]
    swept = recomputes.sweep()
    assert swept.partnerships == {partnership.pk}
    assert HealthSnapshot.objects.filter(partnership=partnership).exists()


def test_a_mark_stays_when_its_recompute_fails(partnership, manager, monkeypatch):
    kpi = make_kpi(partnership)
    services.measurement_record(kpi=kpi, period=JANUARY, value="70", by=manager)

    def broken(*args, **kwargs):
        raise RuntimeError("worker lost its database halfway")

    monkeypatch.setattr(snapshots, "recompute", broken)
    with pytest.raises(RuntimeError):
        recomputes.sweep()
    assert marks() == [("kpi", kpi.pk)]
    monkeypatch.undo()
    recomputes.sweep()
    assert marks() == [] and Snapshot.objects.filter(kpi=kpi).exists()


def test_a_rolled_back_change_leaves_no_mark(partnership):
    from django.db import transaction

    kpi = make_kpi(partnership)
    with transaction.atomic():
        recomputes.mark_kpis([kpi.pk])
        transaction.set_rollback(True)
    assert marks() == []


def test_marks_made_after_a_sweep_began_wait_for_the_next(partnership):
    first, second = make_kpi(partnership), make_kpi(partnership)
    recomputes.mark_kpis([first.pk])
    upto = RecomputeMark.objects.get().pk
    recomputes.mark_kpis([second.pk])
    swept = recomputes.Swept()
    while recomputes.sweep_batch(upto=upto, limit=10, swept=swept):
        pass
    assert swept.kpis == {first.pk} and marks() == [("kpi", second.pk)]


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_never_take_the_same_mark(partnership):
    kpis = [make_kpi(partnership) for _ in range(4)]
    # Marks as a save writes them, whose kicks did not reach a worker.
    RecomputeMark.objects.bulk_create(RecomputeMark(kind="kpi", target_id=k.pk) for k in kpis)
    held = sorted(RecomputeMark.objects.values_list("pk", flat=True))[:2]
    # Another worker's sweep holds the first two marks in its transaction.
    with psycopg.connect(**test_db.params()) as other:
        other.execute(
            f"SELECT id FROM {RecomputeMark._meta.db_table} WHERE id = ANY(%s) FOR UPDATE",
            [held],
        )
        swept = recomputes.sweep(batch=1)
        assert swept.marks == 2
        assert set(RecomputeMark.objects.values_list("pk", flat=True)) == set(held)
    # Released (that sweep died, say): the next sweep takes them.
    assert recomputes.sweep().marks == 2 and marks() == []


# Committed for real: the kick runs inside the request, as it does in production.
@pytest.mark.django_db(transaction=True)
def test_a_page_whose_kick_found_no_broker_says_the_value_is_saved(
    client, partnership, manager, monkeypatch
):
    # The broker itself is stopped for real in tests/chaos/test_jobs_redis_down.py; here only
    # the answer of config.celery.queue_briefly is given.
    monkeypatch.setattr(recomputes, "queue_briefly", lambda name, *args: False)
    kpi = make_kpi(partnership)
    client.force_login(manager)
    response = client.post(
        reverse("kpis:measurement_create", args=[kpi.pk]),
        {"period": "2024-01-01", "value": "70"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Value recorded." in response.text
    assert "dashboard will catch up" in response.text
    assert marks() == [("kpi", kpi.pk)]


@pytest.mark.django_db(transaction=True)
def test_a_page_whose_kick_reached_a_worker_says_nothing_more(client, partnership, manager):
    kpi = make_kpi(partnership)
    client.force_login(manager)
    response = client.post(
        reverse("kpis:measurement_create", args=[kpi.pk]),
        {"period": "2024-01-01", "value": "70"},
        follow=True,
    )
    assert "Value recorded." in response.text
    assert "catch up" not in response.text
    assert marks() == []
