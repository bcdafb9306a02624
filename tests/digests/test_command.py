"""send_weekly_digests: the same records and rules as the beat, by hand."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command

from digests.models import DeliveryStatus, Digest
from tests.digests.helpers import prefer

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("send_weekly_digests", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_dry_run_prints_and_records_nothing(frozen, smtp, coo, manager, other_manager, partnership):
    output = run("--dry-run", "--week", "2026-W47")
    assert "Digests for 2026-W47 (dry run):" in output
    assert (
        "would send to coo@example.com: “Concord digest, 9–15 Nov 2026: nothing new across "
        "1 partnership” [nothing new]" in output
    )
    assert "skip other@example.com: follows no partnerships" in output
    assert not Digest.objects.exists() and smtp.received == []


def test_one_user_one_week_then_never_again(frozen, smtp, coo, manager, partnership):
    output = run("--week", "2026-W47", "--user", "MANAGER@example.com")
    assert "sent to manager@example.com" in output and "Done: 1 sent." in output
    [mail] = smtp.received
    assert mail.to == ["manager@example.com"] and "9–15 Nov 2026" in mail.subject
    digest = Digest.objects.get()
    assert (digest.week, digest.period_start, digest.status) == (
        "2026-W47",
        date(2026, 11, 9),
        DeliveryStatus.SENT,
    )
    assert "already sent" in run("--week", "2026-W47", "--user", "manager@example.com")
    assert len(smtp.received) == 1


def test_everyone_their_next_digest(frozen, smtp, coo, manager, viewer, partnership):
    # Monday 23 Nov 07:05: this week's 07:00 send has passed, so without --week each
    # recipient's next digest is the one of 30 Nov, the one their preview shows.
    prefer(viewer, enabled=False)
    output = run()
    assert "Digests for each recipient's next week:" in output
    assert "coo@example.com, 2026-W49: covers 23–29 Nov 2026. Sent Mondays at 07:00" in output
    assert "skip viewer@example.com: digest turned off" in output
    assert sorted(m.to[0] for m in smtp.received) == ["coo@example.com", "manager@example.com"]


def test_away_recipient_gets_the_monthly_digest_even_when_named(frozen, smtp, coo, partnership):
    # The preview shows the monthly rhythm; naming the recipient does not change the digest.
    prefer(coo, last_seen_on=date(2026, 9, 1))
    assert "away, gets the monthly digest" in run("--week", "2026-W48")
    assert "away, gets the monthly digest" in run("--week", "2026-W48", "--user", "coo@example.com")
    output = run("--week", "2026-W50", "--user", "coo@example.com")
    assert "covers 2 Nov – 6 Dec 2026. Monthly while you are away" in output
    assert "sent to coo@example.com" in output


def test_smtp_failure_is_reported_and_left_pending(frozen, smtp, coo, partnership):
    smtp.reject_next = 1
    output = run("--user", "coo@example.com")
    assert "FAILED coo@example.com" in output and "left pending" in output
    digest = Digest.objects.get()
    assert (digest.status, digest.attempts) == (DeliveryStatus.PENDING, 1)
    assert "451" in digest.last_error
    # The outbox's next attempt is a minute later; running the command again then delivers it.
    frozen.shift(timedelta(minutes=2))
    assert "sent to coo@example.com" in run("--user", "coo@example.com")
    digest.refresh_from_db()
    assert (digest.status, digest.attempts) == (DeliveryStatus.SENT, 2)


def test_bad_arguments(db):
    with pytest.raises(CommandError, match="ISO week"):
        run("--week", "2026-47")
    with pytest.raises(CommandError, match="No user has the email address"):
        run("--user", "nobody@example.com")
