"""Actions owned by a partner contact: seen and updated in the portal, reminded by email."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import ActionItem
from kpis.models import Alert, CorrectiveAction
from outbox.models import Message
from partnerships.models import Contact
from portal import partner_actions
from portal.models import ActionUpdate


@pytest.fixture
def actions(world, manager):
    today = timezone.localdate()
    pia = world["pa"].contact
    colleague = Contact.objects.create(partner=world["a"].partner, name="Carl Colleague")
    mine = ActionItem.objects.create(
        partnership=world["a"], title="Send the reseller list", owner_contact=pia, due_date=today
    )
    theirs = ActionItem.objects.create(
        partnership=world["a"], title="Book the workshop", owner_contact=colleague, due_date=today
    )
    ours = ActionItem.objects.create(
        partnership=world["a"], title="Internal pricing review", owner=manager, due_date=today
    )
    alert = Alert.objects.create(
        kpi=world["shared"],
        partnership=world["a"],
        severity="off_track",
        peak_severity="off_track",
        opened_period=today,
        acknowledgement="Internal: their sales lead is weak",
    )
    corrective = CorrectiveAction.objects.create(
        alert=alert,
        kpi=world["shared"],
        partnership=world["a"],
        description="Two joint sales calls a week",
        owner_contact=pia,
        due_date=today + timedelta(days=7),
    )
    return {"mine": mine, "theirs": theirs, "ours": ours, "corrective": corrective}


def test_partner_sees_their_actions_and_alerts_without_internal_notes(client, world, actions):
    client.force_login(world["pa"].user)
    page = client.get(reverse("portal:actions")).content.decode()
    assert "Send the reseller list" in page
    assert "Book the workshop" in page  # a colleague's: visible, not changeable
    assert "Internal pricing review" not in page
    assert "Two joint sales calls a week" in page
    assert "their sales lead is weak" not in page


def test_owner_closes_an_action_with_a_note(client, world, actions):
    client.force_login(world["pa"].user)
    url = reverse("portal:item_update", args=[actions["mine"].pk])
    response = client.post(url, {"status": "done", "note": "Sent on Monday"})
    assert response.status_code == 302
    actions["mine"].refresh_from_db()
    assert actions["mine"].status == "done" and actions["mine"].completed_at
    assert ActionUpdate.objects.get(action_item=actions["mine"]).note == "Sent on Monday"


def test_bad_status_is_refused_with_a_message(client, world, actions):
    client.force_login(world["pa"].user)
    url = reverse("portal:corrective_update", args=[actions["corrective"].pk])
    page = client.post(url, {"status": "finished"}, follow=True).content.decode()
    assert "Choose a status" in page
    actions["corrective"].refresh_from_db()
    assert actions["corrective"].state == "planned"


def test_colleagues_action_is_403_and_ours_is_404(client, world, actions):
    client.force_login(world["pa"].user)
    theirs = reverse("portal:item_update", args=[actions["theirs"].pk])
    assert client.post(theirs, {"status": "done"}).status_code == 403
    ours = reverse("portal:item_update", args=[actions["ours"].pk])
    assert client.post(ours, {"status": "done"}).status_code == 404


def test_reminders_go_once_per_action_and_day(world, actions):
    today = timezone.localdate()
    due = partner_actions.due_reminders(today)
    assert partner_actions.due_reminders(today) == due  # a second run writes nothing more
    reminders = Message.objects.filter(key__startswith="portal-action-reminder:")
    assert reminders.count() == due
    to_pia = {m.subject for m in reminders.filter(recipient="pia@partner.example")}
    assert "Due today: Send the reseller list" in to_pia
    assert "Due in 7 days: Two joint sales calls a week" in to_pia
    # The colleague has no email address: nothing is written for them.
    assert not reminders.filter(subject__contains="Book the workshop").exists()
    # Six days on, the corrective action gets its one-day reminder.
    partner_actions.due_reminders(today + timedelta(days=6))
    assert reminders.filter(subject="Due tomorrow: Two joint sales calls a week").count() == 1


def test_our_owner_gives_a_corrective_action_to_a_partner_contact(client, world, actions, manager):
    corrective = actions["corrective"]
    CorrectiveAction.objects.filter(pk=corrective.pk).update(owner_contact=None, owner=manager)
    client.force_login(manager)
    url = reverse("kpis:action_edit", args=[corrective.pk])
    form = client.get(url).content.decode()
    assert "Pia Partner" in form and "Bob Globex" not in form  # only this partner's contacts
    data = {
        "description": corrective.description,
        "owner": manager.pk,
        "owner_contact": world["pa"].contact.pk,
        "due_date": corrective.due_date.isoformat(),
        "state": "planned",
        "outcome": "",
    }
    assert client.post(url, data).status_code == 302
    corrective.refresh_from_db()
    assert corrective.owner_contact == world["pa"].contact


@pytest.mark.parametrize("name", ["work_panel", "healthcheck", "ledger"])
def test_our_pages_within_query_budget(
    client, world, actions, manager, name, django_assert_max_num_queries
):
    client.force_login(manager)
    with django_assert_max_num_queries(15):
        response = client.get(reverse(f"partner_access:{name}", args=[world["a"].pk]))
    assert response.status_code == 200
