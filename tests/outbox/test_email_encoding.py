"""How an outbox email is written for SMTP: as Django's SMTP mailer writes it (its SMTP policy),
and as a receiving server reads it back."""

import email
import email.policy

import pytest

from outbox.models import Message
from outbox.senders import SMTP_LINE_LIMIT, build_email

UNSUBSCRIBE = "<https://concord.example.com/digests/unsubscribe/" + "a1B2c3D4e5" * 8 + "/>"
# A line like the digest's: inline styles, well past 78 characters, and a non-ASCII arrow.
STYLED = '<td style="padding:10px 0;border-top:1px solid #e8ecf1;font-size:13px;">Health ↑</td>'


def written(html, *, subject="Weekly digest", headers=None):
    message = Message(
        pk=7,
        recipient="coo@example.com",
        subject=subject,
        text="Health ↑ — week 48\n",
        html=html,
        payload={"headers": headers or {}},
    )
    raw = build_email(message).message(policy=email.policy.SMTP).as_bytes()
    return raw, email.message_from_bytes(raw, policy=email.policy.default)


def part(parsed, mimetype):
    return next(p for p in parsed.walk() if p.get_content_type() == mimetype)


def test_bodies_with_lines_smtp_allows_go_as_they_are():
    html = "<table>\n" + STYLED * 10 + "\n</table>\n"
    raw, parsed = written(html)
    assert len(STYLED) * 10 < SMTP_LINE_LIMIT < len(STYLED) * 13
    html_part = part(parsed, "text/html")
    assert html_part["Content-Transfer-Encoding"] == "8bit"
    assert part(parsed, "text/plain")["Content-Transfer-Encoding"] == "8bit"
    assert html_part.get_content().replace("\r\n", "\n") == html
    assert STYLED.encode() * 10 in raw  # not one "=3D" for each "="


def test_a_line_past_smtps_limit_is_still_encoded():
    html = STYLED * 13 + "\n"
    raw, parsed = written(html)
    html_part = part(parsed, "text/html")
    assert html_part["Content-Transfer-Encoding"] == "quoted-printable"
    assert html_part.get_content().replace("\r\n", "\n") == html
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78


@pytest.mark.parametrize("subject", ["Weekly digest", "Northwind 36 ↓, 5 KPIs off track — " * 4])
def test_the_unsubscribe_url_is_written_whole_and_other_headers_still_fold(subject):
    raw, parsed = written(
        "<p>Hi</p>\n",
        subject=subject,
        headers={"List-Unsubscribe": UNSUBSCRIBE, "List-Unsubscribe-Post": "One-Click"},
    )
    headers = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    # A mail client reads the URL as it is: encoded words are not decoded in this header.
    assert f"List-Unsubscribe: {UNSUBSCRIBE}".encode() in headers
    assert all(len(line) <= 78 for line in headers if not line.startswith(b"List-Unsubscribe:"))
    assert parsed["Subject"] == subject
    assert parsed["List-Unsubscribe"] == UNSUBSCRIBE
