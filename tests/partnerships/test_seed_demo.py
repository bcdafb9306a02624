from django.apps import apps
from django.core.management import call_command

from partnerships.models import Partnership, Stage


def counts():
    # Every model of the project's apps, so seeders other apps register are covered too.
    return {
        model._meta.label: model.objects.count()
        for app in ("partnerships", "governance", "kpis", "digests")
        for model in apps.get_app_config(app).get_models()
    }


def test_seed_demo_is_idempotent_and_covers_every_stage(db, capsys):
    call_command("seed_demo")
    first = counts()
    output = capsys.readouterr().out
    assert "coo" in output and "manager" in output and "viewer" in output
    assert "concord-demo" in output

    call_command("seed_demo")
    assert counts() == first

    stages = set(Partnership.objects.values_list("stage", flat=True))
    assert stages == set(Stage.values)
    assert first["partnerships.Partner"] >= 12
    assert first["partnerships.StrategicGoal"] >= 4
    assert first["partnerships.Amendment"] >= 1
    assert first["partnerships.Interaction"] >= 50
    assert Partnership.objects.filter(objectives__side="partner").exists()
    assert Partnership.objects.filter(objectives__side="ours").exists()


def test_seeded_users_have_their_roles(db, client):
    call_command("seed_demo")
    from django.contrib.auth import get_user_model

    from partnerships.roles import is_executive, is_manager

    User = get_user_model()
    assert is_executive(User.objects.get(username="coo"))
    manager = User.objects.get(username="manager")
    assert is_manager(manager) and not is_executive(manager)
    viewer = User.objects.get(username="viewer")
    assert not is_manager(viewer) and not is_executive(viewer)
    visible = Partnership.objects.visible_to(manager).count()
    assert 0 < visible < Partnership.objects.count()
    assert client.login(username="viewer", password="concord-demo")
