"""Every model of the product's apps is followed or named as derived, with its triggers."""

from django.apps import apps
from django.db import connection

from audit import registry, tracked


def test_every_model_is_followed_or_left_out_with_a_reason():
    every = {
        model._meta.label
        for label in tracked.APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if not model._meta.proxy and model._meta.managed
    }
    followed = set(registry.event_models())
    assert every - set(tracked.DERIVED) <= followed
    assert set(tracked.DERIVED) <= every  # no stale name
    assert not set(tracked.DERIVED) & followed
    for label in ("auth.User", "auth.Group", "auth.User_groups", "auth.Group_permissions"):
        assert label in followed
    assert "partnerships.Partnership_team" in followed


def test_each_followed_table_has_its_three_triggers(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname LIKE 'pgtrigger_%%' AND NOT t.tgisinternal GROUP BY c.relname"
        )
        found = dict(cursor.fetchall())
    tables = {apps.get_model(label)._meta.db_table for label in registry.event_models()}
    assert found == dict.fromkeys(tables, 3)


def test_secrets_and_page_view_stamps_are_not_copied():
    user_events = registry.event_models()["auth.User"]
    columns = {f.column for f in user_events._meta.concrete_fields}
    assert "password" not in columns and "last_login" not in columns and "username" in columns
    preference_events = registry.event_models()["digests.DigestPreference"]
    assert "last_seen_on" not in {f.column for f in preference_events._meta.concrete_fields}


def test_a_partnership_history_reaches_deep_rows():
    scope = registry.scope("partnerships.Partnership")
    labels = {registry.followed_label(m._meta.label) for m in scope}
    for label in (
        "kpis.Measurement",
        "governance.Evidence",
        "contracts.DocumentVersion",
        "integration.Milestone",
        "integration.Milestone_depends_on",
        "partnerships.Partnership_team",
        "portal.ActionUpdate",
    ):
        assert label in labels, label
    assert "auth.User" not in labels and "partnerships.Partner" not in labels


def test_the_cheaper_trigger_functions_are_installed_and_answer_the_same(db):
    import pgtrigger

    from partnerships.models import StrategicGoal
    from tests.factories import make_goal

    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = '_pgh_attach_context'")
        assert "EXCEPTION" not in cursor.fetchone()[0]
        cursor.execute("SELECT _pgh_attach_context()")
        assert cursor.fetchone()[0] is None  # no context: an event with none
    goal = make_goal("Ignored")
    events = registry.event_models()["partnerships.StrategicGoal"].objects
    with pgtrigger.ignore("audit.PartnershipsStrategicGoal:update_update"):
        StrategicGoal.objects.filter(pk=goal.pk).update(title="Not recorded")
    assert not events.filter(pgh_obj_id=goal.pk, pgh_label="update").exists()
    StrategicGoal.objects.filter(pk=goal.pk).update(title="Recorded")
    assert events.filter(pgh_obj_id=goal.pk, pgh_label="update").count() == 1
