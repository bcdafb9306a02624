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


def _unindexed_keys(event_model, followed):
    """No index on an event's copy of a foreign key to a model the trail does not follow: a
    history reads events by the keys that point at followed objects only (``audit.registry``),
    and each index costs every write (the import batch's key: 0.04–0.07 s of a 100,000-row
    import's 3.1 s apply at ``large``)."""
    for field in event_model._meta.concrete_fields:
        if not field.is_relation or field.name in ("pgh_obj", "pgh_context"):
            continue
        # The registry is still loading: the target is a class or an "app.model" string.
        target = field.remote_field.model
        if isinstance(target, str):
            label = target.lower()
        else:
            label = target._meta.concrete_model._meta.label_lower
        if label not in followed:
            field.db_index = False


def _followed_models():
    # Read from the registry as it fills: this module loads after the apps it follows.
    return tracked.domain_models(lambda label: apps.all_models[label].values())


_FOLLOWED = _followed_models()
_FOLLOWED_LABELS = {_model._meta.label_lower for _model in _FOLLOWED}
for _model in _FOLLOWED:
    _follow(_model)
for _model in _FOLLOWED:
    _unindexed_keys(globals()[f"{_proxy_name(_model)}Event"], _FOLLOWED_LABELS)


class AuditEvent(Events):
    """Every event of every followed model, with who made it and through what."""

    user = pghistory.ProxyField(
        "pgh_context__user",
        models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True),
    )
    source = pghistory.ProxyField("pgh_context__source", models.TextField(null=True))

    class Meta:
        proxy = True
