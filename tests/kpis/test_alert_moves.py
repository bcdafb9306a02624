"""Every alert move at once, applied by the one-statement adapter and by its ORM reference: the
same alerts, events and notification recipients."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis import alerts
from kpis.models import Alert, AlertEvent, AlertNotification
from kpis.queries import alert_moves
from kpis.snapshots import recompute
from tests.factories import make_partnership, make_user

from .conftest import make_kpi, measure

JAN, FEB = date(2024, 1, 1), date(2024, 2, 1)


@pytest.fixture(params=["one statement", "orm"])
def path(request, monkeypatch):
    if request.param == "orm":
        monkeypatch.setattr(alerts, "apply_moves", alert_moves.apply_moves_reference)
    return request.param


@pytest.fixture
def recipients(partnership, coo):
    make_user("Zoe", "Executive")  # sorted before lower-case addresses, as Python sorts
    make_user("nomail", "Executive").__class__.objects.filter(username="nomail").update(email="")
    make_user("gone", "Executive", is_active=False)
    make_user("root", is_superuser=True)
    return ["Zoe@example.com", "coo@example.com", "manager@example.com", "root@example.com"]


def _events(new):
    return sorted(
        (e.alert.kpi.name, e.kind, e.severity, e.period, e.value, e.comment)
        for e in new.select_related("alert__kpi")
    )


def test_every_move_in_one_recompute(path, partnership, recipients, frozen):
    orphan = make_partnership(owner=make_user("left", "Partner manager", is_active=False))
    january = {"opens": 100, "escalates": 85, "improves": 70, "resolves": 85, "retires": 70}
    kpis = {name: make_kpi(partnership, name=name) for name in january}
    kpis["opens elsewhere"] = make_kpi(orphan, name="opens elsewhere")
    for name, value in january.items():
        measure(kpis[name], JAN, value)
    recompute([k.pk for k in kpis.values()], today=date(2024, 2, 3))
    assert Alert.objects.count() == 4

    february = {"opens": 85, "escalates": 70, "improves": 85, "resolves": 95}
    for name, value in february.items():
        measure(kpis[name], FEB, value)
    measure(kpis["opens elsewhere"], FEB, 60)
    kpis["retires"].is_active = False
    kpis["retires"].save()
    before = list(AlertEvent.objects.values_list("pk", flat=True))
    # On the day itself, as a recompute after a value is entered runs: health reads it live.
    with frozen(datetime(2024, 3, 3, 9)), CaptureQueriesContext(connection) as queries:
        result = recompute([k.pk for k in kpis.values()])
    if path == "one statement":
        # BEGIN, the KPIs, versions, measurements, what is stored, the upsert, the alert
        # moves with their events and notifications, the notifications read to render their
        # emails, the escalation paths, the earlier escalations of the escalating alert and
        # the executives (at the top of an empty path) to address them, the emails written to
        # the outbox, whether a webhook follows alerts (nothing more is read when none does),
        # COMMIT, then health read and written. The same however many alerts.
        assert len(queries) <= 16, "\n".join(q["sql"][:60] for q in queries.captured_queries)

    new = AlertEvent.objects.exclude(pk__in=before)
    assert _events(new) == [
        ("escalates", "escalated", "off_track", FEB, Decimal("70"), ""),
        ("improves", "improved", "at_risk", FEB, Decimal("85"), ""),
        ("opens", "opened", "at_risk", FEB, Decimal("85"), ""),
        ("opens elsewhere", "opened", "off_track", FEB, Decimal("60"), ""),
        ("resolves", "resolved", "", FEB, Decimal("95"), alerts.RECOVERED),
        ("retires", "resolved", "", None, None, alerts.DEACTIVATED),
    ]
    assert sorted(result.events) == sorted(new.values_list("pk", flat=True))
    state = {
        a.kpi.name: (a.state, a.severity, a.peak_severity, a.resolved_period, a.resolution)
        for a in Alert.objects.select_related("kpi")
    }
    assert state == {
        "opens": ("open", "at_risk", "at_risk", None, ""),
        "escalates": ("open", "off_track", "off_track", None, ""),
        "improves": ("open", "at_risk", "off_track", None, ""),
        "resolves": ("resolved", "at_risk", "at_risk", FEB, alerts.RECOVERED),
        "retires": ("resolved", "off_track", "off_track", None, alerts.DEACTIVATED),
        "opens elsewhere": ("open", "off_track", "off_track", None, ""),
    }
    assert Alert.objects.get(kpi=kpis["escalates"]).escalated_at is not None
    sent = {
        n.event.alert.kpi.name: (n.event.kind, n.recipients, n.state)
        for n in AlertNotification.objects.filter(event__in=new).select_related("event__alert__kpi")
    }
    executives = [r for r in recipients if r != "manager@example.com"]
    assert sent == {
        "opens": ("opened", recipients, "pending"),
        "escalates": ("escalated", recipients, "pending"),
        "opens elsewhere": ("opened", executives, "pending"),  # its owner has left
    }

    again = recompute([k.pk for k in kpis.values()], today=date(2024, 3, 3))
    assert again.events == []


def test_a_recompute_that_moves_nothing_reads_no_alert_twice(path, partnership):
    kpi = make_kpi(partnership)
    measure(kpi, JAN, 85)
    recompute([kpi.pk], today=date(2024, 2, 3))
    with CaptureQueriesContext(connection) as queries:
        assert recompute([kpi.pk], today=date(2024, 2, 3)).events == []
    reads = [q["sql"] for q in queries.captured_queries if "kpis_alert" in q["sql"]]
    assert len(reads) == 1
