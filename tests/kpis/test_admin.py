from datetime import date

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from kpis import models
from kpis.snapshots import recompute

from .conftest import make_kpi, measure


@pytest.mark.parametrize(
    "model",
    [m for m in admin.site._registry if m._meta.app_label == "kpis"],
    ids=lambda m: m.__name__,
)
def test_every_kpi_model_has_a_working_admin(admin_client, partnership, model):
    kpi = make_kpi(partnership)
    measure(kpi, date(2024, 1, 1), 10)
    recompute([kpi.pk], today=date(2024, 2, 2))
    opts = model._meta
    response = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert response.status_code == 200
    obj = model.objects.first()
    if obj is not None:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert admin_client.get(url).status_code == 200


def test_all_models_are_registered():
    registered = {m for m in admin.site._registry if m._meta.app_label == "kpis"}
    concrete = set(apps.get_app_config("kpis").get_models())
    assert concrete == registered


def test_snapshots_are_read_only_in_the_admin(admin_client, partnership):
    kpi = make_kpi(partnership)
    measure(kpi, date(2024, 1, 1), 10)
    recompute([kpi.pk], today=date(2024, 2, 2))
    snapshot = models.Snapshot.objects.filter(kpi=kpi).first()
    url = reverse("admin:kpis_snapshot_change", args=[snapshot.pk])
    response = admin_client.post(url, {"value": "999", "status": "on_track"})
    assert response.status_code == 403
    snapshot.refresh_from_db()
    assert snapshot.value == 10
    assert admin_client.get(reverse("admin:kpis_snapshot_add")).status_code == 403
