"""The followed models, their event tables, and which events belong to an object.

An object's history is its own events and those of the rows that belong to it, however deep:
a partnership's holds its KPIs, their measurements, its agreement's documents and their
versions... A row belongs to an object when one of its foreign keys points at it, or at a row
that belongs to it. The ids are read from the event tables, so a row deleted since (a KPI and
its measurements) still belongs where it was.
"""

from functools import cache

from django.apps import apps

from .models import PROXIES

MAX_DEPTH = 4


@cache
def event_models():
    """The event model of each followed model, by the followed model's label."""
    found = {}
    for label, proxy in PROXIES.items():
        found[label] = apps.get_model("audit", f"{proxy.__name__}Event")
    return found


@cache
def followed_label(event_model_label):
    """The followed model's label of an event model's label ('audit.KpisKpiEvent')."""
    for label, event_model in event_models().items():
        if event_model._meta.label == event_model_label:
            return label
    return None


def followed_model(label):
    return apps.get_model(label)


def label_of(model):
    return model._meta.concrete_model._meta.label


def _foreign_keys(model):
    return [f for f in model._meta.concrete_fields if f.is_relation]


def _clause(label, target, depth=0):
    """SQL over an event table's row ``_event`` selecting the events of ``label`` that belong
    to the ``target`` model's object ``{pk}``; None if none can."""
    model = followed_model(label)
    if label == target:
        return "_event.pgh_obj_id = {pk}" if hasattr(event_models()[label], "pgh_obj") else None
    direct = [f for f in _foreign_keys(model) if label_of(f.related_model) == target]
    if direct:
        return " OR ".join(f'_event."{f.column}" = {{pk}}' for f in direct)
    if depth >= MAX_DEPTH:
        return None
    parts = []
    for field in _foreign_keys(model):
        parent = label_of(field.related_model)
        if parent == label or parent not in event_models():
            continue
        inner = _clause(parent, target, depth + 1)
        if inner and hasattr(event_models()[parent], "pgh_obj"):
            table = event_models()[parent]._meta.db_table
            parts.append(
                f'_event."{field.column}" IN (SELECT _event.pgh_obj_id FROM "{table}" _event '
                f"WHERE {inner})"
            )
    return " OR ".join(f"({part})" for part in parts) or None


@cache
def scope(target):
    """{event model: SQL clause with a ``{pk}`` to fill} of the events that can belong to an
    object of the ``target`` model."""
    found = {}
    for label, event_model in event_models().items():
        clause = _clause(label, target)
        if clause:
            found[event_model] = clause
    return found


def object_label(label):
    """The label a URL names a followed model by ('kpis.kpi'), or None."""
    for known in event_models():
        if known.lower() == label.lower():
            return known
    return None
