"""Writes to the outbox and its delivery.

Enqueueing writes a row in the caller's transaction and asks for a delivery once that
transaction commits. Delivery claims due rows with a lease, sends each, and records the outcome
in a short transaction of its own, so a message the server accepted is marked sent at once.
"""

import contextlib
import hashlib
import logging
import os
import secrets
import socket

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.celery import once_on_commit, queue_briefly

from . import backoff, origins, senders
from .models import Kind, Message, Status

log = logging.getLogger(__name__)


# Enqueueing -----------------------------------------------------------------------------------


def enqueue_email(
    *,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    key: str | None = None,
    origin: str = "",
    headers: dict | None = None,
) -> Message:
    """Write an email to the outbox in the caller's transaction. `key` makes it idempotent:
    a second enqueue with the same key returns the existing message and sends nothing twice.
    `origin` names the record it is sent for, which then follows its outcome (outbox.origins).
    Delivery is kicked on commit (a Celery task); if Redis is down, the periodic sweep delivers it.
    """
    _check(to, subject)
    payload = {"headers": dict(headers)} if headers else {}
    return _enqueue(
        key=key,
        kind=Kind.EMAIL,
        recipient=to,
        subject=subject,
        text=text,
        html=html,
        origin=origin,
        payload=payload,
    )


def enqueue_emails(emails) -> int:
    """Write many emails in one statement, in the caller's transaction: each a dict of
    enqueue_email's arguments, with a ``key``. A key already in the outbox is skipped (so a
    rerun writes nothing twice). Returns how many were given."""
    now = timezone.now()
    rows = []
    for email in emails:
        _check(email["to"], email["subject"])
        if not email.get("key"):
            raise ValueError("Emails written together each need a key.")
        headers = email.get("headers")
        rows.append(
            Message(
                kind=Kind.EMAIL,
                recipient=email["to"],
                subject=email["subject"],
                text=email["text"],
                html=email.get("html", ""),
                key=email["key"],
                origin=email.get("origin", ""),
                payload={"headers": dict(headers)} if headers else {},
                created_at=now,
                next_attempt_at=now,
                give_up_at=now + backoff.give_up_after(),
            )
        )
    if rows:
        Message.objects.bulk_create(rows, ignore_conflicts=True)
        kick_on_commit()
    return len(rows)


def enqueue_webhook(*, url: str, subject: str, body: str, key: str, origin: str, payload: dict):
    """Write one webhook POST to the outbox in the caller's transaction: ``body`` is the exact
    text sent (and signed), ``payload`` what the sender needs beside it. Idempotent by ``key``
    like ``enqueue_email``."""
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"A webhook needs an http(s) URL, not {url!r}.")
    return _enqueue(
        key=key,
        kind=Kind.WEBHOOK,
        recipient=url,
        subject=subject[:500],
        text=body,
        origin=origin,
        payload=payload,
    )


def _check(to, subject):
    if not to or "@" not in to:
        raise ValueError(f"An email needs a recipient address, not {to!r}.")
    if "\n" in subject or "\r" in subject:
        raise ValueError("An email subject is one line.")


def recipient_key(origin: str, address: str) -> str:
    """The idempotency key of one record's email to one address: a rerun finds it, so no
    recipient is written (or sent) twice. Long addresses are hashed to fit the column."""
    key = f"{origin}:{address.lower()}"
    if len(key) <= 255:
        return key
    return f"{origin}:sha256:{hashlib.sha256(address.lower().encode()).hexdigest()}"


def _enqueue(*, key, **fields) -> Message:
    now = timezone.now()
    give_up_at = now + backoff.give_up_after()
    fields |= {"created_at": now, "next_attempt_at": now, "give_up_at": give_up_at}
    if key:
        message, created = Message.objects.get_or_create(key=key, defaults=fields)
    else:
        message, created = Message.objects.create(**fields), True
    if created:
        kick_on_commit()
    return message


def kick_on_commit():
    """One kick per transaction, however many messages it writes: a worker delivers them all."""
    once_on_commit(kick_delivery)


def kick_delivery():
    """Ask a worker to deliver now. Runs after the commit: the rows are safe whatever happens
    here, and the periodic sweep delivers them if the broker cannot be reached."""
    # By name (outbox.apps registers it): outbox.tasks imports this module.
    if not queue_briefly("outbox.deliver"):
        log.warning("Outbox delivery could not be queued; the periodic sweep will deliver.")


def retry_now(ids) -> int:
    """Failed messages get another full horizon of attempts (OUTBOX_GIVE_UP_HOURS), from now."""
    now = timezone.now()
    with transaction.atomic():
        failed = Message.objects.select_for_update().filter(pk__in=ids, status=Status.FAILED)
        retried = list(failed.values_list("pk", "origin"))
        Message.objects.filter(pk__in=[pk for pk, _ in retried]).update(
            status=Status.PENDING,
            next_attempt_at=now,
            give_up_at=now + backoff.give_up_after(),
            lease_until=None,
        )
        origins.settle(origin for _, origin in retried)
        if retried:
            kick_on_commit()
    return len(retried)


