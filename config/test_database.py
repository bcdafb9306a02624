"""``make test``'s database: the server TEST_DATABASE_URL names when it answers, else the
embedded PostgreSQL server (in ``var/postgres-test``, or TEST_EMBEDDED_POSTGRES_DIR), started for
the run and stopped after it.

    python -m config.test_database -- COMMAND...
"""

import os
import sys
from pathlib import Path

import environ
import psycopg

from . import embedded_postgres

TEST_DIR = Path(
    os.environ.get(
        "TEST_EMBEDDED_POSTGRES_DIR", embedded_postgres.BASE_DIR / "var" / "postgres-test"
    )
)


def answers(url, timeout=3):
    """Whether the PostgreSQL server of ``url`` accepts a connection (to its ``postgres``
    database: the one ``url`` names may not exist yet)."""
    config = environ.Env.db_url_config(url)
    params = {
        "host": config["HOST"] or config.get("OPTIONS", {}).get("host") or None,
        "port": config["PORT"] or None,
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
        "dbname": "postgres",
        "connect_timeout": timeout,
    }
    try:
        psycopg.connect(**{k: v for k, v in params.items() if v is not None}).close()
    except psycopg.Error:
        return False
    return True


def main(argv):
    command = argv[argv.index("--") + 1 :] if "--" in argv else argv
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url and answers(url):
        where = url.split("@")[-1]
        print(f"Tests use the PostgreSQL server of TEST_DATABASE_URL ({where}).", flush=True)
        os.execvp(command[0], command)
    reason = (
        f"nothing answers at TEST_DATABASE_URL ({url.split('@')[-1]})"
        if url
        else ("TEST_DATABASE_URL is not set")
    )
    print(f"Tests use the embedded PostgreSQL server in {TEST_DIR}: {reason}.", flush=True)
    try:
        return embedded_postgres.run(command, TEST_DIR, env_name="TEST_DATABASE_URL")
    except embedded_postgres.EmbeddedPostgresError as error:
        print(error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
