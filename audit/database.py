"""Cheaper versions of the two functions every audit trigger calls once per row.

django-pghistory's ``_pgh_attach_context()`` and django-pgtrigger's ``_pgtrigger_should_ignore()``
read their settings inside a ``BEGIN ... EXCEPTION`` block: a subtransaction per row, and, when
the setting is missing (any write outside a request or task), an error raised and caught per
row. On the KPI import that made a 20,000-row insert fifteen times slower than without the
triggers. These versions read the settings with ``current_setting(name, true)`` (NULL when
missing) and answer the same. pgtrigger writes its function again with each trigger it installs,
so they are put back after every ``migrate`` (benchmarks/audit_overhead.py measures the cost).
"""

from django.db import connections

ATTACH_CONTEXT = """
CREATE OR REPLACE FUNCTION _pgh_attach_context() RETURNS pghistory_context.id%TYPE AS $$
DECLARE
    _id UUID := NULLIF(current_setting('pghistory.context_id', true), '')::uuid;
    _metadata JSONB := NULLIF(current_setting('pghistory.context_metadata', true), '')::jsonb;
BEGIN
    IF _id IS NULL OR _metadata IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO pghistory_context (id, metadata, created_at, updated_at)
        VALUES (_id, _metadata, NOW(), NOW())
        ON CONFLICT (id) DO UPDATE
            SET metadata = EXCLUDED.metadata, updated_at = EXCLUDED.updated_at
            WHERE pghistory_context.metadata != EXCLUDED.metadata;
    RETURN _id;
END;
$$ LANGUAGE plpgsql
"""

SHOULD_IGNORE = """
CREATE OR REPLACE FUNCTION public._pgtrigger_should_ignore(trigger_name NAME)
RETURNS BOOLEAN AS $$
DECLARE
    _ignore TEXT[] := NULLIF(current_setting('pgtrigger.ignore', true), '')::text[];
BEGIN
    RETURN COALESCE(trigger_name = ANY(_ignore), FALSE);
END;
$$ LANGUAGE plpgsql
"""


def install(using="default"):
    with connections[using].cursor() as cursor:
        cursor.execute(ATTACH_CONTEXT)
        cursor.execute(SHOULD_IGNORE)


def _install_after_migrate(sender, using="default", **kwargs):
    install(using)


def connect():
    from django.apps import apps
    from django.db.models.signals import post_migrate

    # The audit app's own signal: once per ``migrate``, after pgtrigger installed its triggers.
    post_migrate.connect(_install_after_migrate, sender=apps.get_app_config("audit"), weak=False)
