"""A version of the data pages are built from, which every committed write moves on.

Caches key rendered pages on it, so they never serve anything older than the last committed
write. Every table of every installed app's concrete models is tracked (many-to-many tables
included, and any model added later with no list to keep), except the few in ``UNTRACKED``,
which no page shows: after ``migrate``, a PostgreSQL statement trigger on each of them counts
every write, whatever made it: a form, ``bulk_create`` or ``update``, raw SQL, COPY, TRUNCATE or
a cascade. (tests/partnerships/test_changes.py writes each model and checks that the version
moves on, and that every table the cached pages query is tracked.)

The count lives in a few ``ChangeCounter`` rows. A transaction's first write adds one to a
row no other transaction holds (``FOR UPDATE SKIP LOCKED``, or a new row when all are held),
so writers never wait for one another and a long recompute blocks nobody; its later writes
add nothing (a row updated thousands of times in one transaction gets slower to update). The
version is the sum of the rows: it grows with every commit that wrote, and a transaction that
rolls back leaves it as it was. A new row starts at a random offset, so a database emptied and
filled again (as tests do) does not come back to a version it had.
"""

from django.apps import apps
from django.db import connections
from django.db.models.signals import post_migrate

TRIGGER = "concord_count_change"
COUNTER = "partnerships_changecounter"
# Tables whose writes do not change any page, and why.
UNTRACKED = {
    # The count itself: the trigger writes it.
    COUNTER: "the counter of changes",
    # A visitor's session is never part of a cached part (each is keyed by its user, and the
    # CSRF token is put in on the way out); sessions are written at sign-in and once a day.
    "django_session": "sessions",
    # Sign-in attempts counted by django-axes: no page shows them, and a wrong password must
    # not make every cached page be built again.
    "axes_accessattempt": "sign-in attempts",
    "axes_accessattemptexpiration": "sign-in attempts",
    "axes_accessfailurelog": "sign-in attempts",
    "axes_accesslog": "sign-in attempts",
    # Not a table: django-pghistory's view over the audit's event tables, read through a CTE.
    "pghistory_events": "the audit trail's aggregate of events",
}

_RANDOM_START = "1 + floor(random() * 2 ^ 40)::bigint"
_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Once per transaction (a rolled-back savepoint takes this mark back with its count).
  IF current_setting('concord.change_counted', true) = 'on' THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('concord.change_counted', 'on', true);
  UPDATE partnerships_changecounter SET n = n + 1
   WHERE id = (SELECT id FROM partnerships_changecounter LIMIT 1 FOR UPDATE SKIP LOCKED);
  IF NOT FOUND THEN
    INSERT INTO partnerships_changecounter (n) VALUES ({_RANDOM_START});
  END IF;
  RETURN NULL;
END $$
"""
# An emptied counter (a new or flushed database) restarts somewhere it has never been.
_START = (
    f"INSERT INTO partnerships_changecounter (n) SELECT {_RANDOM_START} "
    "WHERE NOT EXISTS (SELECT FROM partnerships_changecounter)"
)


def tracked_tables():
    """Every table of the installed apps' concrete models, but ``UNTRACKED``."""
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    return tables - set(UNTRACKED)


def install(using="default"):
    """Create the counting function, and the trigger on each tracked table that lacks one."""
    connection = connections[using]
    tracked = tracked_tables()
    with connection.cursor() as cursor:
        cursor.execute(_FUNCTION)
        cursor.execute(_START)
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s",
            [TRIGGER],
        )
        present = {name for (name,) in cursor.fetchall()}
        # A table not migrated yet gets its trigger on a later ``migrate``; until then
        # ``version()`` finds a trigger missing and answers None.
        existing = set(connection.introspection.table_names(cursor))
        for table in sorted((tracked & existing) - present):
            # Only missing triggers are created: CREATE TRIGGER locks the table against writes.
            cursor.execute(
                f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}()'
            )


def _install_after_migrate(sender, using="default", **kwargs):
    install(using)


def connect():
    # Once per ``migrate`` (the partnerships app's own signal), after every app's migrations.
    post_migrate.connect(
        _install_after_migrate, sender=apps.get_app_config("partnerships"), weak=False
    )


def version(using="default"):
    """The version of the tracked data, or None when a cache must not rely on it: inside a
    transaction (which may yet roll back what it wrote), when the counter was emptied since
    ``migrate``, or when a tracked table lacks its trigger. One query; three when the count
    comes up short (the tables' ids looked up again, then counted again), which after a table
    was created again finds its new id, and with a trigger missing repeats on every call."""
    connection = connections[using]
    if connection.in_atomic_block or not connection.get_autocommit():
        return None
    tables = tracked_tables()
    with connection.cursor() as cursor:
        for fresh in (False, True):
            cursor.execute(
                "SELECT (SELECT sum(n) FROM partnerships_changecounter), "
                "(SELECT count(*) FROM pg_trigger t WHERE t.tgrelid = ANY(%s::oid[]) "
                " AND t.tgname = %s AND t.tgenabled <> 'D')",
                [_table_ids(connection, tables, fresh), TRIGGER],
            )
            total, installed = cursor.fetchone()
            if installed >= len(tables):
                break
    if total is None or installed < len(tables):
        return None
    return int(total)


_ids = {}  # database alias -> (the tables, their ids as an array literal)


def _table_ids(connection, tables, fresh):
    """The tracked tables' ids (pg_class oids) as one array literal, looked up by name once a
    process and again when ``fresh``: a table dropped and created again has a new id, which
    the trigger count then misses. Counting triggers by id rather than by table name takes
    ~0.7 ms of each cached page's ~1.6 ms version query away (141 names sent and matched
    against every relation's name)."""
    held = _ids.get(connection.alias)
    if fresh or held is None or held[0] != tables:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(string_agg(c.oid::text, ',' ORDER BY c.oid), '') FROM pg_class c "
                "WHERE c.relname = ANY(%s)",
                [sorted(tables)],
            )
            (ids,) = cursor.fetchone()
        held = _ids[connection.alias] = (tables, "{" + ids + "}")
    return held[1]
