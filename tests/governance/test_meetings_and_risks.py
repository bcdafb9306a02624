from datetime import date

from django.urls import reverse

from governance import services
from governance.models import ActionItem, Decision, Risk, RoleKind

from .conftest import make_action, make_contact, make_meeting, make_risk, make_role


def test_decision_needs_a_decision_right(client, partnership, manager, coo):
    sponsor = make_role(
        partnership, RoleKind.EXECUTIVE_SPONSOR, user=coo, decision_rights=["budget"]
    )
    owner = make_role(partnership, RoleKind.OWNER, user=manager)
    meeting = make_meeting(partnership)
    client.force_login(manager)
    url = reverse(
        "governance:meeting_detail", kwargs={"pk": partnership.pk, "meeting_pk": meeting.pk}
    )
    refused = client.post(
        url, {"summary": "Double the budget", "decided_by": owner.pk, "area": "budget"}
    )
    assert refused.status_code == 422
    assert "holds no decision right over budget changes" in refused.text
    ok = client.post(
        url, {"summary": "Double the budget", "decided_by": sponsor.pk, "area": "budget"}
    )
    assert ok.status_code == 302
    decision = Decision.objects.get()
    assert (decision.decided_by, decision.area, decision.meeting) == (sponsor, "budget", meeting)
    page = client.get(url)
    assert "decided by Clara Okafor (Executive sponsor)" in page.text


def test_accountable_role_may_decide_in_its_area(partnership, manager):
    owner = make_role(partnership, RoleKind.OWNER, user=manager)
    services.raci_set(partnership=partnership, cells={(owner.pk, "scope"): "A"})
    services.decision_check(role=owner, area="scope")  # no error


def test_meeting_records_attendees_on_both_sides(client, partnership, manager, coo):
    contact = make_contact(partnership, "Hannah Lee")
    client.force_login(manager)
    response = client.post(
        reverse("governance:meeting_create", kwargs={"pk": partnership.pk}),
        {
            "kind": "steering",
            "title": "June steering",
            "held_on": "2025-06-10",
            "attendees": [manager.pk, coo.pk],
            "partner_attendees": [contact.pk],
            "agenda": "KPIs",
            "minutes": "Agreed the plan.",
        },
    )
    assert response.status_code == 302
    meeting = partnership.meetings.get()
    assert set(meeting.attendees.all()) == {manager, coo}
    assert list(meeting.partner_attendees.all()) == [contact]
    page = client.get(meeting.get_absolute_url())
    assert "Hannah Lee" in page.text and "Clara Okafor" in page.text


def test_action_needs_exactly_one_owner(client, partnership, manager):
    client.force_login(manager)
    url = reverse("governance:action_create", kwargs={"pk": partnership.pk})
    response = client.post(
        url, {"title": "Send figures", "due_date": "2025-07-01", "status": "open"}
    )
    assert response.status_code == 422
    assert "Give the action one owner" in response.text
    assert not ActionItem.objects.exists()
    response = client.post(
        url,
        {"title": "Send figures", "due_date": "2025-07-01", "status": "open", "owner": manager.pk},
    )
    assert response.status_code == 302
    action = ActionItem.objects.get(partnership=partnership, title="Send figures")
    assert action.owner == manager and action.owner_contact is None


def test_tick_action_done_in_place(client, partnership, manager):
    action = make_action(partnership, manager, due_date=date(2020, 1, 1))
    client.force_login(manager)
    url = reverse("governance:action_done", kwargs={"pk": partnership.pk, "action_pk": action.pk})
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="action-{action.pk}"')
    row = response.text[: response.text.index("</tr>")]
    assert "Done" in row and "overdue" not in row and "Undo" in row
    # The panel's counts follow, swapped out of band: nothing open, nothing overdue.
    counts = response.text[response.text.index("</tr>") :]
    assert 'id="open-action-count-' in counts and 'data-hx-swap-oob="true"' in counts
    assert '<div class="value">0</div>' in counts
    action.refresh_from_db()
    assert action.status == "done" and action.completed_at is not None

    undo = reverse(
        "governance:action_reopen", kwargs={"pk": partnership.pk, "action_pk": action.pk}
    )
    response = client.post(undo, headers={"HX-Request": "true"})
    row = response.text[: response.text.index("</tr>")]
    assert "overdue" in row and "Undo" not in row and "Done" in row
    assert '<div class="value gov-flag">1</div>' in response.text
    action.refresh_from_db()
    assert action.status == "open" and action.completed_at is None


