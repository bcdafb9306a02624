"""``make run``: the embedded PostgreSQL server, migrations, the demo company and the web server.

The database server is started here and stopped when the web server ends (Ctrl-C included),
unless it was already running or ``DATABASE_URL`` points elsewhere; the data stays in
``var/postgres`` for the next run.
"""

import os
import sys
from pathlib import Path

from . import embedded_postgres

ADDRESS = os.environ.get("RUN_ADDRESS", "127.0.0.1:8000")


def manage(*args, env):
    return embedded_postgres.run_child([sys.executable, "manage.py", *args], env)


def serve(env):
    for step in (("migrate", "--noinput"), ("seed_demo",)):
        code = manage(*step, env=env)
        if code:
            return code
    return manage("runserver", ADDRESS, env=env)


def main():
    env = {**os.environ, "CONCORD_ENV": os.environ.get("CONCORD_ENV", "dev")}
    if env.get("DATABASE_URL"):
        print(f"Using DATABASE_URL ({env['DATABASE_URL'].split('@')[-1]}).")
        try:
            return serve(env)
        except KeyboardInterrupt:
            return 0
    data_dir = Path(env.get("EMBEDDED_POSTGRES_DIR", embedded_postgres.DEFAULT_DIR))
    was_running = embedded_postgres.is_running(data_dir)
    try:
        env["DATABASE_URL"] = embedded_postgres.start(data_dir)
    except embedded_postgres.EmbeddedPostgresError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Embedded PostgreSQL server: data in {data_dir}.")
    try:
        return serve(env)
    except KeyboardInterrupt:
        return 0
    finally:
        if not was_running:
            embedded_postgres.stop(data_dir)


if __name__ == "__main__":
    sys.exit(main())
