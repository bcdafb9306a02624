"""The data version cached pages key on: every committed write to a tracked table moves it on,
whatever made the write, and writers never wait for one another because of it."""

import io
import re
import threading
from datetime import date

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.models import ActionItem, Risk
from kpis.models import Alert, HealthSnapshot, Kpi, Snapshot
from partnerships import changes
from partnerships.models import Partnership, StrategicGoal
from partnerships.panels import panels
from tests import db as test_db
from tests.factories import make_goal, make_objective, make_partner

pytestmark = pytest.mark.django_db(transaction=True)


def raw_connection():
    return psycopg.connect(**test_db.params(), autocommit=True)


def moves(write):
    before = changes.version()
    write()
    after = changes.version()
    assert before is not None and after is not None
    return after - before


def test_every_kind_of_write_moves_the_version_on(partnership):
    goal = make_goal()
    assert moves(lambda: make_objective(partnership, goal)) > 0  # create
    assert moves(lambda: Partnership.objects.filter(pk=partnership.pk).update(title="T")) > 0
    assert moves(lambda: StrategicGoal.objects.bulk_create([StrategicGoal(title="Bulk")])) > 0
    assert moves(lambda: partnership.team.clear()) > 0  # the team table, many-to-many

    def copy():
        with connection.cursor() as cursor:
            sql = "COPY partnerships_strategicgoal (title, description, is_active, created_at)"
            with cursor.copy(f"{sql} FROM STDIN") as out:
                out.write("Copied\t\tt\t2026-01-01 00:00:00+00\n")

    assert moves(copy) > 0
    assert moves(lambda: connection.cursor().execute("TRUNCATE kpis_healthsnapshot")) > 0
    assert moves(lambda: make_partner().delete()) > 0


def test_a_write_that_rolls_back_leaves_the_version_alone(partnership):
    before = changes.version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Partnership.objects.update(title="Never")
        assert changes.version() is None  # inside a transaction nothing may be cached
        raise RuntimeError
    assert changes.version() == before


def test_each_writing_transaction_counts_once(partnership):
    before = changes.version()
    for _ in range(5):
        with transaction.atomic():
            Partnership.objects.update(title="Again")
            Risk.objects.update(title="And again")
    assert changes.version() == before + 5
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():  # a savepoint, rolled back
            Partnership.objects.update(title="Undone")
            raise RuntimeError
        Partnership.objects.update(title="Kept")  # still counted
    assert changes.version() == before + 6


def test_writers_do_not_wait_for_each_other(partnership):
    """A long transaction holding its counter row does not block another writer."""
    before = changes.version()
    with raw_connection() as long, raw_connection() as other:
        long.execute("BEGIN")
        long.execute(
            "UPDATE partnerships_partnership SET title = 'Long' WHERE id = %s", [partnership.pk]
        )
        other.execute("SET lock_timeout = '2s'")
        other.execute("BEGIN")
        other.execute("UPDATE governance_risk SET title = title")
        other.execute("COMMIT")  # it did not wait: the first transaction is still open
        middle = changes.version()
        assert middle > before
        long.execute("COMMIT")
    assert changes.version() > middle


