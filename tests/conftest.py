"""Shared fixtures. The suite runs on real PostgreSQL and Redis (see `make test`)."""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright sync API

import hypothesis  # noqa: E402
import pytest  # noqa: E402
import time_machine  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402

from tests import migrated_data  # noqa: E402
from tests.clock import NOW  # noqa: E402
from tests.factories import make_partner, make_partnership, make_user  # noqa: E402

migrated_data.restore_after_every_flush()

# Property tests (hypothesis): no per-example deadline on a machine that other jobs share.
hypothesis.settings.register_profile("concord", deadline=None)
hypothesis.settings.load_profile("concord")


def pytest_sessionstart(session):
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.exit(
            "The test suite runs on PostgreSQL, not "
            f"{db['ENGINE']}. Run `make test`, or set DATABASE_URL="
            "postgres://postgres@127.0.0.1:5432/concord.",
            returncode=2,
        )
    import psycopg

    from tests import db as test_db

    try:
        psycopg.connect(**test_db.params("postgres"), connect_timeout=3).close()
    except psycopg.OperationalError as error:
        pytest.exit(
            f"PostgreSQL is unreachable ({error}). Run `make test`, which starts the embedded "
            "server when no other answers, or point TEST_DATABASE_URL at a running server.",
            returncode=2,
        )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, django_db_keepdb):
    """A reused database starts as a new one would: whatever an interrupted run left is
    flushed, and the data migrations' rows come back (see tests/migrated_data.py)."""
    if django_db_keepdb:
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def clock(request):
    """Time stands still at ``tests.clock.NOW`` (``clock.move_to(moment)`` moves it). Tests
    marked ``ticking_clock`` start there with time running; ``real_clock`` ones read the
    machine's clock, for threads and processes that wait on it (a Celery worker, gunicorn)."""
    if request.node.get_closest_marker("real_clock"):
        yield None
        return
    tick = request.node.get_closest_marker("ticking_clock") is not None
    with time_machine.travel(NOW, tick=tick) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (Redis in the suite): pages, import progress or
    sessions cached by an earlier test are never served to a later one."""
    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files land in a folder of their own, so no test sees another's files or the
    names Django gives to avoid them."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def real_worker(transactional_db):
    """A Celery worker running in this process, consuming from the Redis test broker."""
    from celery.contrib.testing.worker import start_worker

    from config import celery_app

    assert celery_app.conf.broker_url.startswith("redis://"), "tests must use the Redis broker"
    celery_app.conf.task_always_eager = False
    # Messages left by an earlier run would reach this worker first.
    celery_app.control.purge()
    try:
        with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30) as worker:
            yield worker
    finally:
        celery_app.conf.task_always_eager = True


@pytest.fixture
def coo(db):
    return make_user("coo", "Executive", first_name="Clara", last_name="Okafor")


@pytest.fixture
def manager(db):
    return make_user("manager", "Partner manager", first_name="Marco", last_name="Rossi")


@pytest.fixture
def other_manager(db):
    return make_user("other", "Partner manager", first_name="Olga", last_name="Berg")


@pytest.fixture
def viewer(db):
    return make_user("viewer", "Viewer", first_name="Vik", last_name="Shah")


@pytest.fixture
def partner(db):
    return make_partner("Northwind Analytics")


@pytest.fixture
def partnership(db, partner, manager, viewer):
    """A partnership whose team is `manager` (owner) and `viewer`."""
    p = make_partnership(partner=partner, title="Joint analytics offering", owner=manager)
    p.team.add(manager, viewer)
    return p


def client_for(client, user):
    client.force_login(user)
    return client
