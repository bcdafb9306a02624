"""Two workers at once, the preferences page's query bound, and the admin."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.urls import reverse

from digests import services
from digests.models import DeliveryStatus, Digest, DigestPreference, Follow, Reminder
from outbox.models import Message
from outbox.services import deliver_due
from tests.conftest import client_for
from tests.digests.helpers import many_partnerships
from tests.factories import make_user


@pytest.mark.django_db(transaction=True)
def test_two_workers_queueing_the_same_digest_at_once_send_it_once(smtp, coo, partnership):
    schedule = services.schedule_due_for(coo, datetime(2026, 11, 23, 7, 5, tzinfo=UTC))
    digest, _ = services.digest_record(user=coo, schedule=schedule)
    start = threading.Barrier(4)
    results = []

    def worker():
        try:
            start.wait()
            results.append(services.digest_queue(digest.pk))
            deliver_due()  # each delivers what is due, as four outbox workers would
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert DeliveryStatus.PENDING in results and not set(results) - {DeliveryStatus.PENDING, None}
    assert Message.objects.filter(origin=f"digest:{digest.pk}").count() == 1
    assert len(smtp.to(coo.email)) == 1
    digest.refresh_from_db()
    assert (digest.status, digest.attempts) == (DeliveryStatus.SENT, 1)


@pytest.mark.django_db
@pytest.mark.parametrize("n", [3, 30])
def test_preferences_page_queries_are_bounded(n, client, manager, django_assert_max_num_queries):
    partnerships = many_partnerships(n, owner=manager, team=[manager])
    services.follow_set(user=manager, partnership=partnerships[0], following=False)
    client_for(client, manager)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("digests:preferences"))
    assert response.status_code == 200
    assert response.content.decode().count('id="follow-') == min(n, 25) + 1  # + the count


@pytest.mark.django_db
def test_admin_pages(client, coo, partnership):
    admin = make_user("admin", is_staff=True, is_superuser=True)
    services.preference_save(user=coo, time_zone="America/New_York")
    services.follow_set(user=coo, partnership=partnership, following=False)
    failed = Digest.objects.create(
        user=coo,
        week="2026-W47",
        period_start="2026-11-09",
        period_end="2026-11-16",
        status=DeliveryStatus.FAILED,
        attempts=6,
        last_error="SMTPDataError: (451, 'try again')",
    )
    Reminder.objects.create(
        partnership=partnership,
        kind="notice_deadline",
        due_date="2026-12-12",
        offset_days=30,
        recipient=coo,
        label="Last day to give notice",
    )
    client_for(client, admin)
    for model in (DigestPreference, Follow, Digest, Reminder):
        url = reverse(f"admin:digests_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        assert client.get(url, {"q": "coo"}).status_code == 200
    assert (
        "SMTPDataError" in client.get(reverse("admin:digests_digest_changelist")).content.decode()
    )
    detail = reverse("admin:digests_digest_change", args=[failed.pk])
    assert client.get(detail).status_code == 200
