import pytest
from django.contrib import admin
from django.urls import reverse

from governance.models import ChecklistTemplate

from .conftest import conclude_all, make_risk, start_checklist

GOVERNANCE_MODELS = [m for m in admin.site._registry if m._meta.app_label == "governance"]


def test_every_governance_model_is_in_the_admin():
    from django.apps import apps

    assert set(GOVERNANCE_MODELS) == set(apps.get_app_config("governance").get_models())


@pytest.fixture
def staff(db):
    from tests.factories import make_user

    return make_user("admin", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("model", GOVERNANCE_MODELS, ids=lambda m: m.__name__)
def test_admin_changelists_open(client, staff, partnership, manager, model):
    start_checklist(partnership, manager)
    make_risk(partnership, manager)
    client.force_login(staff)
    url = reverse(f"admin:governance_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200


def test_admin_edits_the_template(client, staff):
    client.force_login(staff)
    template = ChecklistTemplate.objects.get(is_default=True)
    url = reverse("admin:governance_checklisttemplate_change", args=[template.pk])
    assert client.get(url).status_code == 200


def test_signed_off_item_is_read_only_in_the_admin(client, staff, partnership, manager, coo):
    from governance import services

    checklist = start_checklist(partnership, manager)
    conclude_all(checklist, manager)
    services.checklist_sign_off(checklist=checklist, by=coo)
    item = checklist.items.first()
    client.force_login(staff)
    url = reverse("admin:governance_checklistitem_change", args=[item.pk])
    response = client.post(url, {"status": "failed", "question": "Changed"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == "passed"
