"""Helpers for the audit trail's tests: the events of one object, as the pages read them."""

import pytest

from audit import queries
from tests.kpis.conftest import frozen, make_kpi, measure  # noqa: F401  (fixtures and builders)
from tests.portal.conftest import make_partner_user  # noqa: F401


def events_of(label, pk=None, **filters):
    """The events of the ``label`` model (of its row ``pk`` only, when given), oldest first."""
    found = queries.events(models=[label]).filter(**filters).order_by("pgh_id")
    if pk is not None:
        found = found.filter(pgh_obj_id=str(pk))
    return list(found)


@pytest.fixture
def staff(db):
    from tests.factories import make_user

    return make_user("admin", is_staff=True, is_superuser=True)
