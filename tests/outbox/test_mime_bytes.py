"""The outbox writes an email's bytes with `FastBytesGenerator`; they must be the bytes the
standard library's generator writes, for every kind of body and line break."""

import email.message
import email.policy
import random
from email.generator import BytesGenerator

import pytest

from outbox.mime_bytes import FastEmailMessage, as_bytes, as_bytes_reference
from outbox.models import Message
from outbox.senders import build_email

STYLED = '<td style="padding:10px 0;border-top:1px solid #e8ecf1;font-size:13px;">Health ↑</td>'
DIGEST_LIKE = "<table>\n" + (STYLED + "\n") * 3000 + "</table>\n"

BODIES = {
    "digest-sized, 8bit": ("Health ↑ — week 48\n" * 900, DIGEST_LIKE),
    "a line past SMTP's limit: quoted-printable": ("plain\n", STYLED * 13 + "\n"),
    "every kind of line break, no final one": ("a\r\nb\rc\n\nd", "<p>x</p>\r\n\r<p>y</p>"),
    "ASCII only: 7bit": ("Week 48\n", "<p>On track</p>\n"),
    "backslashes and group references": ("C:\\new\\1 \\g<0>\n", "<p>\\n \\\\ \\1</p>\n"),
    "no HTML": ("Only text ↑\n" * 50, ""),
    "empty text": ("", "<p>Hi</p>\n"),
}


def outbox_message(text, html, extra=None):
    return Message(
        pk=11,
        recipient="manager@example.com",
        subject="Weekly digest — Northwind ↓",
        text=text,
        html=html,
        # A fixed date: the two messages compared are built apart.
        payload={"headers": {"Date": "Mon, 07 Dec 2026 08:00:00 +0000", **(extra or {})}},
    )


def both_ways(message, policy, seed=48):
    written = []
    for write in (as_bytes_reference, as_bytes):
        built = build_email(message).message(policy=policy)
        random.seed(seed)  # the same boundary drawn for both
        written.append(write(built, policy=None))
    return written


@pytest.mark.parametrize("policy", [email.policy.SMTP, email.policy.default], ids=["smtp", "lf"])
@pytest.mark.parametrize("case", list(BODIES))
def test_the_bytes_are_the_standard_generators(case, policy):
    reference, fast = both_ways(outbox_message(*BODIES[case]), policy)
    assert fast == reference


def boundary_after(seed):
    random.seed(seed)
    return BytesGenerator._make_boundary()


@pytest.mark.parametrize(
    "body",
    [
        "--{b}\n",  # a delimiter line: the standard moves to "{b}.0"
        "--{b}--\n--{b}.0\n",  # the closing one, and the first way out taken too
        "text --{b} inside a line\n",  # present, but not a line of its own
    ],
)
def test_a_body_holding_the_boundary_gets_the_standard_one(body):
    text = "intro\n" + body.format(b=boundary_after(7)) + "outro\n"
    for policy in (email.policy.SMTP, email.policy.default):
        reference, fast = both_ways(outbox_message(text, "<p>Hi</p>\n"), policy, seed=7)
        assert fast == reference
    # Written with "\n" line ends, the standard sees the delimiter line and moves on (with
    # "\r\n" its pattern does not match the line, and both keep the drawn boundary).
    moved = f"--{boundary_after(7)}.0".encode()
    assert (moved in fast) == text.startswith("intro\n--")


def test_djangos_smtp_mailer_writes_the_fast_bytes():
    message = outbox_message(*BODIES["digest-sized, 8bit"])
    built = build_email(message).message(policy=email.policy.SMTP)
    assert isinstance(built, FastEmailMessage)
    random.seed(3)
    sent = built.as_bytes()  # what django.core.mail.backends.smtp writes
    random.seed(3)
    again = build_email(message).message(policy=email.policy.SMTP)
    assert sent == as_bytes_reference(again)
    assert sent.count(b"\r\n") > 3000 and b"\n" not in sent.replace(b"\r\n", b"")


@pytest.mark.parametrize("payload", ["a\r\nb\rc\n\nd", "end\r\n", "\n\r\r\n", "x"])
def test_a_payload_set_as_it_is_keeps_the_standards_line_breaks(payload):
    # A body from set_content has "\n" only; one set by hand keeps what it holds.
    def built():
        message = email.message.EmailMessage(policy=email.policy.SMTP)
        message["Subject"] = "Raw"
        message.set_payload(payload)
        return message

    assert as_bytes(built()) == as_bytes_reference(built())
