"""A small company for the API tests: two partnerships of two teams, with KPIs measured over
several months (so snapshots and alerts exist), and a token per person."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group

from api import tokens
from api.models import Scope
from kpis.snapshots import recompute
from partnerships.roles import PARTNER_USER
from tests.clock import TODAY
from tests.factories import make_partnership, make_user
from tests.kpis.conftest import make_kpi, measure, months


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def token_for(user, scopes=(Scope.READ,), days=30, name="script"):
    _, secret = tokens.token_create(
        user=user, name=name, scopes=list(scopes), expires_on=TODAY + timedelta(days=days)
    )
    return secret


def measured_kpi(partnership, values, **fields):
    kpi = make_kpi(partnership, **fields)
    for period, value in months(2026, 1, values):
        measure(kpi, period, value)
    return kpi


@pytest.fixture
def company(db, coo, manager, other_manager, viewer, partnership):
    """``partnership`` (manager's team, viewer on it) and ``theirs`` (other_manager's)."""
    theirs = make_partnership(title="Channel expansion", owner=other_manager)
    theirs.team.add(other_manager)
    # Sales falls off track in the spring and stays there (an alert opens); leads stay on track.
    sales = measured_kpi(partnership, [120, 110, 70, 60, 65, 70], name="Sales")
    leads = measured_kpi(partnership, [100, 100, 100, 100, 100, 100], name="Leads")
    rival = measured_kpi(theirs, [50, 40, 30, 20, 10, 5], name="Rival revenue")
    recompute([sales.pk, leads.pk, rival.pk], today=date(2026, 7, 3), notify=False)
    return {"ours": partnership, "theirs": theirs, "sales": sales, "leads": leads, "rival": rival}


@pytest.fixture
def partner_user(db):
    user = make_user("hannah")
    user.groups.add(Group.objects.get_or_create(name=PARTNER_USER)[0])
    return user
