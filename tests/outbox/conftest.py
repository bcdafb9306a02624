"""A real SMTP server (aiosmtpd) for the outbox tests, counting what it received by Message-ID."""

import email
import email.policy
import socket
import threading
from collections import Counter
from datetime import UTC, datetime

import pytest
import time_machine
from aiosmtpd.controller import Controller

NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def free_port():
    # Controller(port=0) cannot report the port it got: take a free one first.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """What the server accepted. ``reply`` answers DATA with an SMTP error instead (e.g. 550);
    ``on_data(count)`` runs before each message is accepted and may refuse it by returning a reply.
    """

    def __init__(self):
        self.received = []
        self.reply = None
        self.on_data = None
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.on_data is not None:
            refusal = self.on_data(len(self.received))
            if refusal:
                return refusal
        if self.reply:
            return self.reply
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.received.append(message)
        return "250 OK"

    def message_ids(self):
        return Counter(str(m["Message-ID"]) for m in self.received)

    def __len__(self):
        return len(self.received)


class SmtpServer:
    def __init__(self, port):
        self.port = port
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}?timeout=5"


@pytest.fixture
def smtp(settings):
    """A started SMTP server, and this process's default mailer pointed at it."""
    server = SmtpServer(free_port())
    server.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5},
        }
    }
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def frozen():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller
