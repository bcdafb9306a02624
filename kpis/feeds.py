"""Measurements sent by another system (the API's bulk write): the rows of one request are
checked by the import's own rules, then written all together or not at all, and a request
repeated with the same ``Idempotency-Key`` gets the first answer without writing again."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .imports import check, write
from .models import FeedRequest, Source
from .services import enqueue_recompute

FIELDS = ("kpi_id", "period", "value", "note")
KEY_CHARS = 255


def max_rows():
    return getattr(settings, "API_FEED_MAX_ROWS", 10_000)


def key_days():
    """How long a key is remembered: a retry after that writes again."""
    return getattr(settings, "API_IDEMPOTENCY_DAYS", 7)


def purge_keys(now=None):
    cutoff = (now or timezone.now()) - timedelta(days=key_days())
    return FeedRequest.objects.filter(created_at__lt=cutoff).delete()[0]


@dataclass
class Answer:
    status: int
    body: dict
    replayed: bool = False
    errors: list = field(default_factory=list)


def apply_feed(rows, *, user, key=None):
    """Check and write ``rows`` (a list of {kpi_id, period, value, note?}) for ``user``, the
    owner of the token. The answer: 201 with what was written, 400 with every refused row
    (nothing written), 422 when ``key`` was used for other rows."""
    problem = _shape_problem(rows, key)
    if problem:
        return Answer(400, {"detail": problem})
    fingerprint = _fingerprint(rows)
    with transaction.atomic():
        if key:
            taken, created = FeedRequest.objects.get_or_create(
                user=user, key=key, defaults={"fingerprint": fingerprint, "status_code": 0}
            )
            if not created:
                return _replay(taken, fingerprint)
        answer = _check_and_write(rows, user)
        if key:
            taken.status_code, taken.answer = answer.status, answer.body
            taken.save(update_fields=["status_code", "answer"])
    return answer


def _check_and_write(rows, user):
    checked = check(_frame(rows), user, for_update=True)
    if checked.errors:
        errors = [
            {
                "index": int(e["row"]),
                "field": e["column"],
                "value": e["value"],
                "message": e["message"],
            }
            for e in checked.errors
        ]
        body = {
            "detail": f"{len(errors)} problem{'s' if len(errors) != 1 else ''} found; "
            "nothing was written.",
            "rows": checked.rows,
            "errors": errors,
        }
        return Answer(400, body, errors=errors)
    created, corrected = write(checked.plan, user=user, batch=None, source=Source.API)
    enqueue_recompute(set(checked.plan["kpi_id"]))
    unchanged = int((checked.plan["outcome"] == "unchanged").sum())
    body = {
        "rows": checked.rows,
        "created": created,
        "corrected": corrected,
        "unchanged": unchanged,
        "skipped": checked.skipped,
    }
    return Answer(201, body)


def _error(error):
    """An import error, named for a JSON list: the row's index and the field."""
    return {
        "index": int(error["row"]),
        "field": error["column"],
        "value": error["value"],
        "message": error["message"],
    }


def _replay(taken, fingerprint):
    if taken.fingerprint != fingerprint:
        return Answer(
            422,
            {
                "detail": "This Idempotency-Key was already used for a different request. "
                "Use a new key for new measurements."
            },
        )
    return Answer(taken.status_code, taken.answer, replayed=True)


def _shape_problem(rows, key):
    if key is not None and not (0 < len(key) <= KEY_CHARS):
        return f"The Idempotency-Key must be 1 to {KEY_CHARS} characters."
    if not isinstance(rows, list) or not rows:
        return "Send the measurements as a non-empty list."
    if len(rows) > max_rows():
        return f"{len(rows):,} measurements sent; one request takes at most {max_rows():,}."
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            return f"Measurement {index} is not an object with kpi_id, period and value."
    return ""


def _frame(rows):
    """The rows as the import reads a sheet: object columns, ``_row`` the row's index."""
    columns = {name: [row.get(name) for row in rows] for name in FIELDS}
    frame = pd.DataFrame(
        {name: pd.Series(values, dtype=object) for name, values in columns.items()}
    )
    for name in ("kpi_id", "period", "note"):
        frame[name] = frame[name].map(_text)
    frame["value"] = frame["value"].map(lambda v: "" if v is None else v)
    frame.insert(0, "_row", np.arange(len(rows)))
    return frame


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _fingerprint(rows):
    canonical = json.dumps(rows, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
