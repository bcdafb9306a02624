"""What the mail chaos tests share: a real SMTP server that counts what it accepted, the
sweep beat would send, and the figures each test prints and writes to
artifacts/chaos-mail.txt. The workers they kill come from tests/processes.py."""

import email
import email.policy
import os
import signal
import socket
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings

from tests import db as test_db


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """What the server accepted, by Message-ID and by recipient. ``on_data(count)`` runs before
    each message and may refuse it by returning a reply (e.g. "451 ...")."""

    def __init__(self):
        self.received = []  # (Message-ID, recipient)
        self.refused = 0
        self.on_data = None
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        if self.on_data is not None:
            refusal = self.on_data(len(self.received))
            if refusal:
                with self._lock:
                    self.refused += 1
                return refusal
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            for rcpt in envelope.rcpt_tos:
                self.received.append((str(message["Message-ID"]), rcpt))
        return "250 OK"

    def by_message_id(self):
        return Counter(mid for mid, _ in self.received)

    def by_recipient(self):
        return Counter(rcpt for _, rcpt in self.received)

    def __len__(self):
        return len(self.received)


@pytest.fixture(name="smtp")
def smtp_fixture():
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.url = f"smtp://127.0.0.1:{port}?timeout=5"
    try:
        yield inbox
    finally:
        controller.stop()


def worker_env(smtp, **extra):
    """This test's database and Redis DB, its SMTP server, short leases and retries."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "TEST_DATABASE_URL": test_db.url(),
        "TEST_REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": smtp.url,
        "OUTBOX_LEASE_SECONDS": "3",
        "OUTBOX_RETRY_BASE_SECONDS": "1",
        "OUTBOX_RETRY_MAX_SECONDS": "2",
        "OUTBOX_BATCH": "10",
    }
    env.update(extra)
    return env


def kill_at(inbox, count, pid_to_kill):
    """When the server has accepted ``count`` emails, SIGKILL the process ``pid_to_kill()``
    names, in the middle of its SMTP conversation: the email it is sending is refused (it never
    arrives) and the rest of its claimed batch is left 'sending'. Returns the killed PIDs."""
    killed = []

    def on_data(received):
        if received >= count and not killed:
            pid = pid_to_kill()
            killed.append(pid)
            os.kill(pid, signal.SIGKILL)
            return "451 4.3.0 Connection lost"
        return None

    inbox.on_data = on_data
    return killed


def sweep_until(done, seconds=25):
    """What beat does every minute (``outbox.deliver``), every half second, until ``done()``."""
    from config import celery_app

    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, "timed out: emails still not delivered"
        celery_app.send_task("outbox.deliver", ignore_result=True)
        time.sleep(0.5)


def wait_until(condition, seconds=25):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def figures(messages, inbox):
    """(due, delivered, duplicated, stuck) for these outbox messages at this server."""
    from outbox.models import Status
    from outbox.senders import message_id

    received = inbox.by_message_id()
    ids = [message_id(m) for m in messages]
    delivered = sum(1 for mid in ids if received[mid] >= 1)
    duplicated = sum(received[mid] - 1 for mid in ids if received[mid] > 1)
    stuck = sum(1 for m in messages if m.status != Status.SENT)
    return len(ids), delivered, duplicated, stuck


def report(capsys, name, *, due, delivered, duplicated, stuck, **more):
    """Print the figures (whatever the capture) and append them to artifacts/chaos-mail.txt."""
    extra = "".join(f" {key}={value}" for key, value in more.items())
    line = (
        f"chaos-mail {name}: emails due={due} delivered={delivered} "
        f"duplicated={duplicated} stuck={stuck}{extra}"
    )
    with capsys.disabled():
        print(f"\n{line}")
    artifacts = Path(settings.BASE_DIR) / "artifacts"
    artifacts.mkdir(exist_ok=True)
    with open(artifacts / "chaos-mail.txt", "a", encoding="utf-8") as out:
        out.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {line}\n")
