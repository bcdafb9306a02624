"""The plan panel and its forms: who may do what, what a user is told, and query budgets."""

from datetime import timedelta

import pytest
from django.urls import reverse

from integration.models import Milestone, Rag, Workstream
from tests.clock import TODAY

from .conftest import make_milestone, make_workstream

HX = {"HX-Request": "true"}


def populate(partnership, owner, n):
    contact = partnership.partner.contacts.create(name="Ines Duarte")
    for _ in range(3):
        stream = make_workstream(partnership, partner_owner=contact, owner=owner)
        previous = None
        for i in range(n):
            previous = make_milestone(
                stream,
                owner if i % 2 else None,
                owner_contact=None if i % 2 else contact,
                due_date=TODAY + timedelta(days=i * 3 - 10),
                depends_on=[previous] if previous else [],
            )


@pytest.mark.parametrize("htmx", [True, False])
@pytest.mark.parametrize("rows", [3, 30])
def test_the_panel_runs_a_constant_number_of_queries(
    client, partnership, manager, rows, htmx, django_assert_max_num_queries
):
    populate(partnership, manager, rows)
    client.force_login(manager)
    url = reverse("integration:plan", kwargs={"pk": partnership.pk})
    with django_assert_max_num_queries(12):
        response = client.get(url, headers=HX if htmx else {})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and 'class="g-today"' in html
    # Drawn twice: labels beside the bars (wide screens) and above them (phones).
    assert html.count('class="g-m') == 2 * 3 * rows


@pytest.mark.parametrize(
    "name", ["workstream_create", "workstream_edit", "milestone_create", "milestone_edit", "done"]
)
def test_form_pages_run_a_constant_number_of_queries(
    client, partnership, manager, name, django_assert_max_num_queries
):
    populate(partnership, manager, 30)
    stream = Workstream.objects.filter(partnership=partnership).first()
    milestone = Milestone.objects.filter(workstream=stream).last()
    urls = {
        "workstream_create": ("integration:workstream_create", []),
        "workstream_edit": ("integration:workstream_edit", [stream.pk]),
        "milestone_create": ("integration:milestone_create", [stream.pk]),
        "milestone_edit": ("integration:milestone_edit", [milestone.pk]),
        "done": ("integration:milestone_done", [milestone.pk]),
    }
    route, args = urls[name]
    client.force_login(manager)
    with django_assert_max_num_queries(15):
        response = client.get(reverse(route, args=[partnership.pk, *args]))
    assert response.status_code == 200


def test_slipped_and_critical_milestones_are_marked(client, partnership, manager):
    stream = make_workstream(partnership, start_date=TODAY - timedelta(days=30))
    late = make_milestone(stream, manager, title="Late one", due_date=TODAY - timedelta(days=2))
    make_milestone(
        stream, manager, title="Next", due_date=TODAY + timedelta(days=20), depends_on=[late]
    )
    client.force_login(manager)
    html = client.get(reverse("integration:plan", args=[partnership.pk]), headers=HX).content
    html = html.decode()
    assert "is-slipped" in html and "Slipped · due" in html
    assert html.count("is-critical") == 2 * 2


def test_viewers_see_the_plan_but_change_nothing_and_outsiders_see_nothing(
    client, partnership, viewer, other_manager, manager
):
    stream = make_workstream(partnership)
    milestone = make_milestone(stream, manager)
    client.force_login(viewer)
    panel = client.get(reverse("integration:plan", args=[partnership.pk]), headers=HX)
    assert panel.status_code == 200 and "Mark done" not in panel.content.decode()
    for route, args in [
        ("integration:workstream_create", []),
        ("integration:milestone_create", [stream.pk]),
        ("integration:milestone_done", [milestone.pk]),
    ]:
        assert client.get(reverse(route, args=[partnership.pk, *args])).status_code == 403
    reopen = reverse("integration:milestone_reopen", args=[partnership.pk, milestone.pk])
    assert client.post(reopen).status_code == 403
    client.force_login(other_manager)
    assert client.get(reverse("integration:plan", args=[partnership.pk])).status_code == 404


def test_a_manager_builds_a_plan_through_the_forms(client, partnership, manager):
    client.force_login(manager)
    response = client.post(
        reverse("integration:workstream_create", args=[partnership.pk]),
        {"kind": "systems", "title": "Data", "start_date": TODAY, "rag": Rag.RED},
    )
    assert response.status_code == 422
    assert "Say why the workstream is amber or red." in response.content.decode()
    client.post(
        reverse("integration:workstream_create", args=[partnership.pk]),
        {"kind": "systems", "title": "Data", "start_date": TODAY, "rag": Rag.GREEN},
    )
    stream = Workstream.objects.get(partnership=partnership, title="Data")
    new = reverse("integration:milestone_create", args=[partnership.pk, stream.pk])
    due = TODAY + timedelta(days=10)
    client.post(new, {"title": "Spec", "due_date": due, "owner": manager.pk})
    spec = Milestone.objects.get(title="Spec")
    early = client.post(
        new, {"title": "Build", "due_date": TODAY, "owner": manager.pk, "depends_on": [spec.pk]}
    )
    assert early.status_code == 422 and "before “Spec”" in early.content.decode()
    nobody = client.post(new, {"title": "Build", "due_date": due})
    assert "Give the milestone one owner" in nobody.content.decode()
    client.post(
        new, {"title": "Build", "due_date": due, "owner": manager.pk, "depends_on": [spec.pk]}
    )
    build = Milestone.objects.get(title="Build")
    cycle = client.post(
        reverse("integration:milestone_edit", args=[partnership.pk, spec.pk]),
        {"title": "Spec", "due_date": due, "owner": manager.pk, "depends_on": [build.pk]},
    )
    assert cycle.status_code == 422 and "on itself" in cycle.content.decode()
    done = reverse("integration:milestone_done", args=[partnership.pk, build.pk])
    refused = client.post(done, {"done_on": TODAY})
    assert refused.status_code == 422 and "Give a reason" in refused.content.decode()
    assert (
        client.post(done, {"done_on": TODAY, "override_reason": "Built on a draft"}).status_code
        == 302
    )
    build.refresh_from_db()
    assert build.done_on == TODAY and build.override_reason == "Built on a draft"
    panel = client.get(reverse("integration:plan", args=[partnership.pk]), headers=HX)
    assert "Done before its dependencies: Built on a draft" in panel.content.decode()
