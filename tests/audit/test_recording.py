"""Each change is recorded once, with who made it and through what: a page, an import, the
admin, a task, a bulk update, raw SQL, and an API request that names its user late."""

from datetime import date

import pghistory
import pytest
from celery import shared_task
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from audit.context import set_actor
from audit.middleware import AuditMiddleware
from kpis.models import Measurement, MeasurementImport
from partnerships.models import Objective, StrategicGoal
from tests.factories import make_goal, make_objective
from tests.kpis.test_imports import csv_bytes, upload

from .conftest import events_of, make_kpi, measure

TODAY = date(2024, 6, 15)


def test_a_change_made_on_a_page_is_recorded_once_with_its_user(client, partnership, manager):
    goal = make_goal("Innovate in AI")
    client.force_login(manager)
    url = reverse("partnerships:objective_create", args=[partnership.pk])
    data = {"title": "Win 5", "goal": goal.pk, "side": "partner", "status": "on_track"}
    assert client.post(url, {**data, "progress": "40"}).status_code == 302
    objective = Objective.objects.get()
    [created] = events_of("partnerships.Objective", objective.pk)
    assert (created.pgh_label, created.user_id, created.source) == ("insert", manager.pk, "page")
    assert created.pgh_data["title"] == "Win 5" and created.pgh_context["url"] == url

    edit = reverse("partnerships:objective_edit", args=[partnership.pk, objective.pk])
    assert client.post(edit, {**data, "progress": "60"}).status_code == 302
    [_, changed] = events_of("partnerships.Objective", objective.pk)
    assert (changed.pgh_label, changed.user_id, changed.source) == ("update", manager.pk, "page")
    assert changed.pgh_diff == {"progress": [40, 60]}


