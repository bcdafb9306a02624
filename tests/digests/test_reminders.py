"""Date reminders: once per (date, offset, recipient), and none once the date is handled."""

from datetime import date, timedelta

import pytest

from digests import services
from digests.dates import agreement_dates, upcoming_dates
from digests.models import DeliveryStatus, Reminder
from digests.tasks import send_date_reminders
from partnerships import plugins
from partnerships.models import Stage
from partnerships.services import agreement_amend
from tests.digests.helpers import agreement, prefer
from tests.factories import make_partnership, make_user

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)


def run(day, django_capture_on_commit_callbacks, time_machine):
    time_machine.move_to(f"{day.isoformat()} 06:30:00+00:00", tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        send_date_reminders.delay().get()


@pytest.fixture
def ending(coo, manager, partnership):
    """An agreement ending 200 days out with 100 days' notice: notice due in 100 days."""
    return agreement(partnership, TODAY + timedelta(days=200), notice_days=100)


def test_owner_and_executives_are_reminded_once_at_each_offset(
    ending, smtp, coo, manager, viewer, django_capture_on_commit_callbacks, time_machine
):
    ceo = make_user("ceo", "Executive", first_name="Daniel")
    notice = TODAY + timedelta(days=100)
    for day in range(0, 101):  # every day until the notice deadline
        run(TODAY + timedelta(days=day), django_capture_on_commit_callbacks, time_machine)
        if day == 10:  # and the job runs twice on one day
            run(TODAY + timedelta(days=day), django_capture_on_commit_callbacks, time_machine)

    notice_mails = [m for m in smtp.received if "give notice" in m.subject]
    for user in (coo, ceo, manager):
        subjects = [m.subject for m in notice_mails if user.email in m.to]
        assert subjects == [
            "In 90 days: Last day to give notice on the Joint analytics offering agreement "
            "(or it renews automatically)",
            "In 30 days: Last day to give notice on the Joint analytics offering agreement "
            "(or it renews automatically)",
            "In 7 days: Last day to give notice on the Joint analytics offering agreement "
            "(or it renews automatically)",
        ]
    assert smtp.to(viewer.email) == []  # on the team, but neither owner nor executive
    keys = Reminder.objects.filter(kind="notice_deadline").values_list(
        "due_date", "offset_days", "recipient__username", "status"
    )
    assert sorted(keys) == sorted(
        (notice, offset, user, "sent")
        for offset in (90, 30, 7)
        for user in ("coo", "ceo", "manager")
    )
    # The end date (200 days out) is beyond the largest offset until day 110.
    assert not Reminder.objects.filter(kind="agreement_end").exists()

    mail = [m for m in smtp.to(manager.email) if m.subject.startswith("In 7 days")][0]
    assert "you own this partnership" in mail.text
    assert "Wednesday 3 March 2027" in mail.text and "Wednesday 3 March 2027" in mail.html
    assert f"https://concord.example.com{ending.partnership.get_absolute_url()}#agreement" in (
        mail.text
    )
    coo_mail = [m for m in smtp.to(coo.email) if m.subject.startswith("In 7 days")][0]
    assert "you are an executive" in coo_mail.text


def test_amended_agreement_stops_reminders_for_the_old_date(
    ending, smtp, coo, manager, django_capture_on_commit_callbacks, time_machine
):
    run(TODAY + timedelta(days=10), django_capture_on_commit_callbacks, time_machine)  # 90 days
    assert len(smtp.received) == 2
    # Renewed: the end moves a year later, so the notice deadline moves with it.
    agreement_amend(
        agreement=ending,
        changes={"end_date": ending.end_date + timedelta(days=365)},
        by=coo,
        reason="Renewed for a year.",
    )
    for day in range(11, 101):
        run(TODAY + timedelta(days=day), django_capture_on_commit_callbacks, time_machine)
    assert len(smtp.received) == 2  # nothing more for the old deadline, the new one is far off
    assert set(Reminder.objects.values_list("due_date", flat=True)) == {TODAY + timedelta(days=100)}


def test_a_pending_reminder_for_a_date_that_moved_is_not_sent(
    ending, smtp, coo, manager, time_machine
):
    time_machine.move_to("2026-12-03 06:30:00+00:00", tick=False)
    dates, planned = services.reminders_plan(today=date(2026, 12, 3))
    Reminder.objects.bulk_create(planned)  # recorded, then the worker is slow...
    agreement_amend(
        agreement=ending, changes={"renewal_notice_days": 60}, by=coo, reason="Shorter notice."
    )
    statuses = {
        services.reminder_queue(r.pk, today=date(2026, 12, 3)) for r in Reminder.objects.all()
    }
    assert statuses == {DeliveryStatus.SKIPPED}
    assert smtp.received == []
    assert "date changed" in Reminder.objects.first().last_error


def test_ended_partnership_and_opted_out_users_get_none(
    ending, smtp, coo, manager, django_capture_on_commit_callbacks, time_machine
):
    prefer(coo, reminders_enabled=False)
    run(TODAY + timedelta(days=10), django_capture_on_commit_callbacks, time_machine)
    assert [m.to for m in smtp.received] == [[manager.email]]
    ending.partnership.stage = Stage.ENDED
    ending.partnership.save()
    run(TODAY + timedelta(days=70), django_capture_on_commit_callbacks, time_machine)  # 30 days
    assert len(smtp.received) == 1


def test_a_date_added_late_gets_the_nearest_offset_only(
    smtp, coo, partnership, django_capture_on_commit_callbacks, time_machine
):
    agreement(partnership, TODAY + timedelta(days=20), notice_days=5)  # ends in 20, notice in 15
    run(TODAY, django_capture_on_commit_callbacks, time_machine)
    got = sorted(Reminder.objects.filter(recipient=coo).values_list("kind", "offset_days"))
    assert got == [("agreement_end", 30), ("notice_deadline", 30)]
    assert sorted(m.subject[:10] for m in smtp.to(coo.email)) == ["In 15 days", "In 20 days"]


def test_other_apps_add_dates_through_the_registry(
    smtp, coo, partnership, django_capture_on_commit_callbacks, time_machine
):
    def reviews(today, partnership_ids=None):
        due = date(2026, 12, 30)
        return [(partnership.pk, "performance_review", due, "Performance review of JAO", "/x/")]

    reminder = plugins.Reminder("tests.reviews", reviews)
    with plugins.added(plugins.Contributions(reminders=[reminder])):
        run(date(2026, 11, 30), django_capture_on_commit_callbacks, time_machine)
    [mail] = smtp.to(coo.email)
    assert mail.subject == "In 30 days: Performance review of JAO"
    assert "https://concord.example.com/x/" in mail.text
    reminder = Reminder.objects.get(recipient=coo)
    assert (reminder.kind, reminder.offset_days, reminder.status) == (
        "performance_review",
        30,
        "sent",
    )


def test_reminder_offset():
    assert services.reminder_offset(100, [7, 30, 90]) is None
    assert services.reminder_offset(90, [7, 30, 90]) == 90
    assert services.reminder_offset(31, [7, 30, 90]) == 90
    assert services.reminder_offset(30, [7, 30, 90]) == 30
    assert services.reminder_offset(0, [7, 30, 90]) == 7


def test_offsets_come_from_settings(
    settings, ending, smtp, coo, manager, django_capture_on_commit_callbacks, time_machine
):
    settings.DIGEST_REMINDER_OFFSETS = [14]
    run(TODAY + timedelta(days=10), django_capture_on_commit_callbacks, time_machine)
    assert smtp.received == []
    run(TODAY + timedelta(days=86), django_capture_on_commit_callbacks, time_machine)
    assert sorted(m.subject[:10] for m in smtp.received) == ["In 14 days", "In 14 days"]
    assert "14 days ahead" in smtp.received[0].text


def test_no_partnership_no_work(db, smtp, django_capture_on_commit_callbacks, time_machine):
    make_partnership()
    run(TODAY, django_capture_on_commit_callbacks, time_machine)
    assert smtp.received == [] and not Reminder.objects.exists()


def test_agreement_dates_of_some_partnerships_only(ending, partnership):
    other = make_partnership()
    agreement(other, TODAY + timedelta(days=50), notice_days=10)
    everyone = agreement_dates(TODAY)
    assert {row.partnership_id for row in everyone} == {partnership.pk, other.pk}
    mine = agreement_dates(TODAY, partnership_ids=[partnership.pk])
    assert mine == [row for row in everyone if row.partnership_id == partnership.pk]
    assert agreement_dates(TODAY, partnership_ids=[]) == []
    assert upcoming_dates(TODAY, partnership_ids=[other.pk]) == sorted(
        (row for row in everyone if row.partnership_id == other.pk),
        key=lambda r: (r.due_date, r.kind, r.partnership_id),
    )
