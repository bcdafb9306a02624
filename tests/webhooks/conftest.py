"""A real HTTP receiver process for the webhook tests, and builders."""

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.factories import make_user
from tests.processes import kill_pid
from webhooks.models import Event, Webhook

RECEIVER = Path(__file__).with_name("receiver.py")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Receiver:
    """``receiver.py`` on a port of its own: not running until ``start()``."""

    def __init__(self, port, log):
        self.port = port
        self.log = log
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self, failures=0, failure_status=500):
        command = [sys.executable, str(RECEIVER), str(self.port), str(self.log)]
        command += [str(failures), str(failure_status)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        raise RuntimeError("The receiver did not start listening.")

    def stop(self):
        if self.process is not None:
            kill_pid(self.process.pid)
            self.process.wait(timeout=10)
            self.process = None

    def requests(self):
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def delivered(self):
        """The requests answered 2xx."""
        return [r for r in self.requests() if r["status"] < 300]


@pytest.fixture
def receiver(tmp_path):
    server = Receiver(free_port(), tmp_path / "received.jsonl")
    yield server
    server.stop()


def make_webhook(url="https://hooks.example.com/concord", events=None, **fields):
    fields.setdefault("name", "#partnerships")
    return Webhook.objects.create(
        url=url, events=[str(e) for e in (events if events is not None else Event.values)], **fields
    )


@pytest.fixture
def executive(db):
    return make_user("exec", "Executive", first_name="Erin", last_name="Exec")
