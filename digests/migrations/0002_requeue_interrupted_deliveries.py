"""Digests and reminders the old sender left claimed ("sending") are pending again, so the
hourly digest job and the daily reminder job write them to the outbox. Nothing in flight at the
upgrade is lost.
"""

from django.db import migrations


def requeue(apps, schema_editor):
    for name in ("Digest", "Reminder"):
        apps.get_model("digests", name).objects.filter(status="sending").update(status="pending")


class Migration(migrations.Migration):
    dependencies = [
        ("digests", "0001_digest_preferences_follows_and_deliveries"),
    ]

    operations = [migrations.RunPython(requeue, migrations.RunPython.noop)]
