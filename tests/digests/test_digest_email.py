"""The weekly digest end to end: fan-out, claim, render, a real SMTP server receiving it."""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from digests import services
from digests.models import DeliveryStatus, Digest
from digests.tasks import fan_out_digests, send_digest
from outbox.models import Message
from outbox.services import deliver_due
from partnerships.models import Stage
from tests.digests.helpers import agreement, aware, conflict, prefer, stage_move
from tests.factories import make_partnership

pytestmark = pytest.mark.django_db

SITE = "https://concord.example.com"


@pytest.fixture
def portfolio(frozen, coo, manager, viewer, other_manager, partnership):
    """`partnership` (team: manager, viewer) and a second one only executives can see."""
    partnership.stage = Stage.NEGOTIATION
    partnership.save()
    alliance = make_partnership(title="Cloud co-sell alliance", stage=Stage.ACTIVE)
    stage_move(partnership, Stage.ACTIVE, aware(date(2026, 11, 18)), by=coo)
    stage_move(alliance, Stage.RENEWAL, aware(date(2026, 11, 19)), by=coo)
    stage_move(alliance, Stage.RENEWAL, aware(date(2026, 11, 12)), from_stage=Stage.ACTIVE)
    conflict(alliance, date(2026, 11, 20), subject="Dispute over lead ownership")
    agreement(partnership, date(2027, 2, 10), notice_days=60)  # notice by Sat 12 Dec 2026
    return {"partnership": partnership, "alliance": alliance, "frozen": frozen}


