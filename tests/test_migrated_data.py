"""A flush (the end of every transactional test, the start of a --reuse-db run) leaves the rows
the data migrations create, so no test depends on running before or after a transactional one."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from governance.models import ChecklistTemplate, TemplateItem
from kpis.models import KpiTemplate


def migrated_rows():
    return {
        "groups": sorted(Group.objects.values_list("name", flat=True)),
        "default templates": list(
            ChecklistTemplate.objects.filter(is_default=True).values_list("name", flat=True)
        ),
        "template items": TemplateItem.objects.count(),
        "KPI library": KpiTemplate.objects.count(),
    }


@pytest.mark.django_db(transaction=True)
def test_a_flush_brings_back_what_the_data_migrations_created():
    before = migrated_rows()
    assert before["groups"] == ["Executive", "Partner manager", "Partner user", "Viewer"]
    assert before["default templates"] and before["template items"] and before["KPI library"]
    ChecklistTemplate.objects.update(description="Edited by an admin")

    call_command("flush", interactive=False, verbosity=0)

    assert migrated_rows() == before
    assert not ChecklistTemplate.objects.filter(description="Edited by an admin").exists()
