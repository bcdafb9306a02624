"""Test settings: the real settings, pointed at the local PostgreSQL and Redis (DB 15)."""

import os

os.environ["DATABASE_URL"] = os.environ.get(
    "TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/concord"
)
os.environ["REDIS_URL"] = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CONCORD_ENV", "production")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault(
    "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
)
os.environ.setdefault("SECURE_COOKIES", "false")
# The test client speaks plain http: no redirect to https.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# Tests move the clock by days after signing in; the idle timeout's own tests set it short.
os.environ.setdefault("SESSION_IDLE_MINUTES", str(14 * 24 * 60))

from .settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
