"""Deliveries to a real HTTP receiver process: each event received once, signed, including
after the receiver was down for a while; refusals that no retry changes are not retried."""

import json
from datetime import timedelta

import pytest

from outbox.models import Kind, Message, Status
from outbox.services import deliver_all_due, deliver_due
from tests.clock import NOW
from webhooks import signing
from webhooks.events import Occurrence, emit
from webhooks.models import Event

from .conftest import make_webhook


def _occurrence(partnership, source="stage-move:1"):
    return Occurrence(
        event=Event.STAGE_MOVED,
        source=source,
        partnership=partnership,
        title=f"{partnership.title} moved to Active",
        text="Clara moved it from Negotiation to Active.",
        url=partnership.get_absolute_url(),
        facts=(("From", "Negotiation"), ("To", "Active")),
        data={"stage": {"from": "negotiation", "to": "active"}},
    )


def _valid(request, secret):
    headers = {k.lower(): v for k, v in request["headers"].items()}
    return signing.verify(
        secret,
        request["body"].encode(),
        timestamp=headers["x-concord-timestamp"],
        signed=headers["x-concord-signature"],
    )


def test_received_once_with_a_valid_signature(partnership, receiver):
    receiver.start()
    hook = make_webhook(receiver.url)
    assert emit(_occurrence(partnership)) == 1
    assert deliver_all_due() == 1
    (request,) = receiver.requests()
    assert _valid(request, hook.secret)
    body = json.loads(request["body"])
    assert body["event"] == "partnership.stage_moved"
    assert body["partnership"]["id"] == partnership.pk
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers["x-concord-delivery"] == body["id"]
    assert headers["content-type"] == "application/json"
    message = Message.objects.get()
    assert (message.status, message.payload["response_code"]) == (Status.SENT, 204)
    assert deliver_all_due() == 0
    assert len(receiver.requests()) == 1


def test_a_receiver_down_for_a_while_gets_it_once_later(partnership, receiver, clock):
    hook = make_webhook(receiver.url)
    emit(_occurrence(partnership))
    assert deliver_due() == 0  # nobody listens: connection refused
    message = Message.objects.get()
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    assert "could not be reached" in message.last_error
    assert message.next_attempt_at > NOW
    receiver.start()
    assert deliver_due() == 0  # not due yet: the backoff holds
    assert receiver.requests() == []
    clock.move_to(NOW + timedelta(minutes=2))
    assert deliver_due() == 1
    (request,) = receiver.requests()
    assert _valid(request, hook.secret)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (Status.SENT, 2, "")
    clock.move_to(NOW + timedelta(hours=3))
    assert deliver_all_due() == 0
    assert len(receiver.requests()) == 1


def test_a_5xx_is_retried_with_the_same_delivery_id(partnership, receiver, clock):
    receiver.start(failures=1, failure_status=503)
    hook = make_webhook(receiver.url)
    emit(_occurrence(partnership))
    assert deliver_due() == 0
    message = Message.objects.get()
    assert message.status == Status.PENDING and message.payload["response_code"] == 503
    clock.move_to(NOW + timedelta(minutes=2))
    assert deliver_due() == 1
    first, second = receiver.requests()
    ids = {r["headers"]["X-Concord-Delivery"] for r in (first, second)}
    assert len(ids) == 1 and all(_valid(r, hook.secret) for r in (first, second))
    assert len(receiver.delivered()) == 1


@pytest.mark.parametrize(
    ("status", "final"), [(400, True), (410, True), (408, False), (429, False)]
)
def test_4xx_refusals_are_final_but_408_and_429_retry(partnership, receiver, status, final):
    receiver.start(failures=5, failure_status=status)
    make_webhook(receiver.url)
    emit(_occurrence(partnership))
    deliver_due()
    message = Message.objects.get()
    assert message.status == (Status.FAILED if final else Status.PENDING)
    assert message.payload["response_code"] == status
    assert str(status) in message.last_error


def test_one_receiver_down_does_not_hold_back_another(partnership, receiver, tmp_path):
    receiver.start()
    make_webhook("http://127.0.0.1:9/closed", name="Closed")
    make_webhook(receiver.url, name="Open")
    assert emit(_occurrence(partnership)) == 2
    assert deliver_due() == 1
    assert len(receiver.requests()) == 1


def test_a_rotated_secret_signs_the_retry(partnership, receiver, clock):
    hook = make_webhook(receiver.url)
    emit(_occurrence(partnership))
    deliver_due()  # down
    old = hook.secret
    hook.secret = "whsec_rotated"
    hook.save()
    receiver.start()
    clock.move_to(NOW + timedelta(minutes=2))
    assert deliver_due() == 1
    (request,) = receiver.requests()
    assert _valid(request, "whsec_rotated") and not _valid(request, old)


def test_turned_off_or_deleted_webhooks_receive_nothing(partnership, receiver):
    receiver.start()
    hook = make_webhook(receiver.url)
    other = make_webhook(receiver.url, name="Other")
    emit(_occurrence(partnership))
    hook.is_active = False
    hook.save()
    other.delete()
    assert deliver_all_due() == 0
    assert receiver.requests() == []
    assert set(Message.objects.values_list("status", flat=True)) == {Status.FAILED}


def test_a_refused_webhook_does_not_fail_the_health_check(partnership, receiver):
    from config.health import check_outbox

    receiver.start(failures=1, failure_status=404)
    make_webhook(receiver.url)
    emit(_occurrence(partnership))
    deliver_due()
    assert Message.objects.get().status == Status.FAILED
    assert check_outbox(NOW) == (True, "no backlog")


def test_every_event_source_reaches_a_receiver_that_was_down_once(
    partnership, receiver, clock, coo, manager
):
    from datetime import date

    from contracts.overdue import report_overdue
    from kpis.snapshots import recompute
    from partnerships.models import Stage
    from partnerships.stages import move_partnership
    from tests.clock import TODAY
    from tests.contracts.conftest import make_agreement, make_obligation
    from tests.kpis.conftest import make_kpi, measure

    hook = make_webhook(receiver.url)  # follows every event
    kpi = make_kpi(partnership)
    measure(kpi, date(2026, 9, 1), 85)
    recompute([kpi.pk], today=date(2026, 10, 3))  # an alert opens
    move_partnership(partnership, Stage.DUE_DILIGENCE, by=coo, reason="First review passed well.")
    make_obligation(
        make_agreement(partnership), manager, recurrence="one_off", first_due=TODAY - timedelta(1)
    )
    report_overdue(today=TODAY)
    hooks = Message.objects.filter(kind=Kind.WEBHOOK)  # the alert's emails leave too
    deliver_all_due()  # the receiver is down: each attempt fails and waits
    assert [(m.status, m.attempts) for m in hooks.all()] == [(Status.PENDING, 1)] * 3
    receiver.start()
    clock.move_to(NOW + timedelta(minutes=2))
    deliver_all_due()
    assert {m.status for m in hooks.all()} == {Status.SENT}
    requests = receiver.requests()
    events = sorted(json.loads(r["body"])["event"] for r in requests)
    assert events == ["alert.opened", "obligation.overdue", "partnership.stage_moved"]
    assert all(_valid(r, hook.secret) for r in requests)
    assert len({r["headers"]["X-Concord-Delivery"] for r in requests}) == 3
    clock.move_to(NOW + timedelta(hours=5))
    deliver_all_due()
    assert len(receiver.requests()) == 3