def fan_out(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return fan_out_digests.delay().get()


def test_executive_gets_html_and_text_with_the_weeks_news(
    portfolio, smtp, coo, django_capture_on_commit_callbacks
):
    fan_out(django_capture_on_commit_callbacks)

    [mail] = smtp.to(coo.email)
    assert mail.subject == "Concord digest, 16–22 Nov 2026: 4 updates across 2 partnerships"
    p, alliance = portfolio["partnership"], portfolio["alliance"]
    text, html = mail.text, mail.html
    for part in (text, html):
        assert "Hi Clara," in part
        assert "Joint analytics offering: Negotiation → Active" in part
        assert "Cloud co-sell alliance: Active → Renewal" in part
        assert "Dispute over lead ownership" in part
        assert "Last day to give notice on the Joint analytics offering agreement" in part
        assert "Saturday 12 December 2026" in part
        assert "Your partnerships" in part or "YOUR PARTNERSHIPS" in part
    # A move outside the week is not news.
    assert text.count("→ Renewal") == 1
    # Most important first: stage moves, conflicts, dates, then the table.
    order = [text.index(s) for s in ("STAGE MOVES", "CONFLICTS", "COMING UP", "YOUR PARTNERSHIPS")]
    assert order == sorted(order)
    # Links are absolute and go to the dashboard pages.
    assert f"{SITE}/partnerships/{p.pk}/" in text
    assert f'href="{SITE}/partnerships/{alliance.pk}/"' in html
    assert f'href="{SITE}/partnerships/{p.pk}/#agreement"' in html
    # Mail-client safe HTML: inline styles, table layout, no scripts, no external images.
    assert "<script" not in html and "<img" not in html and "<link" not in html
    assert 'role="presentation"' in html and "style=" in html
    # Unsubscribe: a signed link in both parts and the one-click headers.
    unsubscribe = re.search(rf"{SITE}/digests/unsubscribe/[^/\s]+/", text)[0]
    assert f'href="{unsubscribe}"' in html
    assert mail.message["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    digest = Digest.objects.get(user=coo)
    assert f"{SITE}/digests/{digest.pk}/" in text  # view in browser
    assert (digest.week, digest.status, digest.attempts) == ("2026-W48", "sent", 1)
    assert digest.period_start == date(2026, 11, 16) and digest.period_end == date(2026, 11, 23)
    assert digest.html_body.replace("\n", "\r\n") == html


def test_recipients_by_role(
    portfolio, smtp, coo, manager, viewer, other_manager, django_capture_on_commit_callbacks
):
    fan_out(django_capture_on_commit_callbacks)

    assert sorted(m.to[0] for m in smtp.received) == sorted(
        [coo.email, manager.email, viewer.email]
    )
    coo_text = smtp.to(coo.email)[0].text
    assert "Cloud co-sell alliance" in coo_text
    for user in (manager, viewer):
        [mail] = smtp.to(user.email)
        assert "Joint analytics offering: Negotiation → Active" in mail.text
        assert "Cloud co-sell alliance" not in mail.text + mail.html
        assert "Dispute over lead ownership" not in mail.text
        assert "across 1 partnership" in mail.subject
    # Someone on no team follows nothing: no email, and the record says why.
    assert smtp.to(other_manager.email) == []
    skipped = Digest.objects.get(user=other_manager)
    assert skipped.status == DeliveryStatus.SKIPPED
    assert "follows no partnerships" in skipped.last_error


def test_follow_and_unfollow_change_what_is_in_the_digest(
    portfolio, smtp, coo, manager, django_capture_on_commit_callbacks
):
    services.follow_set(user=coo, partnership=portfolio["alliance"], following=False)
    ended = make_partnership(title="Transformation advisory", stage=Stage.ENDED)
    services.follow_set(user=manager, partnership=ended, following=True)  # not visible to him
    fan_out(django_capture_on_commit_callbacks)

    coo_mail = smtp.to(coo.email)[0]
    assert "Cloud co-sell alliance" not in coo_mail.text
    assert "across 1 partnership" in coo_mail.subject
    assert "Transformation advisory" not in smtp.to(manager.email)[0].text


def test_repeated_fan_out_sends_once(portfolio, smtp, coo, django_capture_on_commit_callbacks):
    fan_out(django_capture_on_commit_callbacks)
    fan_out(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):  # the next hourly beat
        assert services.digest_fan_out(now=datetime(2026, 11, 23, 8, 5, tzinfo=UTC)) == []
    # A retried or duplicated task for the same record finds it already claimed.
    digest = Digest.objects.get(user=coo)
    assert send_digest.delay(digest.pk).get() is None

    assert len(smtp.to(coo.email)) == 1
    assert Digest.objects.filter(user=coo).count() == 1
    digest.refresh_from_db()
    assert digest.attempts == 1


def test_a_digest_is_written_to_the_outbox_once_however_often_it_is_queued(portfolio, smtp, coo):
    schedule = services.schedule_due_for(coo, datetime(2026, 11, 23, 7, 5, tzinfo=UTC))
    digest, created = services.digest_record(user=coo, schedule=schedule)
    again, created_again = services.digest_record(user=coo, schedule=schedule)
    assert created and not created_again and again.pk == digest.pk
    assert services.digest_queue(digest.pk) == DeliveryStatus.PENDING
    assert services.digest_queue(digest.pk) == DeliveryStatus.PENDING
    [message] = Message.objects.filter(origin=f"digest:{digest.pk}")
    assert message.payload["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert deliver_due() == 1
    assert services.digest_queue(digest.pk) is None  # sent: nothing more to write
    assert len(smtp.to(coo.email)) == 1
    assert "List-Unsubscribe" in smtp.to(coo.email)[0].message


def test_a_refused_send_is_retried_by_the_outbox_and_recorded(
    portfolio, smtp, coo, manager, viewer, django_capture_on_commit_callbacks
):
    Digest.objects.all().delete()
    prefer(manager, enabled=False)
    prefer(viewer, enabled=False)
    smtp.reject_next = 1  # the server turns the first attempt away with a 451

    fan_out(django_capture_on_commit_callbacks)
    digest = Digest.objects.get(user=coo)
    assert (digest.status, digest.attempts) == (DeliveryStatus.PENDING, 1)
    assert "451" in digest.last_error and "SMTPDataError" in digest.last_error

    portfolio["frozen"].shift(timedelta(minutes=2))  # the outbox's next attempt
    assert deliver_due() == 1
    assert smtp.rejected == 1
    assert len(smtp.to(coo.email)) == 1  # retried, delivered once
    digest.refresh_from_db()
    assert (digest.status, digest.attempts, digest.last_error) == (DeliveryStatus.SENT, 2, "")


def test_a_send_that_keeps_failing_ends_failed_after_the_horizon(
    portfolio, smtp, coo, manager, viewer, settings, django_capture_on_commit_callbacks
):
    prefer(manager, enabled=False)
    prefer(viewer, enabled=False)
    smtp.reject_next = 10_000
    started = timezone.now()

    fan_out(django_capture_on_commit_callbacks)
    message = Message.objects.get()
    while message.status == "pending":
        portfolio["frozen"].move_to(message.next_attempt_at)
        deliver_due()
        message.refresh_from_db()

    digest = Digest.objects.get(user=coo)
    assert digest.status == DeliveryStatus.FAILED
    assert timezone.now() - started >= timedelta(hours=settings.OUTBOX_GIVE_UP_HOURS)
    assert digest.attempts == message.attempts > 40
    assert "451" in digest.last_error
    assert smtp.received == []
    # The admin's "send again" puts it back and it goes out once the server accepts mail.
    smtp.reject_next = 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.delivery_retry(model=Digest, ids=[digest.pk]) == [digest.pk]
    digest.refresh_from_db()
    assert digest.status == DeliveryStatus.SENT
    assert len(smtp.to(coo.email)) == 1


def test_an_empty_week_says_so_in_one_line(
    frozen, smtp, coo, manager, partnership, django_capture_on_commit_callbacks
):
    fan_out(django_capture_on_commit_callbacks)

    mail = smtp.to(manager.email)[0]
    assert "nothing new across 1 partnership" in mail.subject
    for part in (mail.text, mail.html):
        assert "Nothing to report this week across the 1 partnership you follow." in part
        assert "Stage moves" not in part and "STAGE MOVES" not in part
        assert "Conflicts" not in part and "Coming up" not in part
    # The one table that is not empty — what they follow — is still there.
    assert "Joint analytics offering" in mail.text


def test_recipient_in_new_york_gets_it_at_their_monday_0700(
    frozen, smtp, coo, partnership, django_capture_on_commit_callbacks
):
    prefer(coo, time_zone="America/New_York")
    # 07:05 in London is 02:05 in New York: not yet.
    fan_out(django_capture_on_commit_callbacks)
    assert smtp.to(coo.email) == [] and not Digest.objects.filter(user=coo).exists()
    # 06:59 in New York (11:59 UTC): still not.
    frozen.move_to(datetime(2026, 11, 23, 11, 59, tzinfo=UTC))
    fan_out(django_capture_on_commit_callbacks)
    assert smtp.to(coo.email) == []
    # 07:05 in New York (12:05 UTC): due.
    frozen.move_to(datetime(2026, 11, 23, 12, 5, tzinfo=UTC))
    fan_out(django_capture_on_commit_callbacks)
    [mail] = smtp.to(coo.email)
    digest = Digest.objects.get(user=coo)
    assert (digest.week, digest.time_zone) == ("2026-W48", "America/New_York")
    assert "16–22 Nov 2026" in mail.subject
    # The rest of the day's beats change nothing.
    frozen.move_to(datetime(2026, 11, 23, 16, 5, tzinfo=UTC))
    fan_out(django_capture_on_commit_callbacks)
    assert len(smtp.to(coo.email)) == 1


def test_local_week_bounds_follow_the_recipients_zone(frozen, smtp, coo, partnership):
    """A move late on Sunday in New York is already Monday in London; it belongs to the week
    that ends at the New York recipient's Monday midnight."""
    prefer(coo, time_zone="America/New_York")
    sunday_night_ny = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)  # Sun 22:30 in New York
    stage_move(partnership, Stage.DUE_DILIGENCE, sunday_night_ny, from_stage=Stage.PROSPECT)
    frozen.move_to(datetime(2026, 11, 23, 12, 5, tzinfo=UTC))
    schedule = services.schedule_due_for(coo, datetime(2026, 11, 23, 12, 5, tzinfo=UTC))
    digest, _ = services.digest_record(user=coo, schedule=schedule)
    services.digest_queue(digest.pk)
    deliver_due()
    assert "Prospect → Due diligence" in smtp.to(coo.email)[0].text


def test_changed_day_and_time(frozen, smtp, coo, partnership, django_capture_on_commit_callbacks):
    prefer(coo, weekday=2, send_time=time(18, 30))  # Wednesdays 18:30 London
    fan_out(django_capture_on_commit_callbacks)
    assert smtp.to(coo.email) == []
    frozen.move_to(datetime(2026, 11, 25, 18, 35, tzinfo=UTC))
    fan_out(django_capture_on_commit_callbacks)
    assert "18–24 Nov 2026" in smtp.to(coo.email)[0].subject


def test_away_recipients_get_it_monthly_and_weekly_again_when_back(
    frozen, smtp, coo, partnership, django_capture_on_commit_callbacks
):
    prefer(coo, last_seen_on=date(2026, 10, 1))
    fan_out(django_capture_on_commit_callbacks)  # Monday 23 Nov: not the first week
    assert smtp.to(coo.email) == []
    frozen.move_to(datetime(2026, 12, 7, 7, 5, tzinfo=UTC))  # Monday 7 Dec: first week
    fan_out(django_capture_on_commit_callbacks)
    [mail] = smtp.to(coo.email)
    digest = Digest.objects.get(user=coo)
    assert digest.monthly and digest.period_start == date(2026, 11, 2)
    assert "2 Nov – 6 Dec 2026" in mail.subject
    assert "once a month" in mail.text
    # They come back on Wednesday; next Monday it is weekly again.
    services.preference_touch_last_seen(user=coo, today=date(2026, 12, 9))
    frozen.move_to(datetime(2026, 12, 14, 7, 5, tzinfo=UTC))
    fan_out(django_capture_on_commit_callbacks)
    assert len(smtp.to(coo.email)) == 2
    latest = Digest.objects.filter(user=coo).order_by("-period_end").first()
    assert not latest.monthly and latest.period_start == date(2026, 12, 7)


def test_turned_off_digest_is_not_sent(
    frozen, smtp, coo, partnership, django_capture_on_commit_callbacks
):
    prefer(coo, enabled=False)
    fan_out(django_capture_on_commit_callbacks)
    assert smtp.to(coo.email) == [] and not Digest.objects.filter(user=coo).exists()


def test_unsubscribed_between_fan_out_and_send_is_skipped(frozen, smtp, coo, partnership):
    schedule = services.schedule_due_for(coo, _now())
    digest, _ = services.digest_record(user=coo, schedule=schedule)
    services.preference_unsubscribe(user=coo)
    assert services.digest_queue(digest.pk) == DeliveryStatus.SKIPPED
    assert not Message.objects.exists()


def _now():
    return timezone.now()


def test_a_pending_digest_never_written_to_the_outbox_is_written_once(
    frozen, smtp, coo, partnership, django_capture_on_commit_callbacks
):
    """As an upgrade leaves a digest the old sender had recorded (or claimed) but not sent."""
    schedule = services.schedule_due_for(coo, _now())
    digest, _ = services.digest_record(user=coo, schedule=schedule)  # no outbox email
    fan_out(django_capture_on_commit_callbacks)
    fan_out(django_capture_on_commit_callbacks)
    assert len(smtp.to(coo.email)) == 1
    digest.refresh_from_db()
    assert digest.status == DeliveryStatus.SENT
