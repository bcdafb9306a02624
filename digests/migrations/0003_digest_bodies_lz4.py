from django.db import migrations

from outbox.compression import compress_with_lz4


class Migration(migrations.Migration):
    dependencies = [
        ("digests", "0002_requeue_interrupted_deliveries"),
        ("outbox", "0003_message_bodies_lz4"),
    ]

    operations = [compress_with_lz4("digests", "Digest", ["text_body", "html_body"])]
