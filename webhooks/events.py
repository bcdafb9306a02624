"""The one way an app reports an event to the webhooks that follow it.

The app that owns the change describes it as an ``Occurrence`` and calls ``emit`` (or
``emit_many``) in the transaction of the change: one outbox message per active webhook that
follows the event, committed with the change or not at all. Each message is keyed by webhook
and by the occurrence's ``source``, so emitting the same occurrence again writes nothing.
"""

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from outbox.origins import origin_of
from outbox.services import enqueue_webhook

from . import formats
from .models import TEST_EVENT, Event, Webhook

ORIGIN = "webhook"


@dataclass(frozen=True)
class Occurrence:
    """One event, in words for a chat channel and in data for a program.

    ``source`` names what happened once ("alert-event:55"); ``partnership`` is the partnership
    it happened to (its ``pk`` and ``title`` are read), ``url`` a path or full URL in Concord,
    ``facts`` short (label, value) pairs and ``data`` the event's own JSON fields."""

    event: str
    source: str
    partnership: object
    title: str
    text: str
    url: str
    facts: tuple = ()
    data: dict = field(default_factory=dict)
    at: datetime | None = None
    tone: str = ""  # "red", "amber", "green": the colour a chat card takes


def followed(events) -> bool:
    """Whether any active webhook follows one of ``events``: an app asks before it reads what
    it would report."""
    return Webhook.objects.following(events).exists()


def emit(occurrence) -> int:
    """Write ``occurrence`` to every active webhook following its event. Returns how many
    webhooks it was for (one already written for a webhook is not written again)."""
    return emit_many([occurrence])


def emit_many(occurrences) -> int:
    """``emit`` for several occurrences, reading the webhooks once."""
    occurrences = list(occurrences)
    if not occurrences:
        return 0
    wanted = sorted({o.event for o in occurrences})
    hooks = list(Webhook.objects.following(wanted).order_by("pk"))
    written = 0
    for occurrence in occurrences:
        for hook in hooks:
            if occurrence.event in hook.events:
                deliver_to(hook, occurrence)
                written += 1
    return written


def deliver_to(hook, occurrence):
    """One outbox message: this occurrence, in the hook's format, to its URL."""
    delivery = str(uuid.uuid4())
    at = occurrence.at or timezone.now()
    body = formats.render(hook.format, occurrence, delivery=delivery, at=at)
    return enqueue_webhook(
        url=hook.url,
        subject=occurrence.title,
        body=body,
        key=_key(hook, occurrence),
        origin=origin_of(ORIGIN, hook.pk),
        payload={"webhook": hook.pk, "event": occurrence.event, "delivery": delivery},
    )


def _key(hook, occurrence):
    key = f"{ORIGIN}:{hook.pk}:{occurrence.event}:{occurrence.source}"
    if len(key) <= 255:
        return key
    digest = hashlib.sha256(occurrence.source.encode()).hexdigest()
    return f"{ORIGIN}:{hook.pk}:{occurrence.event}:sha256:{digest}"


def send_test(hook, *, by):
    """A test delivery to ``hook`` alone, whatever it follows (and even when turned off, so it
    can be tried before it is switched on)."""
    name = by.get_full_name() or by.username
    occurrence = Occurrence(
        event=TEST_EVENT,
        source=f"test:{uuid.uuid4().hex}",
        partnership=None,
        title=f"Test from Concord: {hook.name}",
        text=f"{name} sent this test to check that Concord's messages arrive here.",
        url=hook.get_absolute_url(),
        facts=(("Format", hook.get_format_display()), ("Follows", _following(hook))),
        data={"webhook": {"id": hook.pk, "name": hook.name}},
        tone="green",
    )
    return deliver_to(hook, occurrence)


def _following(hook):
    return ", ".join(Event(e).label for e in hook.events if e in Event.values) or "nothing yet"
