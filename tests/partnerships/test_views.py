from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from partnerships.models import (
    Agreement,
    Amendment,
    Contact,
    Interaction,
    Objective,
    Partner,
    Partnership,
    Stage,
    StrategicGoal,
)
from partnerships.plugins import Contributions, added
from tests.clock import days_from_today
from tests.factories import make_goal, make_partner, make_partnership, make_user


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def as_coo(client, coo):
    client.force_login(coo)
    return client


def errors_of(response):
    return response.context["form"].errors


# Partnerships ------------------------------------------------------------------------------


def test_manager_creates_a_partnership_and_joins_its_team(as_manager, manager, partner):
    response = as_manager.post(
        reverse("partnerships:create"),
        {"partner": partner.pk, "title": "Data exchange", "type": "technology", "owner": ""},
    )
    created = Partnership.objects.get(title="Data exchange")
    assert response.status_code == 302 and response.url == created.get_absolute_url()
    assert created.stage == Stage.PROSPECT
    assert manager in created.team.all()


def test_partnership_form_validation(as_manager, partner):
    response = as_manager.post(
        reverse("partnerships:create"),
        {
            "partner": partner.pk,
            "title": "",
            "type": "nonsense",
            "start_date": "2026-05-01",
            "end_date": "2026-01-01",
            "estimated_annual_value": "-5",
        },
    )
    assert response.status_code == 200
    errors = errors_of(response)
    assert errors["title"] == ["This field is required."]
    assert "Select a valid choice" in errors["type"][0]
    assert errors["end_date"] == ["The end date cannot be before the start date."]
    assert "greater than or equal to 0" in errors["estimated_annual_value"][0]
    assert "Please correct the fields marked below." in response.text
    assert not Partnership.objects.filter(title="").exists()


def test_team_field_is_for_executives_only(as_manager, partnership):
    response = as_manager.get(reverse("partnerships:edit", args=[partnership.pk]))
    assert "team" not in response.context["form"].fields


def test_edit_keeps_the_stage(as_coo, partnership):
    url = reverse("partnerships:edit", args=[partnership.pk])
    data = {"partner": partnership.partner.pk, "title": "Renamed", "type": "research"}
    assert as_coo.post(url, data | {"stage": "active"}).status_code == 302
    partnership.refresh_from_db()
    assert (partnership.title, partnership.stage) == ("Renamed", Stage.PROSPECT)


def test_stage_move_through_the_page(as_manager, partnership):
    url = reverse("partnerships:move", args=[partnership.pk])
    response = as_manager.post(url, {"to_stage": "due_diligence", "reason": "Looks good"})
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.stage == Stage.DUE_DILIGENCE
    page = as_manager.get(partnership.get_absolute_url()).text
    assert "Moved to Due diligence." in page
    assert "Looks good" in page


def test_refused_move_shows_exactly_what_is_missing(as_manager, partnership):
    Partnership.objects.filter(pk=partnership.pk).update(stage=Stage.NEGOTIATION, owner=None)
    url = reverse("partnerships:move", args=[partnership.pk])
    response = as_manager.post(url, {"to_stage": "active"})
    assert response.status_code == 422
    assert "The move was refused" in response.text
    assert "Assign a partnership owner." in response.text
    assert "Agree at least one objective." in response.text
    partnership.refresh_from_db()
    assert partnership.stage == Stage.NEGOTIATION


def test_manager_cannot_force_through_the_page(as_manager, partnership):
    Partnership.objects.filter(pk=partnership.pk).update(stage=Stage.NEGOTIATION, owner=None)
    url = reverse("partnerships:move", args=[partnership.pk])
    response = as_manager.post(
        url, {"to_stage": "active", "reason": "Now, it is urgent", "force": "on"}
    )
    assert response.status_code == 422
    assert "Only an executive can force a stage move." in response.text


def test_executive_forces_through_the_page(as_coo, partnership):
    Partnership.objects.filter(pk=partnership.pk).update(stage=Stage.NEGOTIATION, owner=None)
    url = reverse("partnerships:move", args=[partnership.pk])
    response = as_coo.post(
        url, {"to_stage": "active", "reason": "The board said so today", "force": "on"}
    )
    assert response.status_code == 302
    move = partnership.stage_moves.get()
    assert move.forced and move.reason == "The board said so today"
    page = as_coo.get(partnership.get_absolute_url()).text
    assert "forced" in page


