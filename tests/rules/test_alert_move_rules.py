"""Which alert moves a recompute calls for (kpis/alerts.py ``transition`` and ``moves``):
plain values in, plain moves out, no database."""

from datetime import date
from decimal import Decimal

import pytest

from kpis.alerts import (
    DEACTIVATED,
    ESCALATE,
    IMPROVE,
    OPEN,
    RECOVERED,
    RESOLVE,
    Move,
    moves,
    transition,
)

ON, RISK, OFF, NONE = "on_track", "at_risk", "off_track", "no_data"
MARCH = date(2026, 3, 1)


@pytest.mark.parametrize(
    ("open_severity", "status", "move"),
    [
        (None, ON, None),
        (None, RISK, OPEN),
        (None, OFF, OPEN),
        (None, NONE, None),
        (None, None, None),
        (RISK, ON, RESOLVE),
        (RISK, RISK, None),
        (RISK, OFF, ESCALATE),
        (RISK, NONE, None),  # a missing value is neither a breach nor a recovery
        (OFF, ON, RESOLVE),
        (OFF, RISK, IMPROVE),
        (OFF, OFF, None),
        (OFF, NONE, None),
        (OFF, None, None),
    ],
)
def test_transition_table(open_severity, status, move):
    assert transition(open_severity, status) == move


def latest(status, *, partnership_id=7, period=MARCH, value=Decimal("42.5")):
    return {"status": status, "partnership_id": partnership_id, "period": period, "value": value}


def test_an_opening_carries_the_severity_period_and_value():
    result = moves(active_ids=[1], inactive_ids=[], latest={1: latest(OFF)}, open_alerts={})
    assert result == [
        Move(
            kpi_id=1,
            alert_id=None,
            move=OPEN,
            partnership_id=7,
            severity=OFF,
            period=MARCH,
            value=Decimal("42.5"),
            resolution="",
        )
    ]


def test_a_recovery_resolves_the_open_alert_saying_so():
    result = moves(
        active_ids=[1],
        inactive_ids=[],
        latest={1: latest(ON, value=Decimal("99"))},
        open_alerts={1: {"id": 30, "kpi_id": 1, "severity": RISK}},
    )
    assert result == [
        Move(
            kpi_id=1,
            alert_id=30,
            move=RESOLVE,
            partnership_id=7,
            severity="",
            period=MARCH,
            value=Decimal("99"),
            resolution=RECOVERED,
        )
    ]
    assert RECOVERED == "Back on track."


def test_escalation_and_improvement_keep_no_severity_or_resolution_of_their_own():
    result = moves(
        active_ids=[1, 2],
        inactive_ids=[],
        latest={1: latest(OFF), 2: latest(RISK, partnership_id=8)},
        open_alerts={
            1: {"id": 31, "kpi_id": 1, "severity": RISK},
            2: {"id": 32, "kpi_id": 2, "severity": OFF},
        },
    )
    assert result == [
        Move(1, 31, ESCALATE, 7, "", MARCH, Decimal("42.5"), ""),
        Move(2, 32, IMPROVE, 8, "", MARCH, Decimal("42.5"), ""),
    ]


def test_kpis_that_call_for_nothing_are_left_out():
    result = moves(
        active_ids=[1, 2, 3, 4],
        inactive_ids=[],
        latest={1: latest(ON), 2: latest(NONE), 4: latest(RISK)},
        open_alerts={
            4: {"id": 40, "kpi_id": 4, "severity": RISK},
            2: {"id": 20, "kpi_id": 2, "severity": OFF},
        },
    )
    # 1 on track without alert, 2 no data, 3 never computed, 4 unchanged.
    assert result == []


def test_a_deactivated_kpi_closes_its_open_alert_and_only_that():
    result = moves(
        active_ids=[],
        inactive_ids=[5, 6],
        latest={5: latest(OFF), 6: latest(OFF)},
        open_alerts={5: {"id": 50, "kpi_id": 5, "severity": OFF}},
    )
    assert result == [
        Move(
            kpi_id=5,
            alert_id=50,
            move=RESOLVE,
            partnership_id=None,
            severity="",
            period=None,
            value=None,
            resolution=DEACTIVATED,
        )
    ]
    assert DEACTIVATED == "The KPI was deactivated."


def test_moves_come_in_the_order_of_the_kpis_given_active_first():
    result = moves(
        active_ids=[3, 1],
        inactive_ids=[9],
        latest={1: latest(RISK), 3: latest(OFF)},
        open_alerts={9: {"id": 90, "kpi_id": 9, "severity": RISK}},
    )
    assert [(m.kpi_id, m.move, m.severity) for m in result] == [
        (3, OPEN, OFF),
        (1, OPEN, RISK),
        (9, RESOLVE, ""),
    ]


def test_an_inactive_kpi_is_not_read_as_active():
    result = moves(
        active_ids=[],
        inactive_ids=[5],
        latest={5: latest(OFF)},
        open_alerts={},
    )
    assert result == []


def test_a_kpi_calling_for_nothing_does_not_stop_the_ones_after_it():
    result = moves(
        active_ids=[1, 2, 3],
        inactive_ids=[],
        latest={1: latest(ON), 2: latest(OFF), 3: latest(NONE)},
        open_alerts={},
    )
    assert [(m.kpi_id, m.move) for m in result] == [(2, OPEN)]
