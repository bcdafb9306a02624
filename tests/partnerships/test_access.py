"""Visibility and edit rules for each role, through the real views."""

import pytest
from django.urls import reverse

from partnerships.models import Agreement, Interaction, Objective, Partnership, Stage, StageMove
from tests.factories import make_objective, make_partner, make_partnership


@pytest.fixture
def elsewhere(db, other_manager):
    """A partnership on another team."""
    p = make_partnership(partner=make_partner("Elsewhere Ltd"), title="Other team's deal")
    p.team.add(other_manager)
    return p


def test_visible_to_by_role(partnership, elsewhere, coo, manager, viewer, other_manager):
    assert set(Partnership.objects.visible_to(coo)) == {partnership, elsewhere}
    assert set(Partnership.objects.visible_to(manager)) == {partnership}
    assert set(Partnership.objects.visible_to(viewer)) == {partnership}
    assert set(Partnership.objects.visible_to(other_manager)) == {elsewhere}


def test_owner_sees_partnership_even_off_the_team(db, manager):
    p = make_partnership(owner=manager)
    assert list(Partnership.objects.visible_to(manager)) == [p]


def test_list_shows_only_visible_partnerships(client, partnership, elsewhere, manager):
    client.force_login(manager)
    page = client.get(reverse("partnerships:list")).text
    assert partnership.title in page
    assert elsewhere.title not in page


@pytest.mark.parametrize(
    "name",
    ["detail", "edit", "objective_create", "agreement", "interaction_create"],
)
def test_manager_gets_404_for_another_teams_partnership_by_url(client, elsewhere, manager, name):
    client.force_login(manager)
    url = reverse(f"partnerships:{name}", args=[elsewhere.pk])
    assert client.get(url).status_code == 404
    before = rows_of(elsewhere)
    assert client.post(url, A_WRITE).status_code == 404
    assert rows_of(elsewhere) == before


# What the edit, objective, agreement and interaction forms would write if they were allowed to.
A_WRITE = {
    "title": "Taken over",
    "type": "technology",
    "start_date": "2026-01-01",
    "kind": "meeting",
    "summary": "Written by someone not allowed to",
    "occurred_on": "2026-01-01",
}


def rows_of(partnership):
    """Everything those forms and the stage move could change on ``partnership``."""
    mine = {"partnership": partnership}
    return [
        list(model.objects.filter(**mine).order_by("pk").values())
        for model in (Objective, Agreement, Interaction, StageMove)
    ] + [list(Partnership.objects.filter(pk=partnership.pk).values())]


def test_move_on_another_teams_partnership_is_404(client, elsewhere, manager):
    client.force_login(manager)
    url = reverse("partnerships:move", args=[elsewhere.pk])
    assert client.post(url, {"to_stage": "due_diligence"}).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.stage == Stage.PROSPECT


@pytest.mark.parametrize("name", ["edit", "objective_create", "agreement", "interaction_create"])
def test_viewer_can_see_but_not_change(client, partnership, viewer, name):
    client.force_login(viewer)
    assert client.get(reverse("partnerships:detail", args=[partnership.pk])).status_code == 200
    url = reverse(f"partnerships:{name}", args=[partnership.pk])
    assert client.get(url).status_code == 403
    before = rows_of(partnership)
    assert client.post(url, A_WRITE).status_code == 403
    assert rows_of(partnership) == before


def test_viewer_cannot_move_stage(client, partnership, viewer):
    client.force_login(viewer)
    url = reverse("partnerships:move", args=[partnership.pk])
    before = rows_of(partnership)
    assert client.post(url, {"to_stage": "due_diligence"}).status_code == 403
    assert rows_of(partnership) == before


def test_viewer_sees_no_edit_controls(client, partnership, viewer):
    client.force_login(viewer)
    page = client.get(reverse("partnerships:detail", args=[partnership.pk])).text
    assert "Edit details" not in page
    assert "Move stage" not in page
    assert "+ Objective" not in page


def test_team_manager_edits_and_executive_edits_anything(
    client, partnership, elsewhere, manager, coo
):
    client.force_login(manager)
    assert client.get(reverse("partnerships:edit", args=[partnership.pk])).status_code == 200
    client.force_login(coo)
    assert client.get(reverse("partnerships:edit", args=[elsewhere.pk])).status_code == 200


def test_viewer_cannot_create_partnerships_or_partners(client, viewer):
    client.force_login(viewer)
    assert client.get(reverse("partnerships:create")).status_code == 403
    assert client.get(reverse("partnerships:partner_create")).status_code == 403


def test_partner_pages_follow_partnership_visibility(client, partnership, elsewhere, viewer):
    client.force_login(viewer)
    assert client.get(partnership.partner.get_absolute_url()).status_code == 200
    assert client.get(elsewhere.partner.get_absolute_url()).status_code == 404
    url = reverse("partnerships:partner_edit", args=[partnership.partner.pk])
    assert client.get(url).status_code == 403


def test_partner_page_lists_only_visible_partnerships(client, partnership, manager):
    hidden = make_partnership(partner=partnership.partner, title="Secret second deal")
    client.force_login(manager)
    page = client.get(partnership.partner.get_absolute_url()).text
    assert partnership.title in page and hidden.title not in page


def test_only_executives_set_goals(client, manager, coo):
    client.force_login(manager)
    assert client.get(reverse("partnerships:goal_create")).status_code == 403
    client.force_login(coo)
    assert client.get(reverse("partnerships:goal_create")).status_code == 200


def test_goal_page_shows_only_visible_objectives(client, partnership, elsewhere, manager):
    visible = make_objective(partnership, title="Visible objective")
    make_objective(elsewhere, goal=visible.goal, title="Hidden objective")
    client.force_login(manager)
    page = client.get(reverse("partnerships:goals")).text
    assert "Visible objective" in page and "Hidden objective" not in page


def test_anonymous_users_are_sent_to_login(client, partnership):
    response = client.get(reverse("partnerships:detail", args=[partnership.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