def test_end_without_reason_via_page(as_manager, partnership):
    url = reverse("partnerships:move", args=[partnership.pk])
    for reason in ("", "x", "no longer"):
        response = as_manager.post(url, {"to_stage": "ended", "reason": reason})
        assert response.status_code == 422
        assert "Ending a partnership needs a reason of a short sentence" in response.text
    partnership.refresh_from_db()
    assert partnership.stage != Stage.ENDED


def test_no_stage_is_chosen_for_the_user(as_manager, partnership):
    page = as_manager.get(partnership.get_absolute_url()).text
    assert '<option value="" selected>Choose a stage…</option>' in page
    url = reverse("partnerships:move", args=[partnership.pk])
    response = as_manager.post(url, {"reason": "Looks good to everyone"})
    assert response.status_code == 422
    assert "Choose the stage to move to." in response.text


def test_ending_asks_to_confirm_and_says_what_will_close(as_manager, partnership, manager):
    from governance.models import ActionItem
    from partnerships.models import Interaction

    ActionItem.objects.create(
        partnership=partnership,
        title="Send the pricing sheet",
        owner=manager,
        due_date=days_from_today(5),
    )
    Interaction.objects.create(partnership=partnership, kind="conflict", subject="Lead dispute")
    url = reverse("partnerships:move", args=[partnership.pk])
    reason = "The partner chose a competitor"
    response = as_manager.post(url, {"to_stage": "ended", "reason": reason})
    assert response.status_code == 200
    assert f"End {partnership.title}?" in response.text
    assert "1 open action item will be cancelled." in response.text
    assert "1 open conflict will be marked resolved." in response.text
    partnership.refresh_from_db()
    assert partnership.stage != Stage.ENDED  # nothing happens before the confirmation

    response = as_manager.post(url, {"to_stage": "ended", "reason": reason, "confirm": "on"})
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.stage == Stage.ENDED
    assert ActionItem.objects.get(partnership=partnership).status == "cancelled"
    conflict = Interaction.objects.get(partnership=partnership)
    assert conflict.resolved_on is not None
    assert conflict.resolution == f"Closed when the partnership ended: {reason}"


# Objectives -----------------------------------------------------------------------------------


def test_objective_create_and_validation(as_manager, partnership):
    goal = make_goal("Innovate in AI")
    url = reverse("partnerships:objective_create", args=[partnership.pk])
    response = as_manager.post(url, {"title": "", "side": "both", "progress": "150"})
    errors = errors_of(response)
    assert errors["title"] == ["This field is required."]
    assert errors["goal"] == ["This field is required."]
    assert "Select a valid choice" in errors["side"][0]
    assert "less than or equal to 100" in errors["progress"][0]
    response = as_manager.post(
        url,
        {
            "title": "Win 5 joint customers",
            "goal": goal.pk,
            "side": "partner",
            "status": "on_track",
            "progress": "40",
        },
    )
    assert response.status_code == 302
    objective = Objective.objects.get()
    assert (objective.partnership, objective.side, objective.goal) == (partnership, "partner", goal)


def test_retired_goals_are_not_offered_for_new_objectives(as_manager, partnership):
    retired = make_goal("Old goal", is_active=False)
    url = reverse("partnerships:objective_create", args=[partnership.pk])
    response = as_manager.post(url, {"title": "x", "goal": retired.pk, "side": "ours"})
    assert "Select a valid choice" in errors_of(response)["goal"][0]


def test_objective_of_another_partnership_is_404(as_manager, partnership):
    other = make_partnership()
    objective = Objective.objects.create(partnership=other, goal=make_goal(), title="t")
    url = reverse("partnerships:objective_edit", args=[partnership.pk, objective.pk])
    assert as_manager.get(url).status_code == 404


# Agreement and amendments ------------------------------------------------------------------


