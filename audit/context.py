"""Who made a change and through what, attached to every event the triggers write.

The context is one row per request or task (``pghistory.context``): its ``user`` is the actor's
id (empty for the system) and its ``source`` one of ``SOURCES``. A request gets one from
``audit.middleware.AuditMiddleware``; a Celery task from the task signals here. An API request
authenticates inside the view, after the middleware ran: it calls ``set_actor``.
"""

import pghistory
from celery import signals
from pghistory import runtime

PAGE, ADMIN, API, IMPORT, TASK, SHELL = "page", "admin", "api", "import", "task", "shell"
SOURCES = {
    PAGE: "Page",
    ADMIN: "Admin",
    API: "API",
    IMPORT: "Import",
    TASK: "Task",
    SHELL: "Shell",
}

# Tasks that apply an uploaded import: their writes are the import's, made for its uploader.
IMPORT_TASKS = {"kpis.apply_import": "kpis.MeasurementImport"}


def active():
    """True when a request or task has opened a context."""
    return hasattr(runtime._tracker, "value")


def _user_id(user):
    return user.pk if user is not None and getattr(user, "is_authenticated", False) else None


def set_actor(user, source=API):
    """Name ``user`` (who may be None) and ``source`` as who and what made this request's
    changes, including those already made in it (the context is one row, written last)."""
    pghistory.context(user=_user_id(user), source=source)


def set_source(source):
    pghistory.context(source=source)


# The contexts the task signals opened, by task id: closed when the task ends.
_open = {}


def _uploader(task_name, args, kwargs):
    from django.apps import apps

    model = apps.get_model(IMPORT_TASKS[task_name])
    pk = kwargs.get("import_id", args[0] if args else None)
    return model.objects.filter(pk=pk).values_list("uploaded_by", flat=True).first()


def task_started(task_id=None, task=None, args=(), kwargs=None, **_):
    # An eager task run inside a request belongs to that request: its context is kept.
    if active():
        return
    if task.name in IMPORT_TASKS:
        metadata = {"user": _uploader(task.name, args or (), kwargs or {}), "source": IMPORT}
    else:
        metadata = {"user": None, "source": TASK}
    metadata["task"] = task.name
    opened = pghistory.context(**metadata)
    opened.__enter__()
    _open[task_id] = opened


def task_ended(task_id=None, **_):
    opened = _open.pop(task_id, None)
    if opened is not None:
        opened.__exit__(None, None, None)


def connect_tasks():
    signals.task_prerun.connect(task_started, weak=False, dispatch_uid="audit-task-started")
    signals.task_postrun.connect(task_ended, weak=False, dispatch_uid="audit-task-ended")
