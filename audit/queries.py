"""The events of an object (or of everything), as django-pghistory's ``Events`` aggregate.

``Events`` unions the event tables and works out each event's before -> after (``pgh_diff``);
its own filters name one object or what points at it directly. Here each table gets the clause
of ``registry.scope`` instead, applied inside the table's part of the union, so a history reads
only its own rows.
"""

from pghistory.models import EventsQuery, EventsQueryCompiler, EventsQuerySet

from . import registry
from .models import AuditEvent


class _Compiler(EventsQueryCompiler):
    def _get_where_clause(self, event_model):
        clauses = self.query.clauses
        if clauses is None:
            return ""
        return f"WHERE {clauses[event_model]}"


class _Query(EventsQuery):
    clauses = None

    def get_compiler(self, *args, **kwargs):
        compiler = super().get_compiler(*args, **kwargs)
        compiler.__class__ = _Compiler
        return compiler

    def chain(self, klass=None):
        clone = super().chain(klass)
        clone.clauses = self.clauses
        return clone


class _QuerySet(EventsQuerySet):
    def __init__(self, model=None, query=None, using=None, hints=None):
        super().__init__(model, query or _Query(model), using, hints)


def events(*, target=None, pk=None, models=None):
    """The events of the ``target`` model's object ``pk`` and of what belongs to it (all
    events without a target), of the followed ``models`` labels only when given."""
    queryset = _QuerySet(AuditEvent)
    chosen = registry.event_models()
    if models is not None:
        chosen = {label: chosen[label] for label in models if label in chosen}
    if target is not None:
        scope = registry.scope(target)
        number = str(int(pk))  # an int: it goes into the SQL as text
        clauses = {m: c.replace("{pk}", number) for m, c in scope.items() if m in chosen.values()}
        queryset.query.clauses = clauses
        selected = list(clauses)
    else:
        selected = list(chosen.values())
    if not selected:  # across() with no table would mean every table
        return queryset.none()
    return queryset.across(*selected)
