import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.factories import make_user

from .conftest import make_obligation

MODELS = [m for m in admin.site._registry if m._meta.app_label == "contracts"]


def test_every_contracts_model_is_in_the_admin():
    assert set(MODELS) == set(apps.get_app_config("contracts").get_models())


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_admin_changelists_open(client, agreement, manager, model):
    make_obligation(agreement, manager)
    client.force_login(make_user("admin", is_staff=True, is_superuser=True))
    url = reverse(f"admin:contracts_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200
