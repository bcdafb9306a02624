"""Pages: permissions of every view, HTMX fragments, the entry grid, bounded queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kpis import periods, services
from kpis.models import Alert, CorrectiveAction, Kpi, Measurement, Snapshot
from kpis.snapshots import recompute
from kpis.templatetags.kpis import period_label
from partnerships.models import Stage
from tests.factories import make_objective, make_partnership, make_user

from .conftest import make_kpi, measure, months


def recent_closed(n):
    """The first of the n closed months before the current one."""
    return periods.recent_periods("monthly", n + 1)[0]


@pytest.fixture
def world(partnership, manager):
    """A partnership (owner: manager; team: manager, viewer) with a KPI, an alert, an action."""
    partnership.stage = Stage.ACTIVE
    partnership.save()
    kpi = make_kpi(partnership, name="Joint revenue", unit="currency")
    first = recent_closed(3)
    for day, value in months(first.year, first.month, [100, 95, 70]):
        measure(kpi, day, value)
    recompute([kpi.pk])
    alert = Alert.objects.get(kpi=kpi)
    action = services.action_create(
        alert=alert,
        by=manager,
        description="Weekly pipeline review",
        owner=manager,
        due_date=timezone.localdate() + timedelta(days=10),
        checkpoint_days=[1],
        now=timezone.now() - timedelta(days=3),
    )
    return {
        "partnership": partnership,
        "kpi": kpi,
        "alert": alert,
        "action": action,
        "checkpoint": action.checkpoints.get(),
    }


def url(name, world, key=None):
    if key is None:
        return reverse(name)
    return reverse(name, args=[world[key].pk])


READS = [
    ("kpis:partnership_kpis", "partnership"),
    ("kpis:partnership_alerts", "partnership"),
    ("kpis:partnership_health", "partnership"),
    ("kpis:kpi_detail", "kpi"),
    ("kpis:alert_detail", "alert"),
]
EDIT_PAGES = [
    ("kpis:kpi_create", "partnership"),
    ("kpis:kpi_edit", "kpi"),
    ("kpis:measurement_create", "kpi"),
    ("kpis:action_create", "alert"),
    ("kpis:action_edit", "action"),
]


@pytest.mark.parametrize(("name", "key"), READS)
@pytest.mark.parametrize(
    ("who", "status"), [("coo", 200), ("manager", 200), ("viewer", 200), ("other_manager", 404)]
)
def test_read_pages(client, world, request, name, key, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(name, world, key)).status_code == status
    assert client.get(url(name, world, key), HTTP_HX_REQUEST="true").status_code == status


@pytest.mark.parametrize(("name", "key"), EDIT_PAGES)
@pytest.mark.parametrize(
    ("who", "status"), [("coo", 200), ("manager", 200), ("viewer", 403), ("other_manager", 404)]
)
def test_edit_pages(client, world, request, name, key, who, status):
    client.force_login(request.getfixturevalue(who))
    page = client.get(url(name, world, key))
    assert page.status_code == status
    # The form sent back with every field blank.
    blank = dict.fromkeys(page.context["form"].fields, "") if status == 200 else {"name": ""}
    before = editable_rows()
    response = client.post(url(name, world, key), blank)
    assert response.status_code == status
    if status == 200:  # it comes back with its errors
        assert response.context["form"].errors
    assert editable_rows() == before


def editable_rows():
    """What the edit pages write, to show that a refused or invalid form wrote nothing."""
    return (
        list(Kpi.objects.order_by("pk").values()),
        list(Measurement.objects.order_by("pk").values()),
        list(CorrectiveAction.objects.order_by("pk").values()),
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("coo", 302), ("manager", 302), ("viewer", 403), ("other_manager", 404)],
)
def test_record_checkpoint(client, world, request, who, status):
    client.force_login(request.getfixturevalue(who))
    response = client.post(url("kpis:checkpoint_record", world, "checkpoint"), {"note": "ok"})
    assert response.status_code == status
    world["checkpoint"].refresh_from_db()
    assert (world["checkpoint"].recorded_at is not None) == (status == 302)


@pytest.mark.parametrize(
    ("who", "status"),
    [("coo", 302), ("manager", 302), ("viewer", 403), ("other_manager", 404), ("teammate", 403)],
)
def test_acknowledge_is_for_executives_and_the_owner(client, world, request, who, status):
    if who == "teammate":
        user = make_user("teammate", "Partner manager")
        world["partnership"].team.add(user)
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.post(url("kpis:alert_acknowledge", world, "alert"), {"comment": "On it."})
    assert response.status_code == status
    world["alert"].refresh_from_db()
    assert (world["alert"].state == "acknowledged") == (status == 302)


def test_acknowledge_in_place_from_the_inbox(client, world, coo):
    client.force_login(coo)
    response = client.post(
        url("kpis:alert_acknowledge", world, "alert"), {"comment": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "Say what is being done" in response.text
    response = client.post(
        url("kpis:alert_acknowledge", world, "alert"),
        {"comment": "Partner agreed a plan."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response.text.strip().startswith("<tr") and "Acknowledged" in response.text
    assert "Partner agreed a plan." in response.text
    world["alert"].refresh_from_db()
    assert world["alert"].acknowledged_by == coo


def test_alert_page_shows_the_whole_loop(client, world, manager):
    services.alert_acknowledge(alert=world["alert"], by=manager, comment="Owner is on it.")
    client.force_login(manager)
    text = client.get(url("kpis:alert_detail", world, "alert")).text
    for fragment in [
        "Breach: off track",
        "Acknowledged",
        "Owner is on it.",
        "Corrective action agreed",
        "Weekly pipeline review",
        "+1 d",
    ]:
        assert fragment in text


@pytest.mark.parametrize(
    ("who", "status"), [("coo", 200), ("manager", 200), ("viewer", 200), ("other_manager", 200)]
)
def test_everyone_has_an_inbox_showing_what_they_may_see(client, world, request, who, status):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("kpis:alert_inbox"))
    assert response.status_code == status
    assert ("Joint revenue" in response.text) == (who != "other_manager")


def test_inbox_filters(client, world, coo):
    client.force_login(coo)
    inbox = reverse("kpis:alert_inbox")
    assert "Joint revenue" in client.get(inbox, {"severity": "off_track"}).text
    assert "Joint revenue" not in client.get(inbox, {"severity": "at_risk"}).text
    assert "Joint revenue" not in client.get(inbox, {"state": "resolved"}).text
    assert "Joint revenue" in client.get(inbox, {"q": "revenue"}).text
    response = client.get(inbox, {"state": "all"}, HTTP_HX_REQUEST="true")
    assert response.text.strip().startswith('<div id="results">')


@pytest.mark.parametrize(
    ("who", "status"), [("coo", 200), ("manager", 200), ("other_manager", 200), ("viewer", 403)]
)
def test_import_pages_are_for_managers_and_executives(client, db, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("kpis:import_start")).status_code == status
    assert client.get(reverse("kpis:import_template", args=["csv"])).status_code == status


# The entry grid ----------------------------------------------------------------------------


def cell_post(client, kpi, period, value, original="", **extra):
    day = period.isoformat()
    return client.post(
        reverse("kpis:entry_cell"),
        {"kpi": kpi.pk, "period": day, f"v-{kpi.pk}-{day}": value, f"o-{kpi.pk}-{day}": original},
        **extra,
    )


def test_grid_cell_saves_in_place_with_htmx(client, world, manager):
    kpi = world["kpi"]
    period = timezone.localdate().replace(day=1)
    client.force_login(manager)
    response = cell_post(client, kpi, period, "1 250,5", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.text.strip().startswith("<td") and "saved" in response.text
    assert Measurement.objects.get(kpi=kpi, period=period).value == Decimal("1250.5")
    response = cell_post(client, kpi, period, "1300", original="1250.5", HTTP_HX_REQUEST="true")
    assert "corrected" in response.text
    response = cell_post(client, kpi, period, "lots", original="1300", HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # HTMX swaps only 2xx: the error is in the cell
    assert "has-error" in response.text and "is not a number" in response.text
    assert 'value="lots"' in response.text
    future = (period + timedelta(days=40)).replace(day=1)
    response = cell_post(client, kpi, future, "5", HTTP_HX_REQUEST="true")
    assert "has not started yet" in response.text


@pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("other_manager", 404)])
def test_grid_cell_permissions(client, world, request, who, status):
    client.force_login(request.getfixturevalue(who))
    response = cell_post(client, world["kpi"], timezone.localdate().replace(day=1), "5")
    assert response.status_code == status
    assert not Measurement.objects.filter(value=5).exists()


def test_grid_works_with_a_plain_form_post(client, world, manager):
    kpi = world["kpi"]
    period = timezone.localdate().replace(day=1)
    previous = (period - timedelta(days=1)).replace(day=1)
    client.force_login(manager)
    page = client.get(reverse("kpis:entry_grid"))
    assert f'name="v-{kpi.pk}-{period.isoformat()}"' in page.text
    response = client.post(
        reverse("kpis:entry_grid"),
        {
            f"v-{kpi.pk}-{period.isoformat()}": "99",
            f"o-{kpi.pk}-{period.isoformat()}": "",
            f"v-{kpi.pk}-{previous.isoformat()}": "oops",
            f"o-{kpi.pk}-{previous.isoformat()}": "70",
        },
    )
    assert response.status_code == 422
    assert "1 value could not be saved" in response.text and "is not a number" in response.text
    assert Measurement.objects.get(kpi=kpi, period=period).value == 99
    response = client.post(
        reverse("kpis:entry_grid"),
        {f"v-{kpi.pk}-{previous.isoformat()}": "71", f"o-{kpi.pk}-{previous.isoformat()}": "70"},
        follow=True,
    )
    assert "1 value saved." in response.text
    assert Measurement.objects.get(kpi=kpi, period=previous).value == 71


def test_grid_for_viewers_and_strangers(client, world, viewer, other_manager):
    client.force_login(viewer)
    assert "Nothing to enter" in client.get(reverse("kpis:entry_grid")).text
    pid = world["partnership"].pk
    assert client.get(reverse("kpis:entry_grid"), {"partnership": pid}).status_code == 403
    period = recent_closed(1).isoformat()
    values = {"partnership": pid, f"v-{world['kpi'].pk}-{period}": "71"}
    before = editable_rows()
    assert client.post(reverse("kpis:entry_grid"), values).status_code == 403
    assert editable_rows() == before
    client.force_login(other_manager)
    assert client.get(reverse("kpis:entry_grid"), {"partnership": pid}).status_code == 404


# KPI forms -----------------------------------------------------------------------------------


def test_kpi_form_from_the_library_and_refusing_bad_thresholds(client, world, manager):
    from kpis.models import KpiTemplate

    template = KpiTemplate.objects.get(name="On-time delivery rate")
    client.force_login(manager)
    create = reverse("kpis:kpi_create", args=[world["partnership"].pk])
    page = client.get(create, {"template": template.pk})
    assert 'value="On-time delivery rate"' in page.text
    objective = make_objective(world["partnership"])
    data = {
        "name": "On-time delivery rate",
        "objective": objective.pk,
        "unit": "percent",
        "direction": "higher",
        "target": "95",
        "warning": "97",
        "critical": "85",
        "frequency": "monthly",
        "aggregation": "mean",
        "owner": manager.pk,
        "template": template.pk,
    }
    response = client.post(create, data)
    assert response.status_code == 200
    assert "cannot be above the target" in response.text
    data["warning"] = "90"
    response = client.post(create, data)
    kpi = Kpi.objects.get(name="On-time delivery rate")
    assert response.status_code == 302 and kpi.template == template
    edit = reverse("kpis:kpi_edit", args=[kpi.pk])
    response = client.post(edit, {**data, "target": "96", "is_active": "on"}, follow=True)
    assert "saved as version 2" in response.text
    assert kpi.versions.count() == 2


def test_record_a_value_form(client, world, manager):
    kpi = world["kpi"]
    client.force_login(manager)
    record = reverse("kpis:measurement_create", args=[kpi.pk])
    response = client.post(record, {"period": "2024-03-15", "value": "5"})
    assert "did you mean 2024-03-01" in response.text
    response = client.post(record, {"period": "2024-03", "value": "5", "note": "late"}, follow=True)
    assert "Value recorded." in response.text
    response = client.post(record, {"period": "2024-03-01", "value": "6"}, follow=True)
    assert "Value corrected" in response.text


# Fragments and query counts ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["kpis:partnership_kpis", "kpis:partnership_alerts", "kpis:partnership_health"]
)
def test_panels_return_a_fragment_for_htmx_and_a_page_otherwise(client, world, coo, name):
    client.force_login(coo)
    target = reverse(name, args=[world["partnership"].pk])
    fragment = client.get(target, HTTP_HX_REQUEST="true").text
    key = {
        "kpis:partnership_kpis": "kpis",
        "kpis:partnership_alerts": "alerts",
        "kpis:partnership_health": "health",
    }[name]
    assert fragment.strip().startswith(f'<div id="panel-{key}-body">')
    assert "<html" not in fragment
    page = client.get(target).text
    assert "<html" in page and f'id="panel-{key}-body"' in page


def _bulk(partnership, n):
    kpis = []
    for i in range(n):
        kpi = make_kpi(partnership, name=f"KPI {partnership.pk}-{i}")
        first = recent_closed(2)
        for day, value in months(first.year, first.month, [100, 70]):
            measure(kpi, day, value)
        kpis.append(kpi)
    recompute([k.pk for k in kpis])
    for alert in Alert.objects.filter(partnership=partnership):
        services.action_create(
            alert=alert,
            by=partnership.owner,
            description="Fix",
            owner=partnership.owner,
            due_date=timezone.localdate(),
        )
    return partnership


@pytest.mark.parametrize(
    "name",
    [
        "kpis:partnership_kpis",
        "kpis:partnership_alerts",
        "kpis:partnership_health",
        "kpis:alert_inbox",
        "kpis:entry_grid",
    ],
)
def test_pages_run_bounded_queries(client, coo, manager, name, django_assert_max_num_queries):
    small = _bulk(make_partnership(owner=manager), 3)
    large = _bulk(make_partnership(owner=manager), 30)
    small.team.add(manager)
    large.team.add(manager)
    client.force_login(manager)
    for partnership in (small, large):
        target = (
            reverse(name)
            if name in ("kpis:alert_inbox", "kpis:entry_grid")
            else reverse(name, args=[partnership.pk])
        )
        params = (
            {"partnership": partnership.pk}
            if name in ("kpis:alert_inbox", "kpis:entry_grid")
            else {}
        )
        with django_assert_max_num_queries(16):
            response = client.get(target, params)
        assert response.status_code == 200
    assert CorrectiveAction.objects.count() == 33


def test_bad_ids_in_query_strings_are_not_errors(client, world, manager):
    client.force_login(manager)
    pid = world["partnership"].pk
    assert client.get(reverse("kpis:entry_grid"), {"partnership": "abc"}).status_code == 404
    assert (
        client.get(reverse("kpis:import_template", args=["csv"]), {"partnership": "x"}).status_code
        == 200
    )
    assert client.get(reverse("kpis:kpi_create", args=[pid]), {"template": "x"}).status_code == 200


def test_only_the_uploader_cancels_an_import(client, world, manager, coo):
    from django.core.files.base import ContentFile

    from kpis.models import MeasurementImport

    batch = MeasurementImport.objects.create(
        uploaded_by=manager, original_name="m.csv", state="ready"
    )
    batch.file.save("m.csv", ContentFile(b"kpi_id,period,value\n"))
    client.force_login(coo)
    assert client.post(reverse("kpis:import_cancel", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.state == "ready"
    client.force_login(manager)
    assert client.post(reverse("kpis:import_cancel", args=[batch.pk])).status_code == 302
    batch.refresh_from_db()
    assert batch.state == "cancelled"


def test_inbox_queries_do_not_grow_with_the_portfolio(
    client, world, coo, django_assert_max_num_queries
):
    client.force_login(coo)
    inbox = reverse("kpis:alert_inbox")
    with django_assert_max_num_queries(8):
        small = client.get(inbox)
    for _ in range(30):  # each on its own partner: the filter lists "title — partner"
        make_partnership()
    with django_assert_max_num_queries(8):
        large = client.get(inbox)
    assert large.status_code == small.status_code == 200
    assert large.text.count("<option") == small.text.count("<option") + 30


def test_a_manager_of_many_partnerships_enters_them_a_page_at_a_time(
    client, world, manager, django_assert_max_num_queries
):
    kpis = [world["kpi"]]
    for i in range(6):
        partnership = make_partnership(title=f"Zeta {i}", owner=manager, stage=Stage.ACTIVE)
        kpis.append(make_kpi(partnership, name=f"Zeta KPI {i}"))
    client.force_login(manager)
    period = timezone.localdate().replace(day=1)
    with django_assert_max_num_queries(12):
        first = client.get(reverse("kpis:entry_grid"))
    names = [f'name="v-{k.pk}-{period.isoformat()}"' for k in kpis]
    assert sum(name in first.text for name in names) == 5
    assert "1–5 of 7 partnerships" in first.text and "Next →" in first.text

    second = client.get(reverse("kpis:entry_grid"), {"page": 2})
    on_second = [k for k, name in zip(kpis, names, strict=True) if name in second.text]
    assert len(on_second) == 2
    # Saving the second page keeps its partnerships and comes back to it.
    kpi = on_second[-1]
    response = client.post(
        reverse("kpis:entry_grid"),
        {
            "page": "2",
            f"v-{kpi.pk}-{period.isoformat()}": "42",
            f"o-{kpi.pk}-{period.isoformat()}": "",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("?page=2")
    assert Measurement.objects.get(kpi=kpi, period=period).value == 42


def test_alerts_show_the_latest_value_beside_the_one_that_opened_them(client, world, coo):
    alert, kpi = world["alert"], world["kpi"]
    later = alert.opened_period.replace(day=28) + timedelta(days=4)
    measure(kpi, later.replace(day=1), 85)
    recompute([kpi.pk])
    client.force_login(coo)
    inbox = client.get(reverse("kpis:alert_inbox")).text
    row = inbox[inbox.index(f'id="alert-{alert.pk}"') :]
    row = row[: row.index("</tr>")]
    opened = f"opened {period_label(alert.opened_period, kpi.frequency)} at "
    assert opened in row and "70" in row[row.index(opened) :]
    latest = f"latest {period_label(later.replace(day=1), kpi.frequency)}: "
    assert latest in row and "85" in row[row.index(latest) :]
    detail = client.get(reverse("kpis:alert_detail", args=[alert.pk])).text
    assert f"Latest: {period_label(later.replace(day=1), kpi.frequency)}, " in detail


def test_an_alert_on_its_latest_period_shows_one_value(client, world, coo):
    client.force_login(coo)
    Snapshot.objects.filter(kpi=world["kpi"], period__gt=world["alert"].opened_period).delete()
    Snapshot.objects.filter(kpi=world["kpi"], period=world["alert"].opened_period).update(
        is_latest=True
    )
    inbox = client.get(reverse("kpis:alert_inbox")).text
    assert "opened " in inbox
    assert "latest-value" not in inbox
