"""The benchmark database: created when missing, reset, and filled by COPY."""


def ensure_database():
    """Create the benchmark database when the server does not have it yet (a fresh machine)."""
    from django.db import connection

    name = connection.settings_dict["NAME"]
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')


def reset_database():
    """Drop everything and migrate again (the shipped defaults come back with the migrations)."""
    from django.core.management import call_command
    from django.db import connection

    ensure_database()
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)


def copy_rows(table, columns, lines):
    """COPY tab-separated ``lines`` (an iterable of str chunks) into ``table``."""
    from django.db import connection

    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for chunk in lines:
            copy.write(chunk)
