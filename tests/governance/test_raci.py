import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from governance import services
from governance.models import RaciAssignment, RoleKind

from .conftest import make_contact, make_role


@pytest.fixture
def roles(partnership, manager, coo):
    return {
        "sponsor": make_role(partnership, RoleKind.EXECUTIVE_SPONSOR, user=coo),
        "owner": make_role(partnership, RoleKind.OWNER, user=manager),
        "principal": make_role(
            partnership, RoleKind.PARTNER_PRINCIPAL, contact=make_contact(partnership, "Ann Lee")
        ),
    }


def test_database_holds_one_accountable_per_area(partnership, roles):
    RaciAssignment.objects.create(
        partnership=partnership, role=roles["sponsor"], area="budget", letter="A"
    )
    RaciAssignment.objects.create(
        partnership=partnership, role=roles["owner"], area="scope", letter="A"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        RaciAssignment.objects.create(
            partnership=partnership, role=roles["owner"], area="budget", letter="A"
        )


def test_service_refuses_two_accountables_with_a_clear_message(partnership, roles):
    cells = {(roles["sponsor"].pk, "budget"): "A", (roles["owner"].pk, "budget"): "A"}
    with pytest.raises(ValidationError) as error:
        services.raci_set(partnership=partnership, cells=cells)
    assert error.value.messages == [
        "Only one role can be Accountable for budget changes: Clara Okafor (Executive sponsor) "
        "and Marco Rossi (Partnership owner) are both marked A."
    ]
    assert not RaciAssignment.objects.exists()


def test_service_replaces_the_matrix(partnership, roles):
    services.raci_set(
        partnership=partnership,
        cells={(roles["sponsor"].pk, "budget"): "A", (roles["owner"].pk, "budget"): "R"},
    )
    services.raci_set(
        partnership=partnership,
        cells={(roles["sponsor"].pk, "budget"): "", (roles["owner"].pk, "budget"): "A"},
    )
    assert list(RaciAssignment.objects.values_list("role__kind", "area", "letter")) == [
        ("owner", "budget", "A")
    ]


def test_service_refuses_roles_of_other_partnerships(partnership, roles, coo):
    from tests.factories import make_partnership

    other = make_role(make_partnership(), RoleKind.OWNER, user=coo)
    with pytest.raises(ValidationError):
        services.raci_set(partnership=partnership, cells={(other.pk, "budget"): "A"})


def _post_data(roles, **letters):
    data = {}
    for key, role in roles.items():
        for area in ("budget", "scope", "terms", "escalations", "renewal_exit"):
            data[f"raci-{role.pk}-{area}"] = letters.get(f"{key}_{area}", "")
    return data


def test_plain_form_post_saves_and_redirects(client, partnership, roles, manager):
    client.force_login(manager)
    url = reverse("governance:raci", kwargs={"pk": partnership.pk})
    response = client.post(url, _post_data(roles, sponsor_budget="A", owner_budget="R"))
    assert response.status_code == 302
    assert RaciAssignment.objects.count() == 2


def test_plain_form_post_shows_the_conflict(client, partnership, roles, manager):
    client.force_login(manager)
    url = reverse("governance:raci", kwargs={"pk": partnership.pk})
    response = client.post(url, _post_data(roles, sponsor_terms="A", principal_terms="A"))
    assert response.status_code == 422
    assert "Only one role can be Accountable for term changes" in response.text
    assert "raci-conflict" in response.text
    assert not RaciAssignment.objects.exists()


def test_htmx_edit_in_place_returns_the_matrix(client, partnership, roles, manager):
    client.force_login(manager)
    url = reverse("governance:raci", kwargs={"pk": partnership.pk})
    headers = {"HX-Request": "true"}
    ok = client.post(url, _post_data(roles, owner_scope="A"), headers=headers)
    assert ok.status_code == 200
    assert ok.text.lstrip().startswith(f'<div id="raci-{partnership.pk}">')
    assert "Saved." in ok.text
    clash = client.post(url, _post_data(roles, owner_scope="A", sponsor_scope="A"), headers=headers)
    # HTMX swaps only 2xx answers, so the error comes back as a 200 fragment.
    assert clash.status_code == 200
    assert "Only one role can be Accountable for scope changes" in clash.text
    assert list(RaciAssignment.objects.values_list("area", "letter")) == [("scope", "A")]


def test_viewer_sees_the_matrix_read_only(client, partnership, roles, viewer):
    services.raci_set(partnership=partnership, cells={(roles["owner"].pk, "scope"): "A"})
    client.force_login(viewer)
    response = client.get(reverse("governance:governance", kwargs={"pk": partnership.pk}))
    assert "<select" not in response.text
    assert 'class="raci-letter raci-A">A<' in response.text


def test_escalation_step_is_unique_with_a_clear_error(client, partnership, roles, manager):
    roles["owner"].escalation_step = 1
    roles["owner"].save()
    client.force_login(manager)
    url = reverse(
        "governance:role_edit", kwargs={"pk": partnership.pk, "role_pk": roles["sponsor"].pk}
    )
    response = client.post(
        url, {"kind": "executive_sponsor", "user": roles["sponsor"].user_id, "escalation_step": 1}
    )
    assert response.status_code == 422
    assert "Step 1 of the escalation path is already Marco Rossi" in response.text


def test_escalation_path_is_shown_in_order(client, partnership, roles, manager):
    for step, key in enumerate(["owner", "principal", "sponsor"], start=1):
        roles[key].escalation_step = step
        roles[key].save()
    client.force_login(manager)
    response = client.get(
        reverse("governance:governance", kwargs={"pk": partnership.pk}),
        headers={"HX-Request": "true"},
    )
    text = response.text
    path = text[text.index('class="escalation"') :]
    assert path.index("Marco Rossi") < path.index("Ann Lee") < path.index("Clara Okafor")


def test_role_form_checks_the_side(client, partnership, manager):
    client.force_login(manager)
    url = reverse("governance:role_create", kwargs={"pk": partnership.pk})
    contact = make_contact(partnership)
    response = client.post(url, {"kind": "executive_sponsor", "contact": contact.pk})
    assert response.status_code == 422
    assert "The executive sponsor is someone on our side." in response.text
    response = client.post(url, {"kind": "owner", "user": manager.pk, "contact": contact.pk})
    assert "not both or neither" in response.text
    response = client.post(
        url,
        {"kind": "owner", "user": manager.pk, "decision_rights": ["scope", "budget"]},
    )
    assert response.status_code == 302
    role = partnership.governance_roles.get()
    assert role.level == "strategic"
    assert sorted(role.decision_rights) == ["budget", "scope"]