def test_an_applied_import_is_recorded_as_the_import_of_its_uploader(
    client, partnership, manager, frozen
):
    kpi = make_kpi(partnership, name="Revenue", unit="currency")
    kept = measure(kpi, date(2024, 1, 1), 10)
    client.force_login(manager)
    with frozen(TODAY):
        upload(client, csv_bytes([f"{kpi.pk},2024-01-01,12,", f"{kpi.pk},2024-02-01,5,"]))
        batch = MeasurementImport.objects.get()
        client.post(reverse("kpis:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == "done"
    added = Measurement.objects.exclude(pk=kept.pk).get()
    [corrected] = events_of("kpis.Measurement", kept.pk, pgh_label="update")
    [created] = events_of("kpis.Measurement", added.pk)
    for event in (corrected, created):
        assert (event.user_id, event.source) == (manager.pk, "import")
    assert corrected.pgh_diff["value"] == [10.0, 12.0]
    # The upload's own page views are pages; only the apply is the import.
    assert len(events_of("kpis.Measurement", source="import")) == 2


def test_an_import_applied_by_a_worker_is_the_import_of_its_uploader(
    client, partnership, manager, frozen, settings, django_capture_on_commit_callbacks
):
    kpi = make_kpi(partnership, frequency="weekly")
    settings.KPI_IMPORT_ASYNC_ROWS = 3
    rows = [f"{kpi.pk},{date.fromisocalendar(2023, w, 1)},{w}," for w in range(1, 6)]
    client.force_login(manager)
    with frozen(TODAY):
        with django_capture_on_commit_callbacks(execute=True):
            upload(client, csv_bytes(rows))
        batch = MeasurementImport.objects.get()
        # The Celery task runs once the request is over, as a worker would.
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            client.post(reverse("kpis:import_confirm", args=[batch.pk]))
        for callback in callbacks:
            callback()
    batch.refresh_from_db()
    assert batch.state == "done" and batch.created_count == 5
    found = events_of("kpis.Measurement")
    assert len(found) == 5
    assert {(e.user_id, e.source, e.pgh_context["task"]) for e in found} == {
        (manager.pk, "import", "kpis.apply_import")
    }


def test_the_admin_is_recorded_as_the_admin(client, staff):
    goal = make_goal("Old title")
    client.force_login(staff)
    url = reverse("admin:partnerships_strategicgoal_change", args=[goal.pk])
    response = client.post(url, {"title": "New title", "description": "", "is_active": "on"})
    assert response.status_code == 302
    [_, changed] = events_of("partnerships.StrategicGoal", goal.pk)
    assert (changed.user_id, changed.source) == (staff.pk, "admin")
    assert changed.pgh_diff == {"title": ["Old title", "New title"]}


def test_a_bulk_update_and_raw_sql_are_recorded_once_per_row(partnership):
    first, second = make_objective(partnership), make_objective(partnership)
    Objective.objects.filter(pk__in=[first.pk, second.pk]).update(progress=70)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE partnerships_objective SET progress = 80 WHERE id = %s", [first.pk])
    updates = events_of("partnerships.Objective", first.pk, pgh_label="update")
    assert [e.pgh_diff["progress"][1] for e in updates] == [70, 80]
    assert len(events_of("partnerships.Objective", second.pk, pgh_label="update")) == 1
    # Outside a request or task: no one, through nothing (the shell).
    assert {(e.user_id, e.source, e.pgh_context_id) for e in updates} == {(None, None, None)}
    # Writing what is there already is not a change.
    Objective.objects.filter(pk=second.pk).update(progress=70)
    assert len(events_of("partnerships.Objective", second.pk, pgh_label="update")) == 1


def test_a_delete_keeps_the_values_it_removed(partnership, manager):
    objective = make_objective(partnership, title="Short-lived")
    with pghistory.context(user=manager.pk, source="page"):
        objective.delete()
    [deleted] = events_of("partnerships.Objective", objective.pk, pgh_label="delete")
    assert deleted.pgh_data["title"] == "Short-lived"
    assert deleted.pgh_data["partnership_id"] == partnership.pk
    assert (deleted.user_id, deleted.source) == (manager.pk, "page")


@shared_task(name="tests.audit.rename_goal")
def rename_goal(pk, title):
    StrategicGoal.objects.filter(pk=pk).update(title=title)


def test_a_task_is_recorded_as_a_task(db):
    goal = make_goal("Before")
    rename_goal.delay(goal.pk, "After")
    [changed] = events_of("partnerships.StrategicGoal", goal.pk, pgh_label="update")
    assert (changed.user_id, changed.source) == (None, "task")
    assert changed.pgh_context["task"] == "tests.audit.rename_goal"


def test_set_actor_names_the_api_user_authenticated_after_the_middleware(db, manager):
    goal = make_goal("Through the API")

    def api_view(request):
        set_actor(manager)  # as a token authentication does, inside the view
        StrategicGoal.objects.filter(pk=goal.pk).update(title="Renamed by the API")
        return HttpResponse()

    request = RequestFactory().patch(f"/api/goals/{goal.pk}/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    AuditMiddleware(api_view)(request)
    [changed] = events_of("partnerships.StrategicGoal", goal.pk, pgh_label="update")
    assert (changed.user_id, changed.source) == (manager.pk, "api")


@pytest.mark.parametrize("path", ["/admin/x/", "/api/x/", "/partnerships/"])
def test_the_source_follows_the_path(path):
    from audit.middleware import source_of

    assert source_of(path) == {"/admin/x/": "admin", "/api/x/": "api"}.get(path, "page")


def test_a_bulk_write_through_the_api_is_recorded_as_the_api_of_the_tokens_owner(
    client, partnership, manager, frozen
):
    """The token is read inside DRF, after the middleware: the authentication names the user."""
    from api.models import Scope
    from tests.api.conftest import bearer, token_for

    kpi = make_kpi(partnership, name="Leads", frequency="monthly")
    kept = measure(kpi, date(2024, 1, 1), 10)
    secret = token_for(manager, (Scope.READ, Scope.WRITE_MEASUREMENTS))
    rows = [
        {"kpi_id": kpi.pk, "period": "2024-01-01", "value": 12},
        {"kpi_id": kpi.pk, "period": "2024-02-01", "value": 5},
    ]
    with frozen(TODAY):
        response = client.post(
            reverse("api:measurements"),
            data={"measurements": rows},
            content_type="application/json",
            **bearer(secret),
        )
    assert response.status_code == 201, response.content
    added = Measurement.objects.exclude(pk=kept.pk).get()
    [corrected] = events_of("kpis.Measurement", kept.pk, pgh_label="update")
    [created] = events_of("kpis.Measurement", added.pk)
    for event in (corrected, created):
        assert (event.user_id, event.source) == (manager.pk, "api")
    assert len(events_of("kpis.Measurement", source="api")) == 2
