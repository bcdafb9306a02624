"""Fixtures for the digest tests: a real SMTP server (aiosmtpd) on a free port, frozen time."""

import email
import email.policy
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import time_machine
from aiosmtpd.controller import Controller

# Monday 23 November 2026, 07:05 in London (GMT = UTC in November): London Monday digests are due.
MONDAY_0705_LONDON = datetime(2026, 11, 23, 7, 5, tzinfo=UTC)


@dataclass
class Received:
    mail_from: str
    to: list
    message: email.message.EmailMessage

    @property
    def subject(self):
        return str(self.message["Subject"])

    def part(self, mimetype):
        for part in self.message.walk():
            if part.get_content_type() == mimetype and not part.is_multipart():
                return part.get_content()
        return None

    @property
    def text(self):
        return self.part("text/plain")

    @property
    def html(self):
        return self.part("text/html")


class Inbox:
    """What the SMTP server received; it can turn away the next few messages (451)."""

    def __init__(self):
        self.received = []
        self.reject_next = 0
        self.rejected = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            if self.reject_next:
                self.reject_next -= 1
                self.rejected += 1
                return "451 4.3.0 Mailbox busy, try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address):
        return [m for m in self.received if address in m.to]

    def __len__(self):
        return len(self.received)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    settings.SITE_URL = "https://concord.example.com"
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def frozen():
    """Time stands still at Monday 23 Nov 2026 07:05 UTC; ``frozen.move_to(dt)`` moves it."""
    with time_machine.travel(MONDAY_0705_LONDON, tick=False) as traveller:
        yield traveller
