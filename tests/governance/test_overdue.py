"""Overdue flags and the selectors other apps read, with time frozen."""

from datetime import date, datetime

import time_machine
from django.urls import reverse
from django.utils import timezone

from governance import services
from governance.models import Checklist, MeetingCadence
from governance.selectors import cadences_with_dates, health_inputs
from partnerships import portfolio
from partnerships.models import Partnership
from tests.factories import make_partnership

from .conftest import (
    conclude_all,
    make_action,
    make_cadence,
    make_meeting,
    make_risk,
    start_checklist,
)

FROZEN = datetime(2025, 6, 15, 12, 0, tzinfo=timezone.get_default_timezone())
TODAY = date(2025, 6, 15)


def portfolio_figures(*partnerships):
    """The governance figures of these partnerships' portfolio rows, on TODAY."""
    with time_machine.travel(FROZEN, tick=False):
        rows = list(
            portfolio.annotated(TODAY).filter(pk__in=[p.pk for p in partnerships]).order_by("pk")
        )
        portfolio.decorate(rows)
    return [row.governance for row in rows]


def test_dd_item_overdue_by_its_own_or_the_checklist_due_date(partnership, manager):
    checklist = start_checklist(partnership, manager, due_date=date(2025, 6, 14))
    accounts, sanctions, references = checklist.items.order_by("order")
    accounts.due_date = date(2025, 7, 1)  # its own later date wins
    accounts.save()
    services.checklist_item_update(item=references, by=manager, status="passed", rating=3)
    with time_machine.travel(FROZEN, tick=False):
        today = timezone.localdate()
        flags = {i.question: i.is_overdue(today) for i in checklist.items.all()}
        assert flags == {
            "Audited accounts": False,
            "Sanctions screening": True,
            "Customer references": False,
        }
        assert portfolio_figures(partnership)[0]["dd_overdue_items"] == 1


def test_dd_overdue_items_show_on_the_panel(client, partnership, manager):
    start_checklist(partnership, manager, due_date=date(2025, 6, 1))
    client.force_login(manager)
    with time_machine.travel(FROZEN, tick=False):
        response = client.get(
            reverse("governance:dd", kwargs={"pk": partnership.pk}),
            headers={"HX-Request": "true"},
        )
    assert "Overdue items" in response.text
    assert "overdue since 1 Jun 2025" in response.text


def test_signed_off_checklist_has_nothing_overdue(partnership, manager, coo):
    checklist = start_checklist(partnership, manager, due_date=date(2025, 6, 1))
    conclude_all(checklist, manager, status="passed")
    item = checklist.items.first()
    services.checklist_item_update(item=item, by=manager, status="in_progress")
    item.refresh_from_db()
    with time_machine.travel(FROZEN, tick=False):
        assert item.is_overdue(TODAY)
        services.checklist_item_update(item=item, by=manager, status="passed", rating=4)
        services.checklist_sign_off(checklist=checklist, by=coo)
        item.refresh_from_db()
        assert not item.is_overdue(TODAY)


def test_action_items_overdue_only_while_open(partnership, manager, client):
    late = make_action(partnership, manager, due_date=date(2025, 6, 14), title="Late one")
    make_action(partnership, manager, due_date=date(2025, 6, 15), title="Due today")
    done = make_action(partnership, manager, due_date=date(2025, 6, 1), status="done")
    assert late.is_overdue(TODAY) and not done.is_overdue(TODAY)
    client.force_login(manager)
    with time_machine.travel(FROZEN, tick=False):
        assert (
            health_inputs([partnership.pk], today=timezone.localdate())[partnership.pk][
                "overdue_actions"
            ]
            == 1
        )
        response = client.get(
            reverse("governance:meetings", kwargs={"pk": partnership.pk}),
            headers={"HX-Request": "true"},
        )
    row = response.text[response.text.index(f'id="action-{late.pk}"') :]
    assert 'class="gov-row-overdue"' in row[:60]
    assert "overdue" in row[: row.index("</tr>")]


def test_cadence_next_due_and_overdue(partnership):
    make_cadence(partnership, "steering", "monthly", start_date=date(2025, 1, 1))
    make_cadence(partnership, "qbr", "quarterly", start_date=date(2025, 1, 1))
    make_meeting(partnership, held_on=date(2025, 4, 30), kind="steering")
    make_meeting(partnership, held_on=date(2025, 4, 1), kind="qbr")
    with time_machine.travel(FROZEN, tick=False):
        cadences = {
            c.kind: c
            for c in cadences_with_dates(
                MeetingCadence.objects.filter(partnership=partnership), today=TODAY
            )
        }
    assert (cadences["steering"].due, cadences["steering"].overdue) == (date(2025, 5, 30), True)
    assert (cadences["qbr"].due, cadences["qbr"].overdue) == (date(2025, 7, 1), False)
    # A planned meeting is the next one due, and clears the overdue flag.
    make_meeting(partnership, held_on=date(2025, 6, 20), kind="steering")
    steering = cadences_with_dates(
        MeetingCadence.objects.filter(partnership=partnership, kind="steering"), today=TODAY
    )[0]
    assert (steering.due, steering.overdue) == (date(2025, 6, 20), False)
    assert portfolio_figures(partnership)[0]["next_meeting_due"] == date(2025, 6, 20)


