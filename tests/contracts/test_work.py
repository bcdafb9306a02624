""" "My work" lists the obligations a user owns that are due or late, and Done/Undo on it
records and removes the earliest open occurrence."""

from datetime import date

import pytest
from django.urls import reverse

from contracts.models import Fulfilment
from contracts.work import KIND

from .conftest import make_obligation

pytestmark = pytest.mark.django_db


def test_due_and_late_obligations_are_on_my_work(
    client, agreement, manager, other_manager, partnership
):
    make_obligation(agreement, manager, description="Usage figures")  # late since January
    make_obligation(
        agreement,
        manager,
        description="Annual audit",
        first_due=date(2027, 6, 1),
        recurrence="yearly",
    )  # not due for months
    make_obligation(agreement, other_manager, description="Someone else's")
    client.force_login(manager)
    html = client.get(reverse("partnerships:my_work")).content.decode()
    assert "Usage figures" in html
    assert "31 Jan 2026" in html  # the earliest open occurrence
    assert "Annual audit" not in html and "Someone else&#x27;s" not in html
    assert "Contract obligation · We owe · Monthly" in html


def test_done_keeps_the_earliest_occurrence_and_undo_reopens_it(
    client, agreement, manager, partnership
):
    obligation = make_obligation(agreement, manager)
    client.force_login(manager)
    done = reverse("partnerships:my_work_change", args=[KIND, obligation.pk, "done"])
    response = client.post(done, headers={"HX-Request": "true"})
    assert response.status_code == 200
    kept = Fulfilment.objects.get()
    assert kept.due_date == date(2026, 1, 31)
    assert kept.note == "Marked done on My work."
    client.post(done, headers={"HX-Request": "true"})
    assert sorted(Fulfilment.objects.values_list("due_date", flat=True)) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
    ]
    undo = reverse("partnerships:my_work_change", args=[KIND, obligation.pk, "undo"])
    client.post(undo, headers={"HX-Request": "true"})
    assert list(Fulfilment.objects.values_list("due_date", flat=True)) == [date(2026, 1, 31)]


def test_no_one_else_can_mark_it_done(client, agreement, manager, viewer, partnership):
    obligation = make_obligation(agreement, manager)
    client.force_login(viewer)
    done = reverse("partnerships:my_work_change", args=[KIND, obligation.pk, "done"])
    assert client.post(done).status_code in (403, 404)
    assert not Fulfilment.objects.exists()
