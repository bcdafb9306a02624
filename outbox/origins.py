"""The records emails are written for (an alert notification, a digest, a reminder) follow
their outbox messages, so their pages and admin tell the truth.

An app registers its model and a function per origin prefix (``register``); each message
carries its origin (``"digest:12"``). Whenever a message's status changes, ``settle`` locks the
origin's row and hands the function the outcome of all its messages, in the same transaction as
the change: a message marked sent and its record marked delivered commit together.
"""

import logging
from dataclasses import dataclass, field

from django.db import transaction

from .models import Message, Status

log = logging.getLogger(__name__)

_registry = {}


def register(prefix, model, apply):
    """``apply(pk, outcome)`` updates the ``model`` row ``pk`` to match ``outcome``."""
    if ":" in prefix:
        raise ValueError("An origin prefix has no colon.")
    _registry[prefix] = (model, apply)


def origin_of(prefix, pk) -> str:
    return f"{prefix}:{pk}"


@dataclass
class Outcome:
    """What an origin's messages add up to: ``sent`` when every one was delivered, ``failed``
    once one has failed for good, otherwise ``pending`` (waiting, retrying or being sent)."""

    status: str
    delivered_to: list = field(default_factory=list)
    attempts: int = 0
    last_error: str = ""
    sent_at: object = None


def outcome(origin) -> Outcome:
    rows = list(
        Message.objects.filter(origin=origin).values_list(
            "status", "recipient", "attempts", "last_error", "sent_at"
        )
    )
    statuses = {row[0] for row in rows}
    if Status.FAILED in statuses:
        status = Status.FAILED
    elif rows and statuses == {Status.SENT}:
        status = Status.SENT
    else:
        status = Status.PENDING
    sent = [row for row in rows if row[0] == Status.SENT]
    return Outcome(
        status=status,
        delivered_to=sorted(row[1] for row in sent),
        attempts=max((row[2] for row in rows), default=0),
        last_error=next((row[3] for row in rows if row[3] and row[0] != Status.SENT), ""),
        sent_at=max((row[4] for row in sent), default=None) if status == Status.SENT else None,
    )


def settle(origins) -> None:
    """Bring each origin's record up to date with its messages. Call it inside the transaction
    that changed them. A record that cannot be updated is logged, never allowed to undo the
    message's own change (a sent message marked unsent would be sent again)."""
    for origin in sorted({o for o in origins if o}):
        prefix, _, pk = origin.partition(":")
        if prefix not in _registry or not pk.isascii() or not pk.isdigit():
            continue
        model, apply = _registry[prefix]
        try:
            with transaction.atomic():
                # Locked first, so two messages of one record settling at once take turns and
                # the second sees the first's outcome.
                if model.objects.select_for_update().filter(pk=int(pk)).exists():
                    apply(int(pk), outcome(origin))
        except Exception:
            log.exception("The record %s could not be updated from its outbox messages.", origin)


def messages_of(prefix, pks):
    return Message.objects.filter(origin__in=[origin_of(prefix, pk) for pk in pks])
