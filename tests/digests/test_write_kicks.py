"""A write task writes its digests in one transaction, each in a savepoint of its own: the
outbox is asked to deliver once for the batch, not once a digest (each kick is a broker
connection, and each queued delivery a task run)."""

import pytest
from django.db import transaction

from digests import services
from digests.models import DeliveryStatus, Digest
from outbox.models import Message
from outbox.services import kick_delivery

from .conftest import MONDAY_0705_LONDON


@pytest.mark.django_db
def test_a_batch_of_digests_asks_for_delivery_once(
    frozen, smtp, coo, manager, viewer, partnership,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with transaction.atomic():
        ids = services.digest_record_due(now=MONDAY_0705_LONDON)
    assert len(ids) == 3

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert services.digests_write(ids) == ids

    assert [callback for callback in callbacks if callback is kick_delivery] == [kick_delivery]
    # The one kick delivered every digest the batch wrote.
    assert Message.objects.filter(origin__startswith="digest:").count() == 3
    assert len(smtp) == 3
    assert set(Digest.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
