"""queue_briefly keeps its broker connection between publishes, and a kept connection never
costs a kick: a broker restarted since gets the kick on a new connection, a broker that is
down gets none, quickly. A Redis server of the test's own, stopped by its PID."""

import os
import time

import pytest
import redis

from config import celery, celery_app

from .jobs_processes import own_redis

__all__ = ["own_redis"]  # fixture

pytestmark = pytest.mark.real_clock

TASK = "outbox.deliver"


@pytest.fixture
def broker(own_redis):
    """The app publishing for real to the test's own Redis; the kept connection forgotten
    before and after."""
    conf = celery_app.conf
    eager, url = conf.task_always_eager, conf.broker_url
    conf.task_always_eager, conf.broker_url = False, own_redis.url
    celery._drop_kept()
    yield own_redis
    celery._drop_kept()
    conf.task_always_eager, conf.broker_url = eager, url


def queued(server):
    client = redis.Redis.from_url(server.url)
    try:
        return client.llen("outbox")  # the task's own queue (CELERY_TASK_ROUTES)
    finally:
        client.close()


def kept():
    held = getattr(celery._kept, "connection", None)
    return held and held[1]


def test_publishes_share_one_connection(broker):
    assert celery.queue_briefly(TASK)
    first = kept()
    assert first is not None
    assert celery.queue_briefly(TASK)
    assert kept() is first
    assert queued(broker) == 2


def test_a_broker_restarted_since_gets_the_kick(broker):
    assert celery.queue_briefly(TASK)
    broker.stop()  # by its PID; everything it held is gone
    broker.start()  # the same port
    assert celery.queue_briefly(TASK)
    assert queued(broker) == 1


def test_a_forked_child_opens_its_own(broker):
    assert celery.queue_briefly(TASK)
    parents = kept()
    pid = os.fork()
    if pid == 0:  # the child: publishes on a connection of its own, the parent's left open
        os._exit(0 if celery.queue_briefly(TASK) and kept() is not parents else 1)
    assert os.waitpid(pid, 0)[1] == 0
    assert kept() is parents
    assert celery.queue_briefly(TASK)
    assert queued(broker) == 3


def test_a_broker_that_is_down_gets_no_kick_and_no_wait(broker):
    assert celery.queue_briefly(TASK)
    broker.stop()
    started = time.monotonic()
    assert not celery.queue_briefly(TASK)
    assert time.monotonic() - started < 5, "the page waited on the broker"
    assert kept() is None
    broker.start()
    assert celery.queue_briefly(TASK)
    assert queued(broker) == 1