def test_tick_action_done_without_javascript(client, partnership, manager):
    action = make_action(partnership, manager)
    client.force_login(manager)
    url = reverse("governance:action_done", kwargs={"pk": partnership.pk, "action_pk": action.pk})
    response = client.post(url, {"next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == reverse("governance:meetings", kwargs={"pk": partnership.pk})
    assert ActionItem.objects.get().status == "done"


def test_performance_review_form(client, partnership, manager):
    client.force_login(manager)
    url = reverse("governance:review_create", kwargs={"pk": partnership.pk})
    data = {
        "period_start": "2025-04-01",
        "period_end": "2025-03-01",
        "rating": "4",
        "went_well": "Pipeline",
        "went_badly": "Reports",
        "recommendation": "expand",
        "reviewed_on": "2025-04-05",
    }
    refused = client.post(url, data)
    assert refused.status_code == 422
    assert "The period cannot end before it starts." in refused.text
    data["period_end"] = "2025-06-30"
    assert client.post(url, data).status_code == 302
    review = partnership.performance_reviews.get()
    assert (review.recommendation, review.reviewed_by) == ("expand", manager)


def test_risk_score_changes_are_kept(client, partnership, manager):
    risk = make_risk(partnership, manager, likelihood=2, impact=3)
    assert risk.score == 6
    client.force_login(manager)
    url = reverse("governance:risk_edit", kwargs={"pk": partnership.pk, "risk_pk": risk.pk})
    data = {
        "title": risk.title,
        "category": "financial",
        "likelihood": "4",
        "impact": "5",
        "status": "open",
        "change_note": "Supplier lost its credit line.",
    }
    assert client.post(url, data).status_code == 302
    data["title"] = "Renamed"  # no score change, no history row
    data["change_note"] = ""
    assert client.post(url, data).status_code == 302
    risk.refresh_from_db()
    assert risk.score == 20
    history = list(
        risk.history.order_by("changed_at", "pk").values_list(
            "likelihood_before", "impact_before", "likelihood", "impact", "note"
        )
    )
    assert history == [
        (None, None, 2, 3, "Risk recorded."),
        (2, 3, 4, 5, "Supplier lost its credit line."),
    ]
    page = client.get(url)
    assert "6 → " in page.text and "Supplier lost its credit line." in page.text


def test_risk_scale_is_validated(client, partnership, manager):
    client.force_login(manager)
    url = reverse("governance:risk_create", kwargs={"pk": partnership.pk})
    response = client.post(
        url, {"title": "X", "category": "legal", "likelihood": "6", "impact": "0", "status": "open"}
    )
    assert response.status_code == 422
    assert not Risk.objects.exists()


def test_heat_map_cells_link_to_the_filtered_list(client, partnership, manager, coo):
    make_risk(partnership, manager, likelihood=5, impact=5, title="Worst case")
    make_risk(partnership, manager, likelihood=1, impact=1, title="Tiny")
    make_risk(partnership, manager, likelihood=1, impact=1, title="Closed tiny", status="closed")
    client.force_login(coo)
    panel = client.get(
        reverse("governance:risks", kwargs={"pk": partnership.pk}), headers={"HX-Request": "true"}
    )
    cell = f"/governance/partnerships/{partnership.pk}/risks/?likelihood=5&amp;impact=5"
    assert cell in panel.text
    portfolio = client.get(reverse("governance:portfolio_risks"))
    assert "/governance/risks/?likelihood=1&amp;impact=1" in portfolio.text
    filtered = client.get(reverse("governance:portfolio_risks") + "?likelihood=1&impact=1")
    assert "Tiny" in filtered.text and "Worst case" not in filtered.text
    assert "Closed tiny" not in filtered.text
    closed = client.get(reverse("governance:portfolio_risks") + "?status=closed")
    assert "Closed tiny" in closed.text


def test_portfolio_risks_only_lists_visible_partnerships(
    client, partnership, manager, other_manager
):
    make_risk(partnership, manager, title="Hidden from others")
    client.force_login(other_manager)
    response = client.get(reverse("governance:portfolio_risks"))
    assert response.status_code == 200
    assert "Hidden from others" not in response.text
    assert "No open risks." in response.text


def test_nav_entry_points_at_the_portfolio_risks(client, manager):
    client.force_login(manager)
    response = client.get(reverse("partnerships:list"))
    assert f'href="{reverse("governance:portfolio_risks")}"' in response.text
    assert ">Risks</a>" in response.text


def test_partnership_page_lists_the_governance_panels(client, partnership, manager):
    client.force_login(manager)
    response = client.get(partnership.get_absolute_url())
    for key in ("dd", "governance", "meetings", "risks"):
        assert f'id="panel-{key}"' in response.text
