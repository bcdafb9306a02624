"""The rows a freshly migrated database holds (role groups, the default due-diligence template,
the KPI library...), put back whenever the test database is emptied.

A transactional test ends with ``flush``, which empties every table, data migrations' rows
included, so whatever runs next (or the next ``--reuse-db`` run) would find no role groups and
no default template. ``flush`` then sends ``post_migrate``, as ``migrate`` does; on that signal
the project's data migrations run again. They are derived from the migration files, not listed
here, so a new data migration is restored without anyone having to remember it; each one is
idempotent (``get_or_create``), as a data migration has to be.
"""

import functools
from pathlib import Path

from django.apps import apps
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations import RunPython
from django.db.models.signals import post_migrate


def _is_project_app(label):
    path = Path(apps.get_app_config(label).path).resolve()
    return "site-packages" not in path.parts


@functools.cache
def _data_operations(using):
    """``(operation, apps as that operation sees them)`` for each ``RunPython`` of the project's
    own migrations, in the order ``migrate`` runs them."""
    executor = MigrationExecutor(connections[using])
    loader = executor.loader
    plan = executor.migration_plan(loader.graph.leaf_nodes(), clean_start=True)
    found = []
    for migration, _backwards in plan:
        if not _is_project_app(migration.app_label) or not any(
            isinstance(op, RunPython) for op in migration.operations
        ):
            continue
        state = loader.project_state((migration.app_label, migration.name), at_end=False)
        for operation in migration.operations:
            if isinstance(operation, RunPython):
                found.append((operation, state.clone().apps))
            operation.state_forwards(migration.app_label, state)
    return found


def restore(using="default"):
    """Run the project's data migrations again; they only add what is missing."""
    connection = connections[using]
    with connection.schema_editor() as editor:
        for operation, historical_apps in _data_operations(using):
            operation.code(historical_apps, editor)


def _after_flush(sender, using, **kwargs):
    # ``migrate`` passes its plan and has just run the data migrations itself; ``flush`` does not.
    if "plan" not in kwargs:
        restore(using)


def restore_after_every_flush():
    """Connect ``restore`` to the ``post_migrate`` that ``flush`` sends, once per flush (the
    signal is sent once per app: the last app's is taken, after Django's own handlers ran)."""
    last = [config for config in apps.get_app_configs() if config.models_module][-1]
    post_migrate.connect(_after_flush, sender=last, dispatch_uid="tests.migrated_data")