AGREEMENT = {
    "start_date": "2026-01-01",
    "end_date": "2028-12-31",
    "renewal_notice_days": "90",
    "value": "500000",
    "exclusivity": "none",
    "key_terms": "70/30 revenue share",
}


def test_agreement_validation(as_manager, partnership):
    url = reverse("partnerships:agreement", args=[partnership.pk])
    response = as_manager.post(
        url, AGREEMENT | {"end_date": "2025-01-01", "value": "-1", "exclusivity": "total"}
    )
    errors = errors_of(response)
    assert errors["end_date"] == ["The end date cannot be before the start date."]
    assert "greater than or equal to 0" in errors["value"][0]
    assert "Select a valid choice" in errors["exclusivity"][0]
    response = as_manager.post(url, AGREEMENT | {"end_date": "2026-02-01"})
    assert errors_of(response)["renewal_notice_days"] == [
        "The notice period is longer than the agreement itself."
    ]
    assert not Agreement.objects.exists()


def test_amendments_keep_previous_terms(as_manager, partnership, manager):
    url = reverse("partnerships:agreement", args=[partnership.pk])
    assert as_manager.post(url, AGREEMENT).status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.notice_deadline == date(2028, 10, 2)

    # Amending needs a reason and a real change.
    response = as_manager.post(url, AGREEMENT | {"effective_date": "2026-06-01", "reason": ""})
    assert errors_of(response)["reason"] == ["This field is required."]
    response = as_manager.post(url, AGREEMENT | {"effective_date": "2026-06-01", "reason": "x"})
    assert "Change at least one term" in response.text

    response = as_manager.post(
        url,
        AGREEMENT
        | {
            "value": "650000",
            "auto_renew": "on",
            "effective_date": "2026-06-01",
            "reason": "Scope+",
        },
    )
    assert response.status_code == 302
    amendment = Amendment.objects.get()
    assert amendment.previous_terms["value"] == "500000.00"
    assert amendment.new_terms["value"] == "650000.00"
    assert amendment.previous_terms["auto_renew"] is False
    assert amendment.new_terms["auto_renew"] is True
    assert amendment.changed_by == manager and amendment.reason == "Scope+"
    assert [c[0] for c in amendment.changes()] == ["Auto renew", "Value"]
    agreement.refresh_from_db()
    assert agreement.value == Decimal("650000") and agreement.auto_renew

    response = as_manager.post(
        url, AGREEMENT | {"value": "700000", "effective_date": "2026-09-01", "reason": "Again"}
    )
    assert Amendment.objects.count() == 2
    page = as_manager.get(partnership.get_absolute_url()).text
    assert "Scope+" in page and "Again" in page


def test_invalid_amendment_changes_nothing(as_manager, partnership):
    url = reverse("partnerships:agreement", args=[partnership.pk])
    as_manager.post(url, AGREEMENT)
    response = as_manager.post(
        url, AGREEMENT | {"end_date": "2020-01-01", "effective_date": "2026-06-01", "reason": "x"}
    )
    assert response.status_code == 200
    assert not Amendment.objects.exists()
    assert Agreement.objects.get().end_date == date(2028, 12, 31)


# Interactions -------------------------------------------------------------------------------


