"""The audit trail's event tables: one per followed model, each filled by triggers.

Each followed model gets a proxy here, tracked with ``pghistory.track``: the triggers and the
event tables then live in this app's migrations, and no model file of another app changes
(django-pghistory's way for models of other apps). The event row copies the row as it was
after an insert or update, and as it was before a delete; its context holds who and through
what (``audit.context``).
"""

import hashlib

import pghistory
from django.apps import apps
from django.conf import settings
from django.db import models
from pghistory.models import Events

from . import tracked


def _trackers(label):
    # New ones for each model: a tracker keeps the fields of the model it was set up on.
    level = pghistory.Statement if label in tracked.STATEMENT_LEVEL else None
    return (
        pghistory.InsertEvent(level=level),
        pghistory.UpdateEvent(level=level),
        pghistory.DeleteEvent(level=level),
    )


# The proxy of each followed model, by the followed model's label (``audit.registry`` reads it).
PROXIES = {}


def _proxy_name(model):
    return model._meta.app_label.title() + model.__name__.replace("_", "")


def _newest_first(name):
    # A history reads each table newest first (audit.queries.EventList): without this index
    # the first page sorts every event, 0.6 s at large and seconds at huge.
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    return models.Index(fields=["pgh_created_at", "pgh_id"], name=f"audit_{digest}_when")


def _follow(model):
    name = _proxy_name(model)
    meta = type("Meta", (), {"proxy": True, "app_label": "audit"})
    proxy = type(name, (model,), {"__module__": __name__, "Meta": meta})
    through = model._meta.auto_created
    pghistory.track(
        *_trackers(model._meta.label),
        exclude=tracked.EXCLUDED_FIELDS.get(model._meta.label, []),
        # A many-to-many row has no id a page shows: its event points at no object.
        obj_field=None if through else pghistory.ObjForeignKey(related_name="+"),
        model_name=f"{name}Event",
        app_label="audit",
        meta={"indexes": [_newest_first(name)]},
    )(proxy)
    globals()[name] = proxy
    PROXIES[model._meta.label] = proxy


def _followed_models():
    # Read from the registry as it fills: this module loads after the apps it follows.
    return tracked.domain_models(lambda label: apps.all_models[label].values())


for _model in _followed_models():
    _follow(_model)


class AuditEvent(Events):
    """Every event of every followed model, with who made it and through what."""

    user = pghistory.ProxyField(
        "pgh_context__user",
        models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True),
    )
    source = pghistory.ProxyField("pgh_context__source", models.TextField(null=True))

    class Meta:
        proxy = True