def test_concurrent_writers_all_commit(partnership):
    before = changes.version()
    errors = []

    def write(n):
        try:
            with raw_connection() as conn:
                conn.execute("SET lock_timeout = '2s'")
                for _ in range(n):
                    with conn.transaction():
                        conn.execute("UPDATE partnerships_partnership SET title = title")
                        conn.execute("UPDATE governance_risk SET title = title")
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(10,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    # At least one per commit; more when a writer found every counter row held and added one.
    assert changes.version() >= before + 40


def test_no_version_without_the_triggers(partnership):
    assert changes.version() is not None
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {changes.TRIGGER} ON kpis_alert")
    assert changes.version() is None
    changes.install()
    assert changes.version() is not None


def test_a_table_created_again_is_counted_by_its_new_id(partnership):
    assert changes.version() is not None
    # As if a tracked table had been dropped and created again since this process looked its
    # tables' ids up: one id it holds is no table's any more.
    tables, ids = changes._ids[connection.alias]
    first, rest = ids[1:].split(",", 1)
    changes._ids[connection.alias] = (tables, "{0," + rest)
    assert changes.version() is not None
    looked_up_again = changes._ids[connection.alias][1]
    assert set(looked_up_again.strip("{}").split(",")) == set(ids.strip("{}").split(","))
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE kpis_alert DISABLE TRIGGER {changes.TRIGGER}")
    assert changes.version() is None
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE kpis_alert ENABLE TRIGGER {changes.TRIGGER}")
    assert changes.version() is not None


# Tables read for the request itself (its session, the day it was last seen, the version).
REQUEST_TABLES = {"django_session", "digests_digestpreference", "partnerships_changecounter"}


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"stage": "active", "type": "technology", "sort": "-health"},
        {"overdue": "dd", "health": "none", "renewal": "90", "q": "a", "sort": "-risk"},
        {"goal": "1", "owner": "1", "sort": "dd", "page": "2"},
        {"overdue": "risk_review", "sort": "-alerts"},
    ],
)
def test_every_table_the_portfolio_reads_is_tracked(client, coo, manager, partnership, query):
    kpi = Kpi.objects.create(
        partnership=partnership,
        objective=make_objective(partnership),
        name="Uptime",
        unit="percent",
        direction="higher",
        target=99,
        warning=98,
        critical=95,
        frequency="monthly",
    )
    Snapshot.objects.create(
        kpi=kpi,
        partnership=partnership,
        period=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
        frequency="monthly",
        is_latest=True,
        status="at_risk",
        kpi_version=1,
        direction="higher",
        target=99,
        warning=98,
        critical=95,
    )
    Alert.objects.create(
        kpi=kpi,
        partnership=partnership,
        severity="at_risk",
        peak_severity="at_risk",
        opened_period=date(2026, 1, 1),
    )
    HealthSnapshot.objects.create(
        partnership=partnership, period=date(2026, 1, 1), score=70, band="amber"
    )
    Risk.objects.create(
        partnership=partnership, title="r", category="legal", likelihood=2, impact=3
    )
    ActionItem.objects.create(
        partnership=partnership, title="a", owner=manager, due_date=date(2026, 1, 1)
    )
    for user in (coo, manager):
        client.force_login(user)
        for headers in ({}, {"HX-Request": "true"}):
            with transaction.atomic(), CaptureQueriesContext(connection) as queries:
                # Inside a transaction the page is built, not taken from the cache.
                assert (
                    client.get(reverse("partnerships:list"), query, headers=headers).status_code
                    == 200
                )
            assert tables_read(queries) - REQUEST_TABLES <= changes.tracked_tables()


def tables_read(queries):
    return {
        table
        for q in queries.captured_queries
        for table in re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', q["sql"])
    }


def test_every_table_a_cached_page_or_panel_reads_is_tracked(client):
    """The partnership page, its interaction log and every panel, for each demo partnership,
    as an executive and as a partner manager: what they show must move the version on."""
    call_command("seed_demo", stdout=io.StringIO())
    users = [get_user_model().objects.get(username=name) for name in ("coo", "manager")]
    untracked = {}
    for partnership in Partnership.objects.all():
        urls = [
            (partnership.get_absolute_url(), {}),
            (partnership.get_absolute_url(), {"HX-Request": "true"}),
            *((panel.url(partnership), {"HX-Request": "true"}) for panel in panels()),
        ]
        for user in users:
            client.force_login(user)
            for url, headers in urls:
                with transaction.atomic(), CaptureQueriesContext(connection) as queries:
                    status = client.get(url, headers=headers).status_code
                assert status in (200, 404), (url, status)
                for table in tables_read(queries) - REQUEST_TABLES - changes.tracked_tables():
                    untracked.setdefault(table, url)
    assert not untracked, sorted(untracked.items())
