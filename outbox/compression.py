"""Email bodies stored with LZ4 instead of PostgreSQL's default pglz, where the server has it.

A digest's HTML is ~380 KB, stored twice (the digest, for "view in browser", and its outbox
message): pglz took 4.6 ms to write each, LZ4 2.6 ms, and LZ4's is 20% smaller
(docs/decisions/email-bodies.md). A server built without LZ4 (the embedded one of ``make run``)
keeps pglz: the choice is the server's capability, not a setting.
"""

from django.db import migrations


def lz4_available(connection):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def compress_with_lz4(app_label, model_name, fields):
    """A migration operation: the fields' values written from now on are compressed with LZ4
    (those already stored keep theirs); reversed, the server's default again."""

    def set_to(method):
        def run(apps, schema_editor):
            if method == "lz4" and not lz4_available(schema_editor.connection):
                return
            meta = apps.get_model(app_label, model_name)._meta
            quote = schema_editor.quote_name
            columns = ", ".join(
                f"ALTER COLUMN {quote(meta.get_field(f).column)} SET COMPRESSION {method}"
                for f in fields
            )
            schema_editor.execute(f"ALTER TABLE {quote(meta.db_table)} {columns}")

        return run

    return migrations.RunPython(set_to("lz4"), set_to("default"))
