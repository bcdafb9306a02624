"""An event as a row people read: when, who, through what, what, and before -> after."""

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from . import registry
from .context import SOURCES

ACTIONS = {"insert": "Created", "update": "Changed", "delete": "Deleted"}
# Columns every row has and nobody reads in a history.
QUIET = {"id", "created_at", "updated_at"}
NAME_KEYS = ("title", "name", "username", "subject", "label", "description")
LONGEST = 120
DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


@dataclass
class Row:
    when: object
    actor: object
    source: str
    kind: str
    label: str  # the followed model's label, e.g. "kpis.Kpi"
    object_id: str
    url: str
    name: str
    action: str
    changes: list = field(default_factory=list)  # (field, before, after)

    def changes_text(self):
        return "; ".join(f"{name}: {before} → {after}" for name, before, after in self.changes)


def _columns(model):
    """Column -> (field name for people, related model or None)."""
    return {
        f.column: (str(f.verbose_name), f.related_model if f.is_relation else None)
        for f in model._meta.concrete_fields
    }


def _moment(text):
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return date_format(timezone.localtime(moment), "j M Y H:i")


def _shown(value, related, users):
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str) and DATETIME.match(value):
        return _moment(value)
    if related is not None:
        if related is get_user_model() and value in users:
            user = users[value]
            return user.get_full_name() or user.username
        return f"#{value}"
    text = str(value)
    return text if len(text) <= LONGEST else text[: LONGEST - 1] + "…"


def _changes(event, columns, users):
    if event.pgh_label == "update" and event.pgh_diff:
        pairs = [(col, before, after) for col, (before, after) in event.pgh_diff.items()]
    elif event.pgh_label == "delete":
        pairs = [(col, value, None) for col, value in (event.pgh_data or {}).items()]
    else:
        pairs = [(col, None, value) for col, value in (event.pgh_data or {}).items()]
    shown = []
    for col, before, after in pairs:
        if col in QUIET or col not in columns:
            continue
        name, related = columns[col]
        if event.pgh_label != "update" and (before if after is None else after) in (None, ""):
            continue
        shown.append((name, _shown(before, related, users), _shown(after, related, users)))
    return shown


def _user_ids(events, columns_of):
    User = get_user_model()
    ids = set()
    for event in events:
        if event.user_id:
            ids.add(event.user_id)
        columns = columns_of(event)
        for col, value in (event.pgh_data or {}).items():
            if col in columns and columns[col][1] is User and isinstance(value, int):
                ids.add(value)
        for col, pair in (event.pgh_diff or {}).items():
            if col in columns and columns[col][1] is User:
                ids.update(v for v in pair if isinstance(v, int))
    return ids


def _url(label, pk):
    if not pk:
        return ""
    return reverse("audit:object", args=[label.lower(), pk])


def rows(events):
    """The rows of ``events``, with one query for the people they name."""
    events = list(events)
    cache = {}

    def columns_of(event):
        label = registry.followed_label(event.pgh_model)
        if label not in cache:
            cache[label] = _columns(registry.followed_model(label))
        return cache[label]

    users = get_user_model().objects.in_bulk(_user_ids(events, columns_of)) if events else {}
    found = []
    for event in events:
        label = registry.followed_label(event.pgh_model)
        model = registry.followed_model(label)
        data = event.pgh_data or {}
        name = next((str(data[key]) for key in NAME_KEYS if data.get(key)), "")
        found.append(
            Row(
                when=event.pgh_created_at,
                actor=users.get(event.user_id),
                source=SOURCES.get(event.source or "", "Shell"),
                kind=model._meta.verbose_name.capitalize(),
                label=label,
                object_id=event.pgh_obj_id or "",
                url=_url(label, event.pgh_obj_id),
                name=name[:LONGEST],
                action=ACTIONS.get(event.pgh_label, event.pgh_label),
                changes=_changes(event, columns_of(event), users),
            )
        )
    return found
