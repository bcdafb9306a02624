"""Alert notifications the old sender left claimed ("sending") or failed with attempts left
are pending again, so the outbox sweep (kpis.send_pending_notifications) writes their emails
to the outbox, skipping the recipients already served. Nothing in flight at the upgrade is lost.
"""

from django.db import migrations

# The old sender's budget: a failed notification below it would have been tried again.
OLD_MAX_ATTEMPTS = 5


def requeue(apps, schema_editor):
    AlertNotification = apps.get_model("kpis", "AlertNotification")
    AlertNotification.objects.filter(state="sending").update(state="pending")
    AlertNotification.objects.filter(state="failed", attempts__lt=OLD_MAX_ATTEMPTS).update(
        state="pending"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0009_correctiveaction_owner_contact"),
    ]

    operations = [migrations.RunPython(requeue, migrations.RunPython.noop)]