def test_interaction_validation_and_log(as_manager, partnership, manager):
    url = reverse("partnerships:interaction_create", args=[partnership.pk])
    response = as_manager.post(
        url,
        {
            "kind": "call",
            "occurred_on": "2026-03-10",
            "subject": "Catch-up",
            "resolution": "Agreed",
        },
    )
    assert errors_of(response)["resolution"] == [
        "Only conflicts and escalations have a resolution."
    ]
    response = as_manager.post(
        url,
        {
            "kind": "conflict",
            "occurred_on": "2026-03-10",
            "subject": "Lead dispute",
            "resolved_on": "2026-03-01",
        },
    )
    assert errors_of(response)["resolved_on"] == [
        "A conflict cannot be resolved before it happened."
    ]
    response = as_manager.post(
        url,
        {
            "kind": "conflict",
            "occurred_on": "2026-03-10",
            "subject": "Lead dispute",
            "resolved_on": "2026-03-12",
        },
    )
    assert errors_of(response)["resolution"] == ["Say how the conflict was resolved."]
    response = as_manager.post(
        url, {"kind": "meeting", "occurred_on": "2026-03-10", "subject": "Steering"}
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert interaction.recorded_by == manager and interaction.partnership == partnership


def test_interaction_log_paginates_with_htmx_fragment(as_manager, partnership):
    Interaction.objects.bulk_create(
        Interaction(partnership=partnership, kind="call", subject=f"Call {i}") for i in range(25)
    )
    url = partnership.get_absolute_url() + "?ipage=3"
    response = as_manager.get(url, headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<section class="card" id="interactions">')
    assert "21–25 of 25" in response.text
    assert "<html" not in response.text


# Partners, contacts, goals ------------------------------------------------------------------


def test_partner_form_validation_and_duplicate_names(as_manager):
    make_partner("Acme Corp")
    url = reverse("partnerships:partner_create")
    response = as_manager.post(url, {"name": "  acme   corp ", "kind": "company"})
    assert errors_of(response)["name"] == ["A partner with this name already exists."]
    response = as_manager.post(url, {"name": "Beta", "kind": "alien", "website": "not a url"})
    errors = errors_of(response)
    assert "Select a valid choice" in errors["kind"][0]
    assert errors["website"] == ["Enter a valid URL."]
    response = as_manager.post(url, {"name": "Beta  Labs", "kind": "research"})
    assert response.status_code == 302
    assert Partner.objects.filter(name="Beta Labs").exists()


def test_contact_needs_a_way_to_reach_them(as_manager, partnership):
    url = reverse("partnerships:contact_create", args=[partnership.partner.pk])
    response = as_manager.post(url, {"name": "Ann"})
    assert response.context["form"].non_field_errors() == [
        "Give at least an email address or a phone number."
    ]
    response = as_manager.post(url, {"name": "Ann", "email": "bad"})
    assert errors_of(response)["email"] == ["Enter a valid email address."]
    assert as_manager.post(url, {"name": "Ann", "email": "ann@x.example"}).status_code == 302
    assert Contact.objects.get().partner == partnership.partner


def test_goal_form_validation(as_coo):
    make_goal("Grow")
    url = reverse("partnerships:goal_create")
    response = as_coo.post(url, {"title": "Grow"})
    assert "already exists" in errors_of(response)["title"][0]
    assert as_coo.post(url, {"title": "Shrink costs", "is_active": "on"}).status_code == 302
    assert StrategicGoal.objects.count() == 2


# List pages ---------------------------------------------------------------------------------


def test_list_filters_search_and_sort(as_coo, coo):
    goal = make_goal("AI")
    a = make_partnership(title="Alpha AI", stage=Stage.ACTIVE, estimated_annual_value=10)
    b = make_partnership(title="Beta supply", type="supplier", estimated_annual_value=99)
    Objective.objects.create(partnership=a, goal=goal, title="o")
    url = reverse("partnerships:list")
    page = as_coo.get(url, {"stage": "active"}).text
    assert a.title in page and b.title not in page
    page = as_coo.get(url, {"type": "supplier"}).text
    assert b.title in page and a.title not in page
    page = as_coo.get(url, {"q": b.partner.name}).text
    assert b.title in page and a.title not in page
    page = as_coo.get(url, {"goal": goal.pk}).text
    assert a.title in page and b.title not in page
    page = as_coo.get(url, {"sort": "-value"}).text
    assert page.index(b.title) < page.index(a.title)
    page = as_coo.get(url, {"stage": "renewal"}).text
    assert "No partnership matches these filters." in page


def test_owner_filter_offers_the_owners_of_visible_partnerships(
    client, coo, manager, other_manager, viewer
):
    make_user("idle", "Partner manager", first_name="Ida", last_name="Idle")
    mine = make_partnership(title="Mine", owner=manager)
    mine.team.add(viewer)
    make_partnership(title="Theirs", owner=other_manager)

    def owners(user):
        client.force_login(user)
        form = client.get(reverse("partnerships:list")).context["form"]
        return [label for value, label in form.fields["owner"].choices if value]

    assert owners(coo) == ["Marco Rossi", "Olga Berg"]  # nobody who owns nothing
    assert owners(viewer) == ["Marco Rossi"]  # nor the owners of what they cannot see
    client.force_login(coo)
    page = client.get(reverse("partnerships:list"), {"owner": other_manager.pk}).text
    assert "Theirs" in page and "Mine" not in page


def test_list_htmx_returns_only_the_table(as_coo, partnership):
    response = as_coo.get(reverse("partnerships:list"), headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<div id="results">')
    boosted = as_coo.get(
        reverse("partnerships:list"), headers={"HX-Request": "true", "HX-Boosted": "true"}
    )
    assert "<html" in boosted.text


def test_empty_list_invites_to_start(as_coo):
    page = as_coo.get(reverse("partnerships:list")).text
    assert "No partnerships yet." in page and "Start the first one" in page


@pytest.mark.parametrize("rows", [3, 60])
def test_list_pages_run_a_bounded_number_of_queries(
    client, coo, manager, rows, django_assert_max_num_queries
):
    for i in range(rows):
        p = make_partnership(title=f"P{i:03d}", owner=manager)
        p.team.add(manager)
    for user in (coo, manager):
        client.force_login(user)
        with django_assert_max_num_queries(15):
            assert (
                client.get(reverse("partnerships:list"), {"stage": "prospect"}).status_code == 200
            )
        with django_assert_max_num_queries(8):
            assert client.get(reverse("partnerships:partner_list")).status_code == 200
        with django_assert_max_num_queries(8):
            assert client.get(reverse("partnerships:goals")).status_code == 200


def test_detail_page_runs_a_bounded_number_of_queries(
    as_coo, partnership, django_assert_max_num_queries
):
    goal = make_goal()
    for i in range(30):
        Objective.objects.create(partnership=partnership, goal=goal, title=f"o{i}")
        Interaction.objects.create(partnership=partnership, kind="call", subject=f"c{i}")
    with django_assert_max_num_queries(20):
        assert as_coo.get(partnership.get_absolute_url()).status_code == 200


def test_tiles_link_to_the_filtered_table(as_coo):
    make_partnership(stage=Stage.ACTIVE)
    page = as_coo.get(reverse("partnerships:list")).text
    assert 'href="?stage=active"' in page
    assert "Renewals or ends in 90 days" in page


def test_renewal_filter(as_coo):
    far = make_partnership(title="Ends far", end_date=days_from_today(31))
    near = make_partnership(title="Ends near")
    Partnership.objects.filter(pk=near.pk).update(end_date=days_from_today(30))
    page = as_coo.get(reverse("partnerships:list"), {"renewal": "30"}).text
    assert near.title in page and far.title not in page


def test_conflicts_filter(as_coo, coo):
    quiet = make_partnership(title="No conflict")
    settled = make_partnership(title="Settled conflict")
    late = make_partnership(title="Conflict past due")
    waiting = make_partnership(title="Conflict due later")

    def conflict(p, **fields):
        Interaction.objects.create(
            partnership=p,
            kind=Interaction.Kind.CONFLICT,
            occurred_on=days_from_today(-30),
            subject="Lead ownership",
            recorded_by=coo,
            **fields,
        )

    conflict(settled, resolved_on=days_from_today(-1), resolution="Split by region.")
    conflict(late, due_on=days_from_today(-1))
    conflict(waiting, due_on=days_from_today(5))
    titles = [p.title for p in (quiet, settled, late, waiting)]

    def listed(value):
        page = as_coo.get(reverse("partnerships:list"), {"conflicts": value}).text
        return [t for t in titles if f">{t}<" in page]

    assert listed("open") == ["Conflict past due", "Conflict due later"]
    assert listed("overdue") == ["Conflict past due"]
    assert len(listed("")) == 4


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_honours_filters_permissions_and_neutralises_formulas(
    client, manager, partnership, fmt
):
    import io

    import pandas as pd

    Partnership.objects.filter(pk=partnership.pk).update(title='=HYPERLINK("http://x")')
    make_partnership(title="Hidden from the manager")
    other = make_partnership(title="Prospect on team", stage=Stage.ACTIVE)
    other.team.add(manager)
    client.force_login(manager)
    response = client.get(reverse("partnerships:export", args=[fmt]), {"stage": "prospect"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="partnerships-')
    if fmt == "csv":
        frame = pd.read_csv(io.BytesIO(response.content), encoding="utf-8-sig")
    else:
        frame = pd.read_excel(io.BytesIO(response.content))
    assert list(frame["Partnership"]) == ['\'=HYPERLINK("http://x")']
    assert "Stage" in frame.columns and "Partner" in frame.columns


def test_unknown_export_format_is_404(as_coo):
    assert as_coo.get("/partnerships/export.pdf").status_code == 404


def test_timeline_panel_merges_recent_activity(client, partnership, manager, coo, other_manager):
    from partnerships.stages import move_partnership

    move_partnership(partnership, Stage.DUE_DILIGENCE, by=coo, reason="Vetting starts")
    Interaction.objects.create(partnership=partnership, kind="call", subject="Kick-off call")
    url = reverse("partnerships:timeline", args=[partnership.pk])
    client.force_login(manager)
    fragment = client.get(url, headers={"HX-Request": "true"}).text
    assert fragment.lstrip().startswith('<div id="panel-timeline-body">')
    assert "Prospect → Due diligence" in fragment and "Kick-off call" in fragment
    assert "<html" in client.get(url).text
    client.force_login(other_manager)
    assert client.get(url).status_code == 404


def test_partnership_page_loads_registered_panels(as_coo, partnership):
    page = as_coo.get(partnership.get_absolute_url()).text
    assert f'data-hx-get="{reverse("partnerships:timeline", args=[partnership.pk])}"' in page


def test_goals_without_a_healthy_partnership_stand_out(as_coo):
    from partnerships import portfolio

    goal_ok, goal_weak = make_goal("Served well"), make_goal("Served badly")
    healthy, sick = make_partnership(title="Healthy one"), make_partnership(title="Sick one")
    Objective.objects.create(partnership=healthy, goal=goal_ok, title="a")
    Objective.objects.create(partnership=sick, goal=goal_weak, title="b")
    bands = {healthy.pk: portfolio.Health(82, "green"), sick.pk: portfolio.Health(31, "red")}
    scores = Contributions(health_source=lambda ids: {i: bands[i] for i in ids if i in bands})
    with added(scores):
        page = as_coo.get(reverse("partnerships:goals")).text
    weak = page[page.index(f'id="goal-{goal_weak.pk}"') :].split("</section>")[0]
    ok = page[page.index(f'id="goal-{goal_ok.pk}"') :].split("</section>")[0]
    assert "no healthy partnership" in weak
    assert "no healthy partnership" not in ok
    assert "82" in ok


def test_a_goal_lists_its_weakest_partnerships_and_links_to_the_rest(as_coo):
    from partnerships import portfolio

    goal = make_goal("Grow in Asia")
    rows = [make_partnership(title=f"Asia {i:02}") for i in range(12)]
    for p in rows:
        Objective.objects.create(partnership=p, goal=goal, title="Asia")
    bands = {p.pk: portfolio.Health(90 - i, "green") for i, p in enumerate(rows[:11])}
    bands[rows[11].pk] = portfolio.Health(20, "red")
    scores = Contributions(health_source=lambda ids: {i: bands[i] for i in ids if i in bands})
    with added(scores):
        page = as_coo.get(reverse("partnerships:goals")).text
    card = page[page.index(f'id="goal-{goal.pk}"') :]
    assert "12 partnerships" in card and "11 healthy" in card and "1 unhealthy" in card
    assert card.index("Asia 11") < card.index("Asia 10")  # the weakest first
    assert "Asia 00" not in card.split("</section>")[0]  # the healthiest is past the first ten
    assert "2 more partnerships serve this goal" in card
    assert f'href="{reverse("partnerships:list")}?goal={goal.pk}"' in card
    filtered = as_coo.get(reverse("partnerships:list"), {"goal": goal.pk}).text
    assert filtered.count("Asia ") >= 12


def test_a_goal_reads_the_status_of_the_objectives_it_lists_only(as_coo, monkeypatch):
    """A partnership serving two goals lists under each only that goal's objectives, each with
    its status; the objectives of partnerships past the first ten are not read whole."""
    from partnerships import goal_views

    shown = []
    show = goal_views.show_objectives
    monkeypatch.setattr(
        goal_views, "show_objectives", lambda objectives: shown.extend(show(objectives))
    )
    grow, keep = make_goal("Grow in Asia"), make_goal("Keep costs down")
    rows = [make_partnership(title=f"Asia {i:02}") for i in range(12)]
    for p in rows:
        Objective.objects.create(partnership=p, goal=grow, title=f"Launch {p.title}")
    Objective.objects.create(
        partnership=rows[0],
        goal=keep,
        title="Share a warehouse",
        status_set_by_hand=True,
        status=Objective.Status.AT_RISK,
        status_reason="Lease unsigned",
    )
    page = as_coo.get(reverse("partnerships:goals")).text
    grow_card = page[page.index(f'id="goal-{grow.pk}"') :].split("</section>")[0]
    keep_card = page[page.index(f'id="goal-{keep.pk}"') :].split("</section>")[0]
    assert "Share a warehouse" in keep_card and "At risk" in keep_card
    assert "Launch Asia 00" not in keep_card and "Share a warehouse" not in grow_card
    assert grow_card.count("Not started") == 10 and "2 more partnerships" in grow_card
    assert sorted(o.title for o in shown) == sorted(
        ["Share a warehouse"] + [f"Launch Asia {i:02}" for i in range(10)]
    )


def test_goals_page_empty_states(as_coo):
    assert "No strategic goals yet." in as_coo.get(reverse("partnerships:goals")).text
    goal = make_goal("Unserved")
    card = as_coo.get(reverse("partnerships:goals")).text
    card = card[card.index(f'id="goal-{goal.pk}"') :].split("</section>")[0]
    assert "No partnership serves this goal yet." in card
    assert "partnerships</strong>" not in card and "more partnership" not in card


def test_the_agreement_in_force_is_the_one_source_of_value_and_dates(as_manager, partnership):
    from partnerships.models import Agreement
    from partnerships.services import agreement_amend

    Partnership.objects.filter(pk=partnership.pk).update(
        estimated_annual_value=Decimal("640000"), start_date=date(2026, 1, 1), end_date=None
    )
    page = as_manager.get(partnership.get_absolute_url()).text
    assert '640,000 EUR <span class="muted">(estimate)</span>' in page
    listed = as_manager.get(reverse("partnerships:list")).text
    estimate = '640,000 EUR <span class="muted" title="Estimate: no agreement yet">est.</span>'
    assert estimate in listed

    agreement = Agreement.objects.create(
        partnership=partnership,
        start_date=date(2026, 2, 1),
        end_date=date(2028, 1, 31),
        value=Decimal("700000"),
    )
    agreement_amend(
        agreement=agreement, changes={"value": Decimal("736000")}, by=None, reason="Scope grew"
    )
    page = as_manager.get(partnership.get_absolute_url()).text
    assert '736,000 EUR <span class="muted">(agreement)</span>' in page
    assert "640,000" not in page
    assert '1 Feb 2026 → 31 Jan 2028 <span class="muted">(agreement)</span>' in page
    listed = as_manager.get(reverse("partnerships:list")).text
    assert "736,000" in listed and "640,000" not in listed
    exported = as_manager.get(reverse("partnerships:export", args=["csv"]))
    body = b"".join(exported.streaming_content if exported.streaming else [exported.content])
    assert b"736000" in body and b"640000" not in body


def test_every_section_is_one_click_away_and_addressable(as_manager, partnership):
    import re

    page = as_manager.get(partnership.get_absolute_url()).text
    nav = page[
        page.index('<nav class="section-nav"') : page.index("</nav>", page.index("section-nav"))
    ]
    anchors = re.findall(r'href="#([a-z0-9-]+)"', nav)
    assert {"objectives", "agreement", "interactions", "stage", "overview"} <= set(anchors)
    assert any(a.startswith("panel-") for a in anchors)
    for anchor in anchors:
        assert f'id="{anchor}"' in page, anchor
