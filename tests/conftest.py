"""Shared fixtures. The suite runs on real PostgreSQL and Redis (see `make test`)."""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright sync API

import pytest  # noqa: E402
from django.conf import settings  # noqa: E402

from tests.factories import make_partner, make_partnership, make_user  # noqa: E402


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
