import logging
import os
import threading

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

log = logging.getLogger(__name__)

app = Celery("concord")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="concord.health_check")
def health_check():
    """Proves a worker is alive and can reach the database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (value,) = cursor.fetchone()
    return {"status": "ok", "database": value == 1}


@app.task(name="concord.beat_heartbeat")
def beat_heartbeat():
    """Scheduled every minute: /healthz reads its age to tell that beat and a worker run."""
    from .health import record_heartbeat

    record_heartbeat()


def once_on_commit(func):
    """Run ``func`` after the current transaction commits, once however many times a
    transaction asks: one kick carries all the rows it wrote.

    A call already registered is enough only if it cannot be rolled back without the caller's
    rows: one registered in a savepoint that is still open, or in none.
    """
    from django.db import transaction

    connection = transaction.get_connection()
    open_savepoints = set(connection.savepoint_ids)
    for savepoints, registered, _ in connection.run_on_commit:
        if registered is func and savepoints <= open_savepoints:
            return
    transaction.on_commit(func, robust=True)


# One try, briefly: a page must not wait on a broker that is down (Celery's own publishing
# retries for several seconds, and redis-py adds its own).
BRIEF_TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 2, "socket_timeout": 2}


def queue_briefly(name, *args):
    """Queue the task ``name`` once, without waiting on a broker that is down. True when it was
    queued (or, with eager tasks, has run); False when the broker could not be reached, which is
    logged and left to whatever periodic job picks the work up from the database."""
    task = app.tasks[name]
    if app.conf.task_always_eager:
        task.apply(args)
        return True
    try:
        # No result is kept: nobody waits for one, and a result backend that is down must not
        # delay the page that queues this.
        _publish_briefly(
            lambda connection: task.apply_async(
                args, retry=False, connection=connection, ignore_result=True
            )
        )
    except Exception:
        log.warning("Could not queue %s; a periodic job picks the work up.", name, exc_info=True)
        return False
    return True


_kept = threading.local()


def _publish_briefly(publish):
    """``publish(connection)`` on this thread's kept broker connection, opened by its first
    publish: a new connection for each cost ~5 ms of CPU, a kept one ~0.7 ms (a save kicks its
    recompute this way). A broker restarted since is reached again by the kept connection
    itself; one that fails is dropped, and the next publish opens a new one."""
    kept = getattr(_kept, "connection", None)
    if kept is not None and kept[0][0] != os.getpid():
        kept = _kept.connection = None  # a forked child's copy of its parent's: not closed here
    if kept is None or kept[0][1] != app.conf.broker_url:
        _drop_kept()
        connection = app.connection_for_write(transport_options=BRIEF_TRANSPORT_OPTIONS)
        kept = _kept.connection = ((os.getpid(), app.conf.broker_url), connection)
    try:
        publish(kept[1])
    except Exception:
        _drop_kept()
        raise


def _drop_kept():
    kept, _kept.connection = getattr(_kept, "connection", None), None
    if kept is not None:
        try:
            kept[1].release()
        except Exception:
            log.debug("A stale broker connection did not close cleanly.", exc_info=True)


def queue_each_briefly(name, arguments):
    """Queue the task ``name`` once per argument, on one broker connection, without
    waiting on a broker that is down. Returns how many were queued (or, with eager tasks, have
    run); the rest are logged and left to whatever periodic job picks the work up."""
    task = app.tasks[name]
    if app.conf.task_always_eager:
        for argument in arguments:
            task.apply((argument,))
        return len(arguments)
    queued = 0
    try:
        with app.connection_for_write(transport_options=BRIEF_TRANSPORT_OPTIONS) as connection:
            for argument in arguments:
                task.apply_async(
                    (argument,), retry=False, connection=connection, ignore_result=True
                )
                queued += 1
    except Exception:
        log.warning(
            "Queued %s of %s %s tasks; a periodic job picks the rest up.",
            queued,
            len(arguments),
            name,
            exc_info=True,
        )
    return queued
