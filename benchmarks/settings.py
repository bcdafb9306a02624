"""Benchmark settings: production settings on the benchmark PostgreSQL database, plus the floor
view's URL. Set BENCH_DATABASE_URL to point elsewhere."""

import os

os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/concord_bench"
)
os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault(
    "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
)
os.environ.setdefault("SECURE_COOKIES", "false")
# The harness talks plain HTTP to the test client and a local gunicorn.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("EMAIL_URL", "locmem://")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from config.settings import *  # noqa: E402, F403

ROOT_URLCONF = "benchmarks.urls"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["CONN_MAX_AGE"] = None  # noqa: F405
