"""Claim, lease, backoff and give-up with time frozen; the locmem mailer or a real SMTP server."""

import contextlib
import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from outbox import services
from outbox.backoff import retry_delay
from outbox.models import Message, Status
from outbox.senders import message_id

from .conftest import NOON, free_port

pytestmark = pytest.mark.django_db


def enqueue(n=1, **kwargs):
    return [
        services.enqueue_email(
            to=f"person{i}@example.com", subject=f"Hello {i}", text="Body", **kwargs
        )
        for i in range(n)
    ]


def test_enqueue_writes_a_pending_row_with_two_days_to_live(frozen):
    (message,) = enqueue(html="<p>Body</p>")
    message.refresh_from_db()
    assert message.status == Status.PENDING and message.attempts == 0
    assert message.next_attempt_at == NOON
    assert message.give_up_at == NOON + timedelta(hours=48)
    assert message.kind == "email" and message.key is None


def test_enqueue_refuses_what_could_never_be_sent():
    with pytest.raises(ValueError):
        services.enqueue_email(to="", subject="Hi", text="")
    with pytest.raises(ValueError):
        services.enqueue_email(to="a@example.com", subject="Hi\nBcc: x@example.com", text="")


def test_the_same_key_twice_is_one_message_sent_once(frozen):
    first = services.enqueue_email(to="a@example.com", subject="Invite", text="1", key="invite:7")
    again = services.enqueue_email(to="a@example.com", subject="Other", text="2", key="invite:7")
    assert again.pk == first.pk and again.subject == "Invite"
    assert Message.objects.count() == 1
    assert services.deliver_due() == 1
    assert services.deliver_due() == 0
    assert len(mail.outbox) == 1


def test_keyless_messages_never_collide():
    enqueue(3)
    assert Message.objects.count() == 3


