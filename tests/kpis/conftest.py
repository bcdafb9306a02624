"""Builders for KPI tests."""

import itertools
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from kpis.models import Kpi, KpiVersion, Measurement
from tests.factories import make_objective

_seq = itertools.count(1)


def make_kpi(partnership, **fields):
    """A KPI with its first version, created far enough back to cover test periods."""
    objective = fields.pop("objective", None) or make_objective(partnership)
    defaults = {
        "name": f"KPI {next(_seq)}",
        "unit": "count",
        "direction": "higher",
        "target": Decimal("100"),
        "warning": Decimal("90"),
        "critical": Decimal("80"),
        "frequency": "monthly",
        "aggregation": "sum",
        "created_at": timezone.make_aware(datetime(2024, 1, 1)),
    }
    defaults.update(fields)
    kpi = Kpi.objects.create(partnership=partnership, objective=objective, **defaults)
    KpiVersion.objects.create(
        kpi=kpi,
        number=1,
        effective_from=None,
        direction=kpi.direction,
        target=kpi.target,
        warning=kpi.warning,
        critical=kpi.critical,
        baseline=kpi.baseline,
        definition=kpi.definition(),
    )
    return kpi


def measure(kpi, period, value, grain=None, **fields):
    return Measurement.objects.create(
        kpi=kpi,
        period=period,
        grain=grain or kpi.frequency,
        value=Decimal(str(value)),
        **fields,
    )


def months(year, first, values):
    """[(date, value)] for consecutive months starting at (year, first)."""
    out = []
    for i, value in enumerate(values):
        m = first - 1 + i
        out.append((date(year + m // 12, m % 12 + 1, 1), value))
    return out


@pytest.fixture
def frozen():
    """Freeze time at a moment (aware or naive in the current zone); use as a context."""

    def freeze(moment):
        if isinstance(moment, date) and not isinstance(moment, datetime):
            moment = datetime(moment.year, moment.month, moment.day, 12)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return time_machine.travel(moment, tick=False)

    return freeze
