"""How each kind of message leaves: one sender per kind, opened once per batch.

A sender raises on failure; `is_permanent` tells a refusal that no retry will change (an SMTP
5xx) from one worth retrying, and `is_unreachable` one that will fail the same way for every
other message of the batch (the server cannot be reached).
"""

import contextlib
import email.policy
import smtplib
import socket
from email.utils import parseaddr

from django.conf import settings
from django.core import mail

from .mime_bytes import FastEmailMessage
from .models import Kind


def message_id(message) -> str:
    """The Message-ID header of an outbox email: the same on every attempt, so a receiving server
    (or a test) can tell a second delivery of one message from a new one."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "concord.localhost"
    return f"<outbox.{message.pk}@{domain}>"


# SMTP's own limit on a line (RFC 5321), where the email policies fold at 78.
SMTP_LINE_LIMIT = 998
# Headers whose value is a list of <URL>s (RFC 2369), where an encoded word is not allowed.
URL_HEADERS = ("list-unsubscribe",)


class OutboxPolicy(email.policy.EmailPolicy):
    """The caller's policy, except that a URL header is written whole.

    The standard folder cannot break a URL longer than the line, so it writes it as RFC 2047
    encoded words, which a mail client does not decode in a structured header: the digest's
    one-click unsubscribe (``<https://…/digests/unsubscribe/<token>/>``, ~110 characters)
    reached receiving servers as ``=?utf-8?q?=3Chttp…?=``.
    """

    def _url_header(self, name, value):
        text = str(value)
        if name.lower() in URL_HEADERS and text.isascii():
            line = f"{name}: {text}"
            if len(line) <= SMTP_LINE_LIMIT:
                return line + self.linesep
        return None

    def fold(self, name, value):
        return self._url_header(name, value) or super().fold(name, value)

    def fold_binary(self, name, value):
        line = self._url_header(name, value)
        return line.encode("ascii") if line else super().fold_binary(name, value)


class OutboxEmail(mail.EmailMultiAlternatives):
    """An email whose text and HTML bodies go as they are (8bit) when none of their lines passes
    SMTP's limit, instead of quoted-printable, and whose URL headers are written whole.

    Our HTML keeps its styles inline, so its lines pass 78 characters and the standard policy
    encodes a digest quoted-printable: 15 ms of pure Python per 350 KB email, 7% larger, and
    twice the lines for the receiving server to read. Headers still fold at 78: only the
    bodies are encoded under the longer limit. Its bytes are written by
    `mime_bytes.FastBytesGenerator`: the standard's bytes, in a quarter of the time.
    """

    def message(self, *, policy=email.policy.default):
        bodies = [self.body, *(a.content for a in self.alternatives if isinstance(a.content, str))]
        fits = all(_longest_line(body) <= SMTP_LINE_LIMIT for body in bodies)
        # Under the longer limit a body is never quoted-printable, whose lines stop at 76.
        msg = super().message(
            policy=policy.clone(max_line_length=SMTP_LINE_LIMIT) if fits else policy
        )
        # Headers fold when the message is written, by its own policy.
        msg.policy = OutboxPolicy() + policy
        # Django builds a plain EmailMessage; its mailer sends what ``as_bytes`` gives.
        msg.__class__ = FastEmailMessage
        return msg


def _longest_line(text):
    return max(map(len, text.encode().splitlines()), default=0)


def build_email(message) -> mail.EmailMultiAlternatives:
    out = OutboxEmail(
        subject=message.subject,
        body=message.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        # Headers the caller asked for (List-Unsubscribe), never our own Message-ID.
        headers={**message.payload.get("headers", {}), "Message-ID": message_id(message)},
    )
    if message.html:
        out.attach_alternative(message.html, "text/html")
    return out


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
