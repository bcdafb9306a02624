"""The fan-out on a real Celery worker with Redis, sending through a real SMTP server."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from digests.models import DeliveryStatus, Digest
from digests.tasks import fan_out_digests
from tests.digests.helpers import prefer


@pytest.mark.ticking_clock  # the worker's thread waits on the clock
def test_fan_out_on_a_real_worker(real_worker, smtp, coo, manager, viewer, partnership):
    # Make two recipients due: their send time passed five minutes ago (10:25 on tests.clock.NOW).
    at = timezone.localtime() - timedelta(minutes=5)
    for user in (coo, manager):
        prefer(user, weekday=at.weekday(), send_time=at.time().replace(microsecond=0))
    prefer(viewer, enabled=False)

    assert fan_out_digests.delay().get(timeout=30) is not None
    deadline = timezone.now() + timedelta(seconds=30)
    # The outbox marks a digest sent just after the server accepts its email: wait for both.
    while timezone.now() < deadline and (
        len(smtp.received) < 2
        or set(Digest.objects.values_list("status", flat=True)) != {DeliveryStatus.SENT}
    ):
        time.sleep(0.2)

    assert sorted(m.to[0] for m in smtp.received) == ["coo@example.com", "manager@example.com"]
    assert set(Digest.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    # A second beat finds every record and enqueues nothing.
    assert fan_out_digests.delay().get(timeout=30) == []
    assert len(smtp.received) == 2
