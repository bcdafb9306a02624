from django.db import migrations

from outbox.compression import compress_with_lz4


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0002_message_origin"),
    ]

    operations = [compress_with_lz4("outbox", "Message", ["text", "html"])]