def test_enqueue_kicks_delivery_on_commit_only(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueue()
        assert mail.outbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    # Tests run tasks eagerly: the kick delivered it.
    assert len(mail.outbox) == 1
    assert Message.objects.get().status == Status.SENT


def test_a_second_enqueue_of_a_key_queues_no_second_kick(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.enqueue_email(to="a@example.com", subject="S", text="T", key="k")
        services.enqueue_email(to="a@example.com", subject="S", text="T", key="k")
    assert len(callbacks) == 1


def test_one_kick_per_transaction_whatever_its_savepoints(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        enqueue(3)
        with transaction.atomic():
            enqueue()  # the kick registered outside this savepoint covers it
    assert len(callbacks) == 1


def test_a_kick_rolled_back_with_its_savepoint_is_registered_again(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        with contextlib.suppress(RuntimeError), transaction.atomic():
            enqueue()
            raise RuntimeError  # its kick goes with the savepoint...
        enqueue()  # ...so this message registers its own
    assert len(callbacks) == 1 and Message.objects.count() == 1


def test_a_kick_inside_a_savepoint_does_not_cover_the_outer_transaction(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            enqueue()
        enqueue()  # a kick inside a savepoint could still be rolled back alone: register again
    assert len(callbacks) == 2


def test_deliver_due_sends_marks_and_stamps_a_stable_message_id(frozen):
    messages = enqueue(3, html="<p>Body</p>")
    assert services.deliver_due(worker="w1") == 3
    assert sorted(m.to[0] for m in mail.outbox) == [m.recipient for m in messages]
    for message in Message.objects.all():
        assert message.status == Status.SENT and message.sent_at == NOON
        assert message.attempts == 1 and message.lease_until is None
        assert message.claimed_by == "w1"
    sent = {m.extra_headers["Message-ID"] for m in mail.outbox}
    assert sent == {message_id(m) for m in messages}
    assert message_id(messages[0]) == f"<outbox.{messages[0].pk}@localhost>"
    assert mail.outbox[0].alternatives[0].content == "<p>Body</p>"


def test_messages_not_yet_due_wait(frozen):
    (message,) = enqueue()
    Message.objects.filter(pk=message.pk).update(next_attempt_at=NOON + timedelta(minutes=5))
    assert services.deliver_due() == 0
    assert services.deliver_due(now=NOON + timedelta(minutes=5)) == 1


def test_limit_bounds_one_batch(frozen):
    enqueue(5)
    assert services.deliver_due(limit=2) == 2
    assert Message.objects.filter(status=Status.PENDING).count() == 3


def test_a_claim_is_exclusive_while_its_lease_lasts(frozen, settings):
    settings.OUTBOX_LEASE_SECONDS = 300
    enqueue(2)
    claimed = services.claim_due(now=NOON, limit=10, worker="dead")
    assert len(claimed) == 2
    assert set(Message.objects.values_list("status", "claimed_by")) == {(Status.SENDING, "dead")}
    # Another worker finds nothing to do while the lease lasts.
    assert services.claim_due(now=NOON, limit=10, worker="other") == []
    assert services.deliver_due(now=NOON + timedelta(seconds=299), worker="other") == 0
    assert mail.outbox == []


def test_a_dead_workers_claim_is_taken_over_when_its_lease_expires(frozen, settings):
    settings.OUTBOX_LEASE_SECONDS = 300
    enqueue(2)
    services.claim_due(now=NOON, limit=10, worker="dead")
    frozen.move_to(NOON + timedelta(seconds=301))
    assert services.deliver_due(worker="heir") == 2
    assert len(mail.outbox) == 2
    for message in Message.objects.all():
        assert (message.status, message.claimed_by, message.attempts) == (Status.SENT, "heir", 2)


def test_a_worker_whose_claim_was_taken_over_does_not_send(frozen):
    (message,) = enqueue()
    services.claim_due(now=NOON, limit=10, worker="slow")
    Message.objects.filter(pk=message.pk).update(claimed_by="heir")
    assert not services.renew_lease(message.pk, worker="slow", now=NOON)
    assert services.renew_lease(message.pk, worker="heir", now=NOON)


def test_backoff_doubles_from_a_minute_up_to_an_hour():
    minutes = [retry_delay(n).total_seconds() / 60 for n in range(1, 10)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert retry_delay(10_000) == timedelta(hours=1)


@pytest.fixture
def smtp_down(settings):
    """The default mailer points at a port nobody listens on."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }


def test_smtp_down_schedules_retries_with_backoff(frozen, smtp_down):
    enqueue(3)
    assert services.deliver_due() == 0
    for message in Message.objects.all():
        assert message.status == Status.PENDING and message.attempts == 1
        assert message.next_attempt_at == NOON + timedelta(minutes=1)
        assert "ConnectionRefusedError" in message.last_error
    assert services.deliver_due() == 0  # not due yet: nothing claimed
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}
    frozen.move_to(NOON + timedelta(minutes=1))
    assert services.deliver_due() == 0
    assert set(Message.objects.values_list("next_attempt_at", flat=True)) == {
        NOON + timedelta(minutes=3)
    }


def test_a_message_gives_up_after_two_days_and_shows_why(frozen, smtp_down):
    (message,) = enqueue()
    attempts = 0
    while Message.objects.get().status == Status.PENDING:
        frozen.move_to(Message.objects.get().next_attempt_at)
        services.deliver_due()
        attempts += 1
    message.refresh_from_db()
    assert message.status == Status.FAILED and message.attempts == attempts
    assert message.next_attempt_at >= NOON + timedelta(hours=47)
    assert "ConnectionRefusedError" in message.last_error
    # 1+2+...+32 minutes, then hourly: 7 attempts in the first hour, 54 in the two days.
    assert 52 <= attempts <= 55
    # Nothing more happens to it by itself.
    frozen.move_to(NOON + timedelta(days=3))
    assert services.deliver_due() == 0


def test_a_permanent_refusal_fails_at_once(frozen, smtp):
    smtp.inbox.reply = "550 5.1.1 No such user"
    (message,) = enqueue()
    assert services.deliver_due() == 0
    message.refresh_from_db()
    assert message.status == Status.FAILED and message.attempts == 1
    assert "550" in message.last_error


def test_a_temporary_refusal_is_retried(frozen, smtp):
    smtp.inbox.reply = "451 4.3.0 Try again later"
    (message,) = enqueue()
    assert services.deliver_due() == 0
    message.refresh_from_db()
    assert message.status == Status.PENDING
    smtp.inbox.reply = None
    frozen.move_to(message.next_attempt_at)
    assert services.deliver_due() == 1
    assert len(smtp.inbox) == 1


def test_smtp_down_then_back_loses_nothing(frozen, settings):
    from .conftest import SmtpServer

    server = SmtpServer(free_port())
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5},
        }
    }
    messages = enqueue(5)
    assert services.deliver_due() == 0  # the server is not started yet
    assert Message.objects.filter(status=Status.PENDING, attempts=1).count() == 5
    server.start()
    try:
        frozen.move_to(NOON + timedelta(minutes=1))
        assert services.deliver_due() == 5
    finally:
        server.stop()
    assert server.inbox.message_ids() == {message_id(m): 1 for m in messages}
    assert set(Message.objects.values_list("status", flat=True)) == {Status.SENT}


def test_retry_now_gives_a_failed_message_another_horizon(frozen):
    (message,) = enqueue()
    Message.objects.filter(pk=message.pk).update(status=Status.FAILED, last_error="boom")
    sent_one = enqueue()[0]
    services.deliver_due()
    assert services.retry_now([message.pk, sent_one.pk]) == 1
    frozen.move_to(NOON + timedelta(days=2))
    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert services.deliver_due() == 1
    assert Message.objects.get(pk=sent_one.pk).attempts == 1


def test_an_unreachable_server_is_tried_once_per_batch(frozen, settings):
    # A server that accepts the connection and never greets: each try would wait the timeout,
    # so the first such failure postpones the rest of the batch without trying them.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(10)
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": silent.getsockname()[1], "timeout": 1},
            }
        }
        enqueue(3)
        assert services.deliver_due() == 0
        silent.setblocking(False)
        connections = []
        with contextlib.suppress(BlockingIOError):
            while True:
                connections.append(silent.accept()[0])
        for connection in connections:
            connection.close()
    assert len(connections) == 1
    assert set(Message.objects.values_list("status", "attempts")) == {(Status.PENDING, 1)}
    (error,) = set(Message.objects.values_list("last_error", flat=True))
    assert error.startswith("SMTPServerDisconnected") and "timed out" in error


def test_a_batch_costs_two_queries_to_claim_one_to_read_and_two_per_message(
    frozen, django_assert_num_queries
):
    enqueue(3)
    # SAVEPOINT and RELEASE around the claim count here because tests run inside a transaction.
    with django_assert_num_queries(2 + 2 + 1 + 2 * 3):
        assert services.deliver_due() == 3


def test_deliver_all_due_stops_when_a_claim_finds_nothing(frozen, smtp_down):
    enqueue(3)
    assert services.deliver_all_due(limit=2) == 0
    assert set(Message.objects.values_list("status", "attempts")) == {(Status.PENDING, 1)}


def test_the_admin_lists_messages_by_status_and_retries_failed_ones(admin_client, frozen):
    failed, sent = enqueue(2)
    Message.objects.filter(pk=failed.pk).update(status=Status.FAILED, last_error="550 No such user")
    Message.objects.filter(pk=sent.pk).update(status=Status.SENT)
    url = reverse("admin:outbox_message_changelist")

    page = admin_client.get(url, {"status__exact": "failed"})
    assert page.status_code == 200
    assert failed.recipient in page.text and sent.recipient not in page.text
    assert "550 No such user" in page.text

    response = admin_client.post(
        url, {"action": "retry_now", "_selected_action": [failed.pk, sent.pk]}, follow=True
    )
    assert "1 failed message(s) will be retried now." in response.text
    assert "1 message(s) were not failed" in response.text
    assert Message.objects.get(pk=failed.pk).status == Status.PENDING
    assert Message.objects.get(pk=sent.pk).status == Status.SENT
    assert (
        admin_client.get(reverse("admin:outbox_message_change", args=[sent.pk])).status_code == 200
    )