def retry_origins(prefix, pks) -> int:
    """Retry the failed messages written for these records (their admin's retry action)."""
    failed = origins.messages_of(prefix, pks).filter(status=Status.FAILED)
    return retry_now(list(failed.values_list("pk", flat=True)))


# Delivery -------------------------------------------------------------------------------------


def worker_name() -> str:
    """Unique per call, so two loops in one process never take each other's claims for theirs."""
    return f"{socket.gethostname()[:150]}:{os.getpid()}:{secrets.token_hex(3)}"


def claim_due(*, now, limit, worker) -> list[int]:
    """Mark up to ``limit`` due messages as ours for one lease; return their ids.

    SKIP LOCKED lets concurrent workers claim disjoint batches without waiting on each other;
    a message whose lease ran out (its worker died) is due again and claimed like a new one.
    """
    with transaction.atomic():
        ids = list(
            Message.objects.due(now)
            .filter(kind__in=senders.KINDS)
            .order_by("next_attempt_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Message.objects.filter(pk__in=ids).update(
                status=Status.SENDING,
                claimed_by=worker,
                lease_until=now + backoff.lease(),
                attempts=F("attempts") + 1,
            )
    return ids


def renew_lease(pk, *, worker, now) -> bool:
    """Just before sending: still ours? Then a fresh lease covers this one send."""
    return bool(
        Message.objects.filter(pk=pk, status=Status.SENDING, claimed_by=worker).update(
            lease_until=now + backoff.lease()
        )
    )


def _settling(message):
    """A message written for a record changes with that record in one transaction."""
    return transaction.atomic() if message.origin else contextlib.nullcontext()


def mark_sent(message, *, now) -> None:
    # Whoever holds the claim now, the message did leave: say so, so nobody sends it again.
    with _settling(message):
        if Message.objects.filter(
            pk=message.pk, status__in=[Status.PENDING, Status.SENDING]
        ).update(status=Status.SENT, sent_at=now, lease_until=None, last_error=""):
            origins.settle([message.origin])


def record_failure(message, *, worker, error, now) -> Status:
    """Schedule the next attempt with backoff, or give up: past its deadline, or refused for
    good. Returns the message's new status."""
    final = senders.is_permanent(error) or now >= message.give_up_at
    status = Status.FAILED if final else Status.PENDING
    updates = {
        "status": status,
        "lease_until": None,
        "last_error": f"{type(error).__name__}: {error}"[:2000],
    }
    if not final:
        updates["next_attempt_at"] = now + backoff.retry_delay(message.attempts)
    with transaction.atomic():
        if Message.objects.filter(pk=message.pk, status=Status.SENDING, claimed_by=worker).update(
            **updates
        ):
            origins.settle([message.origin])
    return status


def deliver_due(*, now=None, limit=100, worker: str = "") -> int:
    """Claim due messages with a lease (conditional UPDATE ... RETURNING / SKIP LOCKED), send each
    through Django's mail (settings.MAILERS), mark it sent, or schedule a retry with backoff; a
    message whose lease expired (its worker died) is claimed again. Returns how many were sent.

    Call it outside any transaction: each outcome must commit as soon as it is known.
    """
    claimed, sent = deliver_batch(now=now, limit=limit, worker=worker or worker_name())
    return sent


def deliver_all_due(*, limit=100, worker: str = "") -> int:
    """Deliver batch after batch until a claim finds nothing due (messages that failed wait for
    their next attempt, so this ends). Returns how many were sent."""
    worker = worker or worker_name()
    total = 0
    while True:
        claimed, sent = deliver_batch(now=None, limit=limit, worker=worker)
        total += sent
        if not claimed:
            return total


def deliver_batch(*, now, limit, worker) -> tuple[int, int]:
    """One claimed batch, each message sent and its outcome recorded: (claimed, sent)."""
    clock = (lambda: now) if now is not None else timezone.now
    ids = claim_due(now=clock(), limit=limit, worker=worker)
    sent = 0
    unreachable = {}  # kind -> the error that says its server cannot be reached
    with senders.Outlets() as outlets:
        for message in Message.objects.filter(pk__in=ids).order_by("next_attempt_at", "pk"):
            if message.kind in unreachable:
                record_failure(message, worker=worker, error=unreachable[message.kind], now=clock())
                continue
            if not renew_lease(message.pk, worker=worker, now=clock()):
                continue  # our lease ran out and another worker took it over
            try:
                outlets.send(message)
            except Exception as error:  # any failure of one message must not stop the others
                log.warning("Outbox message %s not delivered: %s", message.pk, error)
                outlets.reset(message.kind)
                if senders.is_unreachable(error):
                    unreachable[message.kind] = error
                record_failure(message, worker=worker, error=error, now=clock())
                continue
            mark_sent(message, now=clock())
            sent += 1
    return len(ids), sent
