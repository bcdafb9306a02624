import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("concord")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="concord.health_check")
def health_check():
    """Proves a worker is alive and can reach the database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (value,) = cursor.fetchone()
    return {"status": "ok", "database": value == 1}


@app.task(name="concord.beat_heartbeat")
def beat_heartbeat():
    """Scheduled every minute: /healthz reads its age to tell that beat and a worker run."""
    from .health import record_heartbeat

    record_heartbeat()
