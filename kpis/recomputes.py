"""Recomputes that no broker outage loses.

A change that moves a KPI's snapshots or a partnership's health writes a ``RecomputeMark`` in its
own transaction, then asks a worker, once it has committed, to sweep the marks. The ask is one
brief try: with Redis down the page still answers (saying the dashboard will catch up) and the
sweep that beat runs every minute takes the marks instead. A sweep claims marks with
``FOR UPDATE SKIP LOCKED``, recomputes, and deletes them in that same transaction: two sweeps
never take the same mark, and a mark goes only with a recompute that committed.
"""

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from config.celery import once_on_commit, queue_briefly

from . import health, snapshots
from .models import RecomputeMark

SWEEP_TASK = "kpis.recompute_marked"
Kind = RecomputeMark.Kind


# Marking ------------------------------------------------------------------------------------


def mark_kpis(kpi_ids):
    """These KPIs' snapshots, alerts and health are recomputed once this transaction commits."""
    _mark(Kind.KPI, kpi_ids)


def mark_health(partnership_ids):
    """These partnerships' health is scored again once this transaction commits."""
    _mark(Kind.HEALTH, partnership_ids)


def _mark(kind, ids):
    ids = sorted({int(pk) for pk in ids})
    if not ids:
        return
    if len(ids) >= MARKS_BY_ARRAY:
        insert_marks_by_array(kind, ids)
    else:
        insert_marks(kind, ids)
    kick_on_commit()


# From this many marks on (a large import marks 10,000 KPIs), one statement takes them as an
# array: building a model instance a mark took ~0.2 s of the import's apply
# (docs/decisions/import-copy-write.md).
MARKS_BY_ARRAY = 500


def insert_marks(kind, ids):
    RecomputeMark.objects.bulk_create(RecomputeMark(kind=kind, target_id=pk) for pk in ids)


def insert_marks_by_array(kind, ids):
    """What ``insert_marks`` writes: a mark an id, in the ids' order, marked now."""
    table = RecomputeMark._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (kind, target_id, marked_at) "
            "SELECT %s, target, %s FROM unnest(%s::bigint[]) WITH ORDINALITY AS t(target, n) "
            "ORDER BY n",
            [kind, timezone.now(), list(ids)],
        )


def kick_on_commit():
    """One kick per transaction, however many marks it writes: one sweep takes them all."""
    once_on_commit(kick)


# The page's side: did the kick reach a worker? ------------------------------------------------

_deferred = contextvars.ContextVar("recompute_deferred", default=None)

DEFERRED_NOTICE = (
    "Saved. The background workers cannot be reached right now, so snapshots, alerts and the "
    "dashboard will catch up within a few minutes of their return; nothing needs entering again."
)


@dataclass
class Watch:
    deferred: int = 0


@contextmanager
def watching():
    """Counts the kicks inside the block that could not reach the broker."""
    watch = Watch()
    token = _deferred.set(watch)
    try:
        yield watch
    finally:
        _deferred.reset(token)


def kick():
    """Ask a worker to sweep now (after the commit: the marks are safe whatever happens here)."""
    if not queue_briefly(SWEEP_TASK):
        watch = _deferred.get()
        if watch is not None:
            watch.deferred += 1


# Sweeping -----------------------------------------------------------------------------------


@dataclass
class Swept:
    marks: int = 0
    kpis: set = field(default_factory=set)
    partnerships: set = field(default_factory=set)


def sweep(*, batch=None):
    """Recompute what is marked, batch by batch, until no mark made before this sweep started
    is left unclaimed. Returns what was done."""
    batch = batch or settings.KPI_RECOMPUTE_BATCH
    last = RecomputeMark.objects.order_by("-pk").values_list("pk", flat=True).first()
    swept = Swept()
    while last is not None and sweep_batch(upto=last, limit=batch, swept=swept):
        pass
    return swept


def sweep_batch(*, upto, limit, swept):
    """Claim up to ``limit`` marks, recompute them and delete them, in one transaction.
    Returns how many were claimed (0: nothing left, or all held by other sweeps)."""
    with transaction.atomic():
        marks = list(
            RecomputeMark.objects.filter(pk__lte=upto)
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", "kind", "target_id")[:limit]
        )
        if not marks:
            return 0
        kpi_ids = sorted({target for _, kind, target in marks if kind == Kind.KPI})
        partnership_ids = sorted({target for _, kind, target in marks if kind == Kind.HEALTH})
        if kpi_ids:
            snapshots.recompute(kpi_ids)
        if partnership_ids:
            health.compute_health(partnership_ids)
        RecomputeMark.objects.filter(pk__in=[pk for pk, _, _ in marks]).delete()
    swept.marks += len(marks)
    swept.kpis.update(kpi_ids)
    swept.partnerships.update(partnership_ids)
    return len(marks)
