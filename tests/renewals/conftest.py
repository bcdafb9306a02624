from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from governance.models import RoleKind
from kpis.snapshots import recompute
from partnerships.models import Agreement, Stage
from tests.governance.conftest import make_role
from tests.kpis.conftest import make_kpi, measure


@pytest.fixture
def renewing(partnership, manager, coo):
    """The team's partnership in Renewal, its agreement ending in 75 days with 90 days'
    notice, a sponsor and an owner, an objective and a KPI measured for a year."""
    today = timezone.localdate()
    partnership.stage = Stage.RENEWAL
    partnership.save(update_fields=["stage"])
    Agreement.objects.create(
        partnership=partnership,
        start_date=today - timedelta(days=700),
        end_date=today + timedelta(days=75),
        renewal_notice_days=90,
        value=Decimal("500000"),
    )
    make_role(partnership, RoleKind.EXECUTIVE_SPONSOR, user=coo)
    make_role(partnership, RoleKind.OWNER, user=manager)
    kpi = make_kpi(partnership, name="Joint pipeline", target=Decimal("100"))
    first = date(today.year - 1, today.month, 1)
    for n in range(12):
        month = date(first.year + (first.month - 1 + n) // 12, (first.month - 1 + n) % 12 + 1, 1)
        measure(kpi, month, 70 if n % 4 == 0 else 110)
    recompute(partnership_ids=[partnership.pk])
    return partnership
