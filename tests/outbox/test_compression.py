"""Email bodies are compressed with LZ4 where the server has it, and the migration reverses."""

import pytest
from django.apps import apps
from django.db import connection

from outbox.compression import compress_with_lz4, lz4_available

pytestmark = pytest.mark.django_db

BODIES = {"outbox_message": ("text", "html"), "digests_digest": ("text_body", "html_body")}


def compression_of(table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attcompression FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attname = ANY(%s)",
            [table, list(BODIES[table])],
        )
        return dict(cursor.fetchall())


def test_the_bodies_use_lz4_when_the_server_has_it():
    expected = "l" if lz4_available(connection) else ""
    for table, columns in BODIES.items():
        assert compression_of(table) == dict.fromkeys(columns, expected)


def test_reversed_the_bodies_go_back_to_the_servers_default():
    operation = compress_with_lz4("outbox", "Message", ["text", "html"])
    with connection.schema_editor() as editor:
        operation.reverse_code(apps, editor)
    assert compression_of("outbox_message") == {"text": "", "html": ""}
    with connection.schema_editor() as editor:
        operation.code(apps, editor)
    assert compression_of("outbox_message") == dict.fromkeys(
        ("text", "html"), "l" if lz4_available(connection) else ""
    )
