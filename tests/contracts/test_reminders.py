"""Reminders of obligations go through the date reminders: one email per occurrence and
recipient, however often the job runs, and none for an occurrence already kept."""

from datetime import date, timedelta

import pytest

from contracts import services
from contracts.reminders import obligation_dates
from digests.models import Reminder
from digests.tasks import send_date_reminders
from outbox.models import Message

from .conftest import make_obligation

pytestmark = pytest.mark.django_db


def run(day, django_capture_on_commit_callbacks, time_machine):
    time_machine.move_to(f"{day.isoformat()} 06:30:00+00:00", tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        send_date_reminders.delay().get()


def test_each_occurrence_is_reminded_once(
    agreement, manager, coo, smtp, django_capture_on_commit_callbacks, time_machine
):
    obligation = make_obligation(
        agreement, manager, description="Usage figures", first_due=date(2027, 1, 31)
    )
    start = date(2027, 1, 1)
    for day in range(0, 90):  # every day for three months, twice on some
        run(start + timedelta(days=day), django_capture_on_commit_callbacks, time_machine)
        if day % 10 == 0:
            run(start + timedelta(days=day), django_capture_on_commit_callbacks, time_machine)

    kind = f"obligation:{obligation.pk}"
    mails = [m for m in smtp.to(manager.email) if "Usage figures" in m.subject]
    assert [m.subject for m in mails] == [
        "In 7 days: Due under the Joint analytics offering agreement (our obligation): "
        "Usage figures"
    ] * 3
    reminded = Reminder.objects.filter(kind=kind, recipient=manager)
    assert sorted(reminded.values_list("due_date", flat=True)) == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
    ]
    assert set(reminded.values_list("offset_days", flat=True)) == {7}
    # The executive hears too, once each; and every email went through the outbox.
    assert len([m for m in smtp.to(coo.email) if "Usage figures" in m.subject]) == 3
    assert Message.objects.filter(origin__startswith="reminder").count() == len(
        [m for m in smtp.received if "Due under" in m.subject]
    )


def test_running_the_job_twice_sends_one_email(
    agreement, manager, smtp, django_capture_on_commit_callbacks, time_machine
):
    make_obligation(agreement, manager, first_due=date(2027, 3, 5), recurrence="one_off")
    run(date(2027, 3, 1), django_capture_on_commit_callbacks, time_machine)
    run(date(2027, 3, 1), django_capture_on_commit_callbacks, time_machine)
    run(date(2027, 3, 2), django_capture_on_commit_callbacks, time_machine)
    assert len([m for m in smtp.to(manager.email) if "Monthly sales report" in m.subject]) == 1


def test_a_kept_occurrence_is_not_reminded(
    agreement, manager, smtp, django_capture_on_commit_callbacks, time_machine
):
    obligation = make_obligation(agreement, manager, first_due=date(2027, 3, 5))
    time_machine.move_to("2027-02-20 12:00:00+00:00", tick=False)
    services.occurrence_fulfil(
        obligation=obligation, due_date=date(2027, 3, 5), by=manager, note="Sent early."
    )
    run(date(2027, 3, 1), django_capture_on_commit_callbacks, time_machine)
    assert not [m for m in smtp.to(manager.email) if "Monthly sales report" in m.subject]
    assert not Reminder.objects.filter(kind=f"obligation:{obligation.pk}").exists()


def test_ended_obligations_and_far_dates_are_not_offered(agreement, manager):
    ended = make_obligation(agreement, manager, first_due=date(2027, 3, 5))
    services.obligation_end(obligation=ended, by=manager, note="Dropped by both sides.")
    far = make_obligation(agreement, manager, first_due=date(2027, 3, 20), recurrence="yearly")
    rows = obligation_dates(date(2027, 3, 1))
    assert rows == []
    rows = obligation_dates(date(2027, 3, 14), partnership_ids={agreement.partnership_id})
    assert [(r[1], r[2]) for r in rows] == [(f"obligation:{far.pk}", date(2027, 3, 20))]


def test_an_ended_partnership_has_no_obligation_reminders(agreement, manager, partnership):
    make_obligation(agreement, manager, first_due=date(2027, 3, 5))
    assert len(obligation_dates(date(2027, 3, 1))) == 1
    partnership.stage = "ended"
    partnership.save(update_fields=["stage"])
    assert obligation_dates(date(2027, 3, 1)) == []


def test_the_obligations_owner_is_reminded_too(
    agreement, manager, other_manager, smtp, django_capture_on_commit_callbacks, time_machine
):
    # The partnership is the manager's; the obligation is another manager's to keep.
    make_obligation(
        agreement,
        manager,
        owner=other_manager,
        description="Quarterly forecast",
        first_due=date(2027, 3, 5),
        recurrence="one_off",
    )
    run(date(2027, 3, 1), django_capture_on_commit_callbacks, time_machine)
    run(date(2027, 3, 2), django_capture_on_commit_callbacks, time_machine)
    for person in (other_manager, manager):
        mails = [m for m in smtp.to(person.email) if "Quarterly forecast" in m.subject]
        assert len(mails) == 1, person
