"""A version of the data pages are built from, which every committed write moves on.

Caches key rendered pages on it, so they never serve anything older than the last committed
write. Apps declare the tables their cached contributions read with ``track()`` from
``AppConfig.ready``; after ``migrate``, a PostgreSQL statement trigger on each of them counts
every write, whatever made it: a form, ``bulk_create`` or ``update``, raw SQL, COPY, TRUNCATE or
a cascade. (tests/partnerships/test_changes.py checks that every table the cached pages query
is tracked, and that each kind of write moves the version on.)

The count lives in a few ``ChangeCounter`` rows. A transaction's first write adds one to a
row no other transaction holds (``FOR UPDATE SKIP LOCKED``, or a new row when all are held),
so writers never wait for one another and a long recompute blocks nobody; its later writes
add nothing (a row updated thousands of times in one transaction gets slower to update). The
version is the sum of the rows: it grows with every commit that wrote, and a transaction that
rolls back leaves it as it was. A new row starts at a random offset, so a database emptied and
filled again (as tests do) does not come back to a version it had.
"""

from django.db import connections
from django.db.models.signals import post_migrate

TRIGGER = "concord_count_change"
_tracked = {}  # db_table -> model

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


def track(*models):
    """Count writes to these models' tables (call from ``AppConfig.ready``)."""
    for model in models:
        _tracked[model._meta.db_table] = model


def tracked_tables():
    return set(_tracked)


def install(using="default"):
    """Create the counting function, and the trigger on each tracked table that lacks one."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
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
        for table in sorted((set(_tracked) & existing) - present):
            # Only missing triggers are created: CREATE TRIGGER locks the table against writes.
            cursor.execute(
                f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}()'
            )


def _install_after_migrate(sender, using="default", **kwargs):
    install(using)


def connect():
    # Once per ``migrate`` (the partnerships app's own signal), after every app's migrations.
    from django.apps import apps

    post_migrate.connect(
        _install_after_migrate, sender=apps.get_app_config("partnerships"), weak=False
    )


def version(using="default"):
    """The version of the tracked data, or None when a cache must not rely on it: on another
    database than PostgreSQL, inside a transaction (which may yet roll back what it wrote), when
    the counter was emptied since ``migrate``, or when a tracked table lacks its trigger. One
    query."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not _tracked:
        return None
    if connection.in_atomic_block or not connection.get_autocommit():
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT sum(n) FROM partnerships_changecounter), "
            "(SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            " WHERE t.tgname = %s AND t.tgenabled <> 'D' AND c.relname = ANY(%s))",
            [TRIGGER, list(_tracked)],
        )
        total, installed = cursor.fetchone()
    if total is None or installed < len(_tracked):
        return None
    return int(total)
