"""Plain psycopg connections and URLs to the test database, for tests that need a second
connection or a subprocess: whatever server the settings name, TCP or the embedded server's
Unix socket."""

from urllib.parse import quote

from django.db import connection


def params(dbname=None):
    settings = connection.settings_dict
    options = settings.get("OPTIONS", {})
    values = {
        "host": settings["HOST"] or options.get("host") or "127.0.0.1",
        "port": settings["PORT"] or options.get("port") or 5432,
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
        "dbname": dbname or settings["NAME"],
    }
    return {key: value for key, value in values.items() if value is not None}


def url(dbname=None):
    p = params(dbname)
    if p["host"].startswith("/"):
        return f"postgres://{p['user']}@/{p['dbname']}?host={quote(p['host'], safe='/')}"
    return f"postgres://{p['user']}@{p['host']}:{p['port']}/{p['dbname']}"
