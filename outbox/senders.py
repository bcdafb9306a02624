"""How each kind of message leaves: one sender per kind, opened once per batch.

A sender raises on failure; `is_permanent` tells a refusal that no retry will change (an SMTP
5xx) from one worth retrying, and `is_unreachable` one that will fail the same way for every
other message of the batch (the server cannot be reached).
"""

import contextlib
import smtplib
import socket
from email.utils import parseaddr

from django.conf import settings
from django.core import mail

from .models import Kind


def message_id(message) -> str:
    """The Message-ID header of an outbox email: the same on every attempt, so a receiving server
    (or a test) can tell a second delivery of one message from a new one."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "concord.localhost"
    return f"<outbox.{message.pk}@{domain}>"


def build_email(message) -> mail.EmailMultiAlternatives:
    email = mail.EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        # Headers the caller asked for (List-Unsubscribe), never our own Message-ID.
        headers={**message.payload.get("headers", {}), "Message-ID": message_id(message)},
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    return email


class EmailSender:
    """One mail connection for the whole batch, opened on first use, reopened after an error."""

    def __init__(self):
        self.connection = None

    def send(self, message):
        if self.connection is None:
            # Opened here, the connection stays open across send_messages calls (which would
            # otherwise connect and say QUIT for every message) until close().
            self.connection = mail.mailers.default
            self.connection.open()
        if not self.connection.send_messages([build_email(message)]):
            raise smtplib.SMTPException("The mail backend reported nothing sent.")

    def close(self):
        connection, self.connection = self.connection, None
        if connection is not None:
            # A broken connection may fail to close; the next send opens a new one anyway.
            with contextlib.suppress(OSError, smtplib.SMTPException):
                connection.close()


SENDERS = {Kind.EMAIL: EmailSender}
# Claimed by ``deliver_due``: only kinds with a sender (the list grows with ``register``).
KINDS = list(SENDERS)


def register(kind, sender):
    """An app adds the sender of its kind from its ``AppConfig.ready`` (webhooks), so the outbox
    never imports the apps that use it."""
    SENDERS[Kind(kind)] = sender
    if kind not in KINDS:
        KINDS.append(Kind(kind))


class DeliveryError(Exception):
    """A failure of one message only (one webhook's receiver), never of the whole batch;
    ``permanent`` when the receiver refused it for good."""

    def __init__(self, message, *, permanent=False):
        super().__init__(message)
        self.permanent = permanent


class Outlets:
    """The open senders of one batch, by kind."""

    def __init__(self):
        self.open = {}

    def send(self, message):
        if message.kind not in self.open:
            self.open[message.kind] = SENDERS[message.kind]()
        self.open[message.kind].send(message)

    def reset(self, kind):
        sender = self.open.pop(kind, None)
        if sender is not None:
            sender.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for kind in list(self.open):
            self.reset(kind)


def is_permanent(error) -> bool:
    """The receiving server refused this message for good (5xx): retrying changes nothing."""
    if isinstance(error, DeliveryError):
        return error.permanent
    if isinstance(error, smtplib.SMTPConnectError):
        return False  # the whole server said no, not to this message
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def is_unreachable(error) -> bool:
    """The server could not be reached: every other message of the batch would wait the same."""
    if isinstance(error, DeliveryError):
        return False  # each webhook has a server of its own
    if isinstance(error, smtplib.SMTPConnectError | smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPException):
        return False
    return isinstance(error, ConnectionError | TimeoutError | socket.gaierror)