def test_cadence_without_meetings_is_due_from_its_start(partnership):
    make_cadence(partnership, "steering", "monthly", start_date=date(2025, 7, 1))
    assert portfolio_figures(partnership)[0]["next_meeting_due"] == date(2025, 7, 1)


def test_risk_review_overdue(partnership, manager, client):
    late = make_risk(partnership, manager, review_date=date(2025, 6, 14), title="Late review")
    closed = make_risk(partnership, manager, review_date=date(2025, 6, 1), status="closed")
    make_risk(partnership, manager, review_date=date(2025, 6, 15))
    assert late.is_review_overdue(TODAY) and not closed.is_review_overdue(TODAY)
    client.force_login(manager)
    with time_machine.travel(FROZEN, tick=False):
        response = client.get(reverse("governance:risks", kwargs={"pk": partnership.pk}))
        portfolio = client.get(reverse("governance:portfolio_risks") + "?overdue=on")
    assert "review overdue" in response.text
    assert "Late review" in portfolio.text
    assert portfolio.text.count("review overdue</span>") == 1


def test_health_inputs_match_the_contract(partnership, manager, django_assert_num_queries):
    other = make_partnership()
    checklist = start_checklist(partnership, manager)
    accounts, sanctions, references = checklist.items.order_by("order")
    services.checklist_item_update(item=accounts, by=manager, status="passed", rating=4)
    services.checklist_item_update(item=references, by=manager, status="failed", rating=1)
    make_risk(partnership, manager, likelihood=4, impact=5)
    make_risk(partnership, manager, likelihood=2, impact=2)
    make_risk(partnership, manager, likelihood=5, impact=5, status="closed")
    make_action(partnership, manager, due_date=date(2025, 6, 1))
    with django_assert_num_queries(1):
        result = health_inputs([partnership.pk, other.pk], today=TODAY)
    assert result == {
        partnership.pk: {
            "overdue_actions": 1,
            "open_risks": 2,
            "max_risk_score": 20,
            "dd_required_open": 1,
            "dd_progress": 75,
            "dd_signed_off": False,
        },
        other.pk: {
            "overdue_actions": 0,
            "open_risks": 0,
            "max_risk_score": 0,
            "dd_required_open": 0,
            "dd_progress": None,
            "dd_signed_off": False,
        },
    }


def test_portfolio_figures_and_health_inputs_run_a_constant_number_of_queries(
    manager, django_assert_num_queries
):
    ids = []
    for n in range(6):
        p = make_partnership()
        ids.append(p.pk)
        start_checklist(p, manager, due_date=date(2025, 6, 1))
        make_risk(p, manager, likelihood=n % 5 + 1, impact=2)
        make_action(p, manager, due_date=date(2025, 6, 1))
        make_cadence(p, "steering", "monthly", start_date=date(2025, 6, 20))
    partnerships = list(Partnership.objects.filter(pk__in=ids))
    # The rows (governance figures are subqueries of them), KPI health trends, cadences.
    with django_assert_num_queries(3):
        figures = portfolio_figures(*partnerships)
    assert figures[0] == {
        "dd_progress": 0,
        "dd_overdue_items": 3,
        "max_open_risk_score": 2,
        "open_risks": 1,
        "next_meeting_due": date(2025, 6, 20),
        "next_meeting_overdue": False,
    }
    with django_assert_num_queries(1):
        health_inputs(ids, today=TODAY)


def test_health_inputs_for_hundreds_of_ids_and_a_signed_off_checklist(manager):
    signed = make_partnership()
    checklist = start_checklist(signed, manager)
    Checklist.objects.filter(pk=checklist.pk).update(signed_off_at=timezone.now())
    make_risk(signed, manager, likelihood=3, impact=3)
    # Past a hundred ids they go to PostgreSQL as one parameter; ids with nothing still answer.
    ids = [signed.pk, *range(10**6, 10**6 + 150)]
    result = health_inputs(ids, today=TODAY)
    assert set(result) == set(ids)
    assert result[signed.pk]["dd_signed_off"] is True
    assert result[signed.pk]["open_risks"] == 1 and result[signed.pk]["max_risk_score"] == 9
    assert result[10**6] == {
        "overdue_actions": 0,
        "open_risks": 0,
        "max_risk_score": 0,
        "dd_required_open": 0,
        "dd_progress": None,
        "dd_signed_off": False,
    }
