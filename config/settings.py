"""Concord settings, read from the environment.

Production is the default: DEBUG off, a real SECRET_KEY and DATABASE_URL required.
``CONCORD_ENV=dev`` (what ``make run`` sets) switches on the embedded defaults: an embedded
PostgreSQL server in ``var/postgres``, eager Celery, emails on the console, DEBUG on.
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from kombu import Queue

from . import startup, storage
from .startup import ConfigurationError

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
CONCORD_ENV = env.str("CONCORD_ENV", default="production")
DEV = CONCORD_ENV == "dev"
if CONCORD_ENV not in ("dev", "production"):
    raise ConfigurationError("CONCORD_ENV must be 'dev' or 'production'.")

DEBUG = env.bool("DEBUG", default=DEV)
if DEBUG and not DEV:
    raise ConfigurationError(
        "DEBUG is on while CONCORD_ENV is 'production' (the default). DEBUG shows settings, "
        "code and data to anyone who triggers an error, so Concord refuses to start with it: "
        "unset the DEBUG environment variable (or set DEBUG=0) in production, or set "
        "CONCORD_ENV=dev on a development machine."
    )
if DEV:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-never-use-in-production")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < 32:
        raise ConfigurationError(
            "SECRET_KEY must be set to at least 32 random characters in production "
            "(or set CONCORD_ENV=dev for the embedded development default)."
        )
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEV else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The decimal mark the company writes numbers with, "." (250,000.5) or "," (250.000,5): typed
# values are read with it, so "250,000" is what the person meant.
DECIMAL_MARK = env.str("DECIMAL_MARK", default=".")
if DECIMAL_MARK not in (".", ","):
    raise ConfigurationError(
        f'DECIMAL_MARK must be "." or ",", not {DECIMAL_MARK!r}: it is the decimal mark the '
        "company writes numbers with."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "config.apps.ConcordConfig",
    "partnerships",
    "governance",
    "kpis",
    "digests",
    "outbox",
    "portal",
    "renewals",
    "integration",
    "contracts",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "webhooks",
    # The audit trail (audit/): after the apps whose models it follows.
    "pgtrigger",
    "pghistory",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.middleware.RejectNulBytesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who and through what, for every change the request makes (audit/): after the user is
    # known, before any middleware that writes.
    "audit.middleware.AuditMiddleware",
    "config.middleware.IdleSessionMiddleware",
    "config.middleware.NoStoreMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "portal.middleware.PartnerBoundaryMiddleware",
    "digests.middleware.LastSeenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kpis.middleware.RecomputeNoticeMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "partnerships.context_processors.roles",
            ],
        },
    },
]

if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": startup.database_config(env.str("DATABASE_URL"))}
elif DEV:
    # The embedded PostgreSQL server (var/postgres unless EMBEDDED_POSTGRES_DIR says otherwise),
    # started here if it is not running yet; ``make run`` starts it first and stops it on Ctrl-C.
    from . import embedded_postgres

    _url = embedded_postgres.start(
        env.path("EMBEDDED_POSTGRES_DIR", default=embedded_postgres.DEFAULT_DIR),
        announce=lambda message: print(message, file=sys.stderr),
    )
    DATABASES = {"default": environ.Env.db_url_config(_url)}
else:
    raise ConfigurationError(
        "DATABASE_URL is not set. Point it at PostgreSQL, e.g. "
        "postgres://postgres@127.0.0.1:5432/concord, or set CONCORD_ENV=dev for the embedded "
        "PostgreSQL server."
    )
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ConfigurationError(
        f"DATABASE_URL must point at PostgreSQL (postgres://...), the only database Concord "
        f"runs on; it names {DATABASES['default']['ENGINE']}."
    )
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "partnerships:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
# The ISO 4217 code every portfolio total is converted to (partnerships.currencies).
REPORTING_CURRENCY = env.str("REPORTING_CURRENCY", default="EUR")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    # Local files, or an S3-compatible bucket when AWS_STORAGE_BUCKET_NAME is set (storage.py).
    "default": storage.default_storage(env),
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEV
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Email: MAILERS (Django 6.1) built from EMAIL_URL.
MAILERS = {
    "default": startup.mailer(
        env.str("EMAIL_URL", default="console://" if DEV else "smtp://localhost:25")
    )
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Concord <concord@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis when REDIS_URL is set, otherwise tasks run eagerly in-process.
REDIS_URL = startup.redis_url(env.str("REDIS_URL", default=""))
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Set for crashes (docs/decisions/celery-crashes.md): every task is safe to run twice, so a task
# is acknowledged only when it ends, and one whose worker died goes back to the queue. The
# longest task at the large benchmark size takes about a minute (the digest fan-out); the hard
# limit gives it ten times that, and Redis hands an unacknowledged task to another worker only
# once that limit has surely passed.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=10 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=9 * 60)
CELERY_VISIBILITY_TIMEOUT = env.int(
    "CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 2 * 60
)
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ConfigurationError(
        f"CELERY_VISIBILITY_TIMEOUT ({CELERY_VISIBILITY_TIMEOUT} s) must be longer than "
        f"CELERY_TASK_TIME_LIMIT ({CELERY_TASK_TIME_LIMIT} s): Redis would hand a task that is "
        "still running to a second worker."
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A task running when the broker connection drops cannot be acknowledged: Redis gives it to
# another worker, so this one stops it instead of finishing it a second time.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# One task reserved at a time: a worker that dies takes no queued tasks down with it.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# Deliveries get a queue of their own, which workers started without -Q take in turn with the
# default one; each has its own routing key (docs/decisions/outbox.md).
CELERY_TASK_QUEUES = (Queue("celery", routing_key="celery"), Queue("outbox", routing_key="outbox"))
CELERY_TASK_ROUTES = {"outbox.deliver": {"queue": "outbox"}}


def schedule(variable, default):
    """A crontab string "minute hour day_of_month month day_of_week" from the environment."""
    expression = env.str(variable, default=default)
    fields = expression.split()
    if len(fields) != 5:
        raise ConfigurationError(
            f"{variable} must be a crontab string with 5 fields "
            f"'minute hour day_of_month month day_of_week', not {expression!r}."
        )
    minute, hour, day_of_month, month_of_year, day_of_week = fields
    return crontab(
        minute=minute,
        hour=hour,
        day_of_month=day_of_month,
        month_of_year=month_of_year,
        day_of_week=day_of_week,
    )


# Every periodic job is listed here, each schedule overridable from the environment.
CELERY_BEAT_SCHEDULE = {
    # Hourly: each recipient's digest goes out once their local send time has come.
    "digests-fan-out": {
        "task": "digests.fan_out_digests",
        "schedule": schedule("SCHEDULE_DIGEST_FANOUT", "5 * * * *"),
    },
    "digests-date-reminders": {
        "task": "digests.send_date_reminders",
        "schedule": schedule("SCHEDULE_DATE_REMINDERS", "30 6 * * *"),
    },
    # Every KPI's snapshots, alerts, checkpoints and every partnership's health.
    "kpis-nightly-recompute": {
        "task": "kpis.recompute_all",
        "schedule": schedule("SCHEDULE_NIGHTLY_RECOMPUTE", "15 2 * * *"),
    },
    # Alert notifications recorded but not yet in the outbox (from before an upgrade) are
    # written to it; the outbox itself retries what SMTP refused.
    "kpis-retry-alert-emails": {
        "task": "kpis.send_pending_notifications",
        "schedule": schedule("SCHEDULE_ALERT_EMAIL_RETRY", "*/10 * * * *"),
    },
    # Due-date reminders to partner contacts who own actions (once per action and day).
    "portal-action-reminders": {
        "task": "portal.send_action_reminders",
        "schedule": schedule("SCHEDULE_PORTAL_ACTION_REMINDERS", "40 6 * * *"),
    },
    # A renewal decision pack for each partnership coming into its notice period.
    "renewals-open-due-packs": {
        "task": "renewals.open_due_packs",
        "schedule": schedule("SCHEDULE_DECISION_PACKS", "20 6 * * *"),
    },
    # Conflicts past the date they should be resolved by escalate along the path, daily.
    "governance-escalate-conflicts": {
        "task": "governance.escalate_conflicts",
        "schedule": schedule("SCHEDULE_CONFLICT_ESCALATION", "50 6 * * *"),
    },
    # KPIs and health marked for a recompute that the on-commit kick did not reach (broker down).
    "kpis-recompute-marked": {
        "task": "kpis.recompute_marked",
        "schedule": schedule("SCHEDULE_RECOMPUTE_SWEEP", "* * * * *"),
    },
    # Imports whose worker stopped reporting progress: started again, or failed visibly.
    "kpis-reap-imports": {
        "task": "kpis.reap_imports",
        "schedule": schedule("SCHEDULE_IMPORT_REAPER", "* * * * *"),
    },
    # The outbox sweep: what the on-commit kick missed (broker down) and retries now due.
    "outbox-deliver": {
        "task": "outbox.deliver",
        "schedule": schedule("SCHEDULE_OUTBOX_SWEEP", "* * * * *"),
    },
}

# --- Digests and reminders (digests app) -------------------------------------------------------
DIGEST_REMINDER_OFFSETS = env.list("DIGEST_REMINDER_OFFSETS", cast=int, default=[90, 30, 7])
DIGEST_UPCOMING_DAYS = env.int("DIGEST_UPCOMING_DAYS", default=30)
# A renewal decision pack is assembled this many days before the agreement's notice deadline.
DECISION_PACK_LEAD_DAYS = env.int("DECISION_PACK_LEAD_DAYS", default=60)
DIGEST_INACTIVE_DAYS = env.int("DIGEST_INACTIVE_DAYS", default=30)
DIGEST_CATCH_UP_HOURS = env.int("DIGEST_CATCH_UP_HOURS", default=12)
# Digests per write task of the hourly fan-out: a task is about a second of work, so the broker's
# cost stays small and the last task holds no worker up for long.
DIGEST_CHUNK = env.int("DIGEST_CHUNK", default=20)
DD_REASSESS_MONTHS = env.int("DD_REASSESS_MONTHS", default=12)
# --- end of digests block ----------------------------------------------------------------------

# --- Outbox (outbox app) -----------------------------------------------------------------------
# A claim lasts this long; a worker that dies holding it loses it after this many seconds.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=5 * 60)
# Retries wait 1 min, doubling up to 1 h, and a message gives up after two days of them: longer
# than a weekend's mail-server outage (docs/decisions/outbox.md).
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=60 * 60)
OUTBOX_GIVE_UP_HOURS = env.int("OUTBOX_GIVE_UP_HOURS", default=48)
OUTBOX_BATCH = env.int("OUTBOX_BATCH", default=100)
# A webhook receiver that has not answered in this many seconds is retried later.
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=10)
# Obligations that fell overdue, reported to the webhooks that follow them (webhooks app).
CELERY_BEAT_SCHEDULE["contracts-report-overdue-obligations"] = {
    "task": "contracts.report_overdue_obligations",
    "schedule": schedule("SCHEDULE_OVERDUE_OBLIGATIONS", "10 7 * * *"),
}
# --- end of outbox block -----------------------------------------------------------------------

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_ENGINE = "config.sessions"
# Axes first: it refuses a locked-out sign-in before a password is checked.
AUTHENTICATION_BACKENDS = ["config.throttling.ThrottlingBackend", "config.auth.UserBackend"]

# Sessions end after this many minutes without a request (config/middleware.py).
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=60)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60

# Sign-in throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one username,
# or from one address, sign-in is refused for LOGIN_LOCKOUT_MINUTES, even with the right
# password. Staff unlock early by deleting the attempt under "Access attempts" in the admin.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.throttling.lockout_response"
AXES_CLIENT_IP_CALLABLE = "config.throttling.client_address"
AXES_DISABLE_ACCESS_LOG = True  # only failures are kept
AXES_VERBOSE = False

SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

# Set TRUSTED_PROXY=1 only behind a reverse proxy that sets X-Forwarded-Proto and appends to
# X-Forwarded-For: then the request is https when the proxy says so, and the client's address
# (for sign-in throttling) is the one the proxy saw. Without it, neither header is believed.
TRUSTED_PROXY = env.bool("TRUSTED_PROXY", default=False)
if TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEV:
    SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Eager tasks would log every run into the web server's console.
    "loggers": {
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
        # Every sign-in would be logged; lockouts are warnings and still shown.
        "axes": {"level": "WARNING"},
    },
}


# Audit trail: every request that may write gets a context (who, through what), GETs too.
PGHISTORY_MIDDLEWARE_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")

# Partner portal: how long an emailed invitation link works.
PORTAL_INVITATION_DAYS = env.int("PORTAL_INVITATION_DAYS", default=7)

# KPIs: import limits and snapshot batching.
KPI_IMPORT_MAX_BYTES = env.int("KPI_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
KPI_IMPORT_MAX_ROWS = env.int("KPI_IMPORT_MAX_ROWS", default=100_000)
# Files with more rows than this are checked and imported by a Celery worker.
KPI_IMPORT_ASYNC_ROWS = env.int("KPI_IMPORT_ASYNC_ROWS", default=5000)
# KPIs recomputed per transaction by the snapshot task.
KPI_SNAPSHOT_CHUNK = env.int("KPI_SNAPSHOT_CHUNK", default=2000)
# Spreadsheet limits, checked while the file is read (empty rows count toward the row limit).
KPI_IMPORT_MAX_COLUMNS = env.int("KPI_IMPORT_MAX_COLUMNS", default=50)
KPI_IMPORT_MAX_CELL_CHARS = env.int("KPI_IMPORT_MAX_CELL_CHARS", default=5000)
KPI_IMPORT_MAX_UNZIPPED_BYTES = env.int("KPI_IMPORT_MAX_UNZIPPED_BYTES", default=100 * 1024 * 1024)
# Files larger than this are checked by a Celery worker, whatever their row count.
KPI_IMPORT_ASYNC_BYTES = env.int("KPI_IMPORT_ASYNC_BYTES", default=32 * 1024)

# --- API (api app): config/api_settings.py ---
from .api_settings import *  # noqa: E402, F403

# --- Health and files (config/health.py, config/startup.py, storage) ---------------------------
# Every minute a worker records that beat ran; /healthz fails once the record is older than this.
CELERY_BEAT_SCHEDULE["concord-beat-heartbeat"] = {
    "task": "concord.beat_heartbeat",
    "schedule": schedule("SCHEDULE_BEAT_HEARTBEAT", "* * * * *"),
}
HEALTH_BEAT_STALE_SECONDS = env.int("HEALTH_BEAT_STALE_SECONDS", default=5 * 60)
# /healthz fails when a pending outbox message has been due this long without being sent.
HEALTH_OUTBOX_LAG_SECONDS = env.int("HEALTH_OUTBOX_LAG_SECONDS", default=15 * 60)
# A database that does not answer within this many seconds counts as down (not a hung request).
DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
    "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
)
# No JIT compilation: past 6,400 partnerships the planner's estimates cross its threshold and a
# page's statement spent ~200 ms compiling to save a few (docs/decisions/jit-off.md).
DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
# Uploaded import files are deleted this many days after upload (the import's record stays).
KPI_IMPORT_FILE_RETENTION_DAYS = env.int("KPI_IMPORT_FILE_RETENTION_DAYS", default=30)
CELERY_BEAT_SCHEDULE["kpis-purge-import-files"] = {
    "task": "kpis.purge_import_files",
    "schedule": schedule("SCHEDULE_PURGE_IMPORT_FILES", "45 3 * * *"),
}
# A running import reports progress at least this often; silent longer, it is taken for dead
# (the longest step of a 100,000-row import, the write, takes about 9 s).
KPI_IMPORT_LEASE_SECONDS = env.int("KPI_IMPORT_LEASE_SECONDS", default=5 * 60)
# An import started this many times (by the reaper, or by Celery handing a killed worker's task
# to another) without finishing is failed instead of started again.
KPI_IMPORT_MAX_ATTEMPTS = env.int("KPI_IMPORT_MAX_ATTEMPTS", default=3)
# Marks claimed per transaction by the recompute sweep.
KPI_RECOMPUTE_BATCH = env.int("KPI_RECOMPUTE_BATCH", default=500)

# --- Single sign-on and two-factor authentication (signin app, django-allauth) -----------------
# Concord's own sign-in page stays (portal users, the demo, django-axes); allauth adds the
# OpenID Connect login and TOTP with recovery codes (docs/decisions/sso-and-mfa.md).
INSTALLED_APPS += [
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "signin",
]
# allauth's request context goes right after authentication; the MFA requirement after the
# sign-in and partner checks (it only ever sees our own signed-in people) and the messages.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "allauth.account.middleware.AccountMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "signin.middleware.RequireMFAMiddleware",
)
from .sign_in_settings import *  # noqa: E402, F403
from .sign_in_settings import OIDC_ISSUER  # noqa: E402

if OIDC_ISSUER:
    # The sign-in form's POST is answered with a redirect to the provider: browsers check that
    # redirect against form-action too.
    SECURE_CSP["form-action"].append("/".join(OIDC_ISSUER.split("/")[:3]))
# --- end of single sign-on block ---------------------------------------------------------------
