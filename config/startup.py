"""Startup errors a person can act on: one paragraph naming the variable, never a traceback.

A malformed ``DATABASE_URL``, ``REDIS_URL`` or ``EMAIL_URL`` is refused while the settings are
read (``ConfigurationError``). Whether the services answer is checked when ``migrate`` or
``runserver`` starts (``manage.py``) and when a gunicorn worker loads the app (``wsgi.py``):
an unreachable database stops ``migrate`` and ``runserver``; an unreachable broker or mail
server is reported and the app starts anyway, as it is built to ride out both (saves are kept
and work queued in the database until they return).
"""

import contextlib
import socket
import sys
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

# The management commands that need the database there and then.
SERVICE_COMMANDS = ("migrate", "runserver")
POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql")


class ConfigurationError(ImproperlyConfigured):
    """A setting read from the environment is wrong; the message says which and what to do."""


def masked(url):
    """The URL with its password replaced, fit to print in a log."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        return urlunsplit(parts._replace(netloc=netloc))
    except ValueError:
        return "(unparseable)"


def _port(variable, url, parts):
    try:
        return parts.port
    except ValueError:
        raise ConfigurationError(
            f"{variable} has a port that is not a number between 0 and 65535: {masked(url)!r}."
        ) from None


def database_config(url):
    """``DATABASES['default']`` from ``DATABASE_URL``, or a ConfigurationError saying why not."""
    import environ

    example = "e.g. postgres://user:password@db-host:5432/concord"
    parts = urlsplit(url)
    if "://" not in url or not parts.scheme:
        raise ConfigurationError(
            f"DATABASE_URL is not a URL: {masked(url)!r}. Set it to the PostgreSQL server's "
            f"address, {example}."
        )
    if parts.scheme in POSTGRES_SCHEMES:
        _port("DATABASE_URL", url, parts)
        socket_dir = "host=" in parts.query
        if not (parts.hostname or socket_dir):
            raise ConfigurationError(
                f"DATABASE_URL names no host: {masked(url)!r}. Set it to the PostgreSQL "
                f"server's address, {example}."
            )
        if not parts.path.strip("/"):
            raise ConfigurationError(
                f"DATABASE_URL names no database (the part after the last /): {masked(url)!r}; "
                f"{example}."
            )
    return environ.Env.db_url_config(url)


def redis_url(url):
    """``REDIS_URL`` checked for form (redis://host:port/db), or a ConfigurationError."""
    if not url:
        return url
    parts = urlsplit(url)
    example = "e.g. redis://redis-host:6379/0"
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise ConfigurationError(
            f"REDIS_URL must start with redis://, rediss:// or unix://, not {masked(url)!r}; "
            f"{example}. Leave it unset to run tasks in the web process (development only)."
        )
    _port("REDIS_URL", url, parts)
    if parts.scheme != "unix":
        if not parts.hostname:
            raise ConfigurationError(f"REDIS_URL names no host: {masked(url)!r}; {example}.")
        number = parts.path.strip("/")
        if number and not number.isdecimal():
            raise ConfigurationError(
                f"REDIS_URL's database (after the /) must be a number: {masked(url)!r}; {example}."
            )
    return url


def mailer(url):
    """The ``MAILERS`` entry for ``EMAIL_URL``, or a ConfigurationError naming it."""
    from .email import mailer_from_url

    try:
        return mailer_from_url(url)
    except ValueError as error:
        reason = str(error).removeprefix("EMAIL_URL ")
        raise ConfigurationError(
            f"EMAIL_URL {masked(url)!r} is not usable ({reason}). Use "
            "smtp://user:password@host:587?tls=1, smtps://user:password@host:465, console:// "
            "or file:///folder."
        ) from None


@contextlib.contextmanager
def reported(exit_code=1):
    """A ConfigurationError becomes its paragraph on stderr and an exit, not a traceback."""
    try:
        yield
    except ConfigurationError as error:
        print(f"Concord cannot start: {error}", file=sys.stderr)
        raise SystemExit(exit_code) from None


def database_problem():
    """None if the database answers, else the paragraph saying so."""
    from django.db import connection

    try:
        connection.ensure_connection()
    except Exception as error:
        detail = (str(error).strip().splitlines() or [type(error).__name__])[0]
        settings = connection.settings_dict
        where = f"{settings['HOST'] or 'the local socket'}:{settings['PORT'] or 5432}"
        return (
            f"the database in DATABASE_URL (PostgreSQL at {where}, database "
            f"{settings['NAME']!r}, user {settings['USER']!r}) cannot be reached: {detail}. "
            "Check the host, port, user, password and database name in DATABASE_URL, and that "
            "PostgreSQL runs there and accepts connections from this machine."
        )
    finally:
        connection.close()
    return None


def broker_problem():
    from django.conf import settings

    url = settings.REDIS_URL
    if not url:
        return None
    import redis

    try:
        with redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3) as client:
            client.ping()
    except Exception as error:
        return (
            f"Redis in REDIS_URL ({masked(url)}) does not answer ({error}). Concord starts "
            "anyway: saves are kept and their work queued until Redis is back, and /healthz "
            "reports the broker as down. Check REDIS_URL and that Redis runs there."
        )
    return None


def mail_problem():
    from django.conf import settings

    options = settings.MAILERS["default"].get("OPTIONS", {})
    if not settings.MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
        return None
    host, port = options.get("host", "localhost"), options.get("port", 25)
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as error:
        return (
            f"The mail server in EMAIL_URL ({host}:{port}) does not answer ({error}). Concord "
            "starts anyway and keeps every email in its outbox, retrying until the server "
            "accepts it. Check EMAIL_URL and that the SMTP server runs there."
        )
    return None


def check_services(*, database_required):
    """Print a paragraph for each service that does not answer; False if that must stop."""
    fatal = database_problem()
    if fatal:
        prefix = (
            "Concord cannot start" if database_required else "Concord starts without a database"
        )
        print(f"{prefix}: {fatal}", file=sys.stderr)
    for problem in (broker_problem(), mail_problem()):
        if problem:
            print(f"Warning: {problem}", file=sys.stderr)
    return not (fatal and database_required)
