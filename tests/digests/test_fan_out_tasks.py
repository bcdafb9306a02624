"""The hourly fan-out hands the writing of the due digests to tasks that any worker may run:
queued only once the records are committed, each digest written once however many tasks race
for it, and a digest whose task was lost written by the next fan-out."""

import base64
import json
import threading

import pytest
from django.db import connection

from digests import services
from digests.models import DeliveryStatus, Digest
from outbox.models import Message
from outbox.services import deliver_due
from tests.processes import celery_broker_fixture  # noqa: F401 (the fixture)

from .conftest import MONDAY_0705_LONDON


def queued_writes(broker):
    """The ``digests.write_digests`` tasks waiting in the broker: one list of ids each."""
    chunks = []
    for raw in reversed(broker.lrange("celery", 0, -1)):  # pushed at the head, taken at the tail
        message = json.loads(raw)
        if message["headers"]["task"] == "digests.write_digests":
            args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
            chunks.append(args[0])
    return chunks


def run_queued(broker):
    """What a worker does with the queued tasks, and the outbox worker after it."""
    chunks = queued_writes(broker)
    broker.flushdb()
    for chunk in chunks:
        services.digests_write(chunk)
    deliver_due()
    return chunks


@pytest.mark.django_db
def test_tasks_are_queued_after_the_records_commit(
    frozen, smtp, coo, manager, viewer, partnership, celery_broker, settings,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    settings.DIGEST_CHUNK = 2
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ids = services.digest_fan_out_to_workers(now=MONDAY_0705_LONDON)
        # Recorded, pending, not written: nothing is built in the fan-out itself...
        assert len(ids) == 3 and Digest.objects.filter(pk__in=ids).count() == 3
        assert not Message.objects.exists()
        assert set(Digest.objects.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    # ...and nothing queued before the commit: a worker could not see the records yet.
    assert queued_writes(celery_broker) == []

    for callback in callbacks:
        callback()

    assert queued_writes(celery_broker) == [ids[:2], ids[2:]]
    run_queued(celery_broker)
    assert sorted(m.to[0] for m in smtp.received) == sorted(
        [coo.email, manager.email, viewer.email]
    )
    assert set(Digest.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    # The next hourly run finds them all written: nothing to hand out.
    assert services.digest_fan_out_to_workers(now=MONDAY_0705_LONDON) == []


@pytest.mark.django_db
def test_the_next_fan_out_writes_a_digest_whose_task_never_ran(
    frozen, smtp, coo, partnership, celery_broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ids = services.digest_fan_out_to_workers(now=MONDAY_0705_LONDON)
    assert queued_writes(celery_broker) == [ids]
    celery_broker.flushdb()  # the task is lost: Redis restarted empty, or its worker died

    assert set(Digest.objects.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    assert not Message.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):  # the next hourly run
        assert services.digest_fan_out_to_workers(now=MONDAY_0705_LONDON) == ids
    # Handed out twice (say the lost task comes back after all): still written once.
    assert run_queued(celery_broker) == [ids]
    assert services.digests_write(ids) == []

    assert Message.objects.filter(origin__in=[f"digest:{pk}" for pk in ids]).count() == 3
    assert len(smtp.to(coo.email)) == 1 and len(smtp.received) == 3
    assert set(Digest.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


@pytest.mark.django_db
def test_with_the_broker_down_the_digests_wait_for_the_next_fan_out(
    frozen, smtp, coo, partnership, celery_broker, django_capture_on_commit_callbacks
):
    from config import celery_app

    broker_url, celery_app.conf.broker_url = celery_app.conf.broker_url, "redis://127.0.0.1:1/0"
    try:
        with django_capture_on_commit_callbacks(execute=True):
            ids = services.digest_fan_out_to_workers(now=MONDAY_0705_LONDON)
    finally:
        celery_app.conf.broker_url = broker_url
    assert queued_writes(celery_broker) == []
    assert set(Digest.objects.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    assert not Message.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.digest_fan_out_to_workers(now=MONDAY_0705_LONDON) == ids
    run_queued(celery_broker)
    assert len(smtp.to(coo.email)) == 1 and len(smtp.received) == 3


@pytest.mark.django_db(transaction=True)
def test_two_tasks_racing_for_a_digest_build_it_once(frozen, smtp, coo, partnership, monkeypatch):
    services.digest_record_due(now=MONDAY_0705_LONDON)
    digest_id = Digest.objects.get(user=coo).pk
    building, second_done = threading.Event(), threading.Event()
    builds = []
    build = services.build_digest

    def slow_build(user, schedule):
        builds.append(user.pk)
        building.set()
        second_done.wait(timeout=10)  # the other task runs while this one holds the digest
        return build(user, schedule)

    monkeypatch.setattr(services, "build_digest", slow_build)
    results = {}

    def task(name, wait_for=None):
        try:
            if wait_for is not None:
                wait_for.wait(timeout=10)
            results[name] = services.digests_write([digest_id])
        finally:
            if name == "second":
                second_done.set()
            connection.close()

    threads = [
        threading.Thread(target=task, args=("first",)),
        threading.Thread(target=task, args=("second", building)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert results == {"first": [digest_id], "second": []}
    assert builds == [coo.pk]
    assert Message.objects.filter(origin=f"digest:{digest_id}").count() == 1
    deliver_due()
    assert len(smtp.to(coo.email)) == 1
