"""What KPIs add to the weekly digest, for a recipient in Los Angeles (week = their local week)."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from digests import services
from digests.building import build_digest, render_digest
from digests.schedule import schedule_for_week
from digests.sections import MAX_ITEMS
from kpis import digest
from kpis import services as kpi_services
from kpis.models import Alert, CorrectiveAction, Severity
from kpis.queries import digest_readings
from kpis.scorecard import MAX_CARDS
from kpis.snapshots import recompute
from outbox.services import deliver_due
from partnerships.models import Stage
from tests.digests.conftest import smtp  # noqa: F401 (a real SMTP server fixture)
from tests.digests.helpers import prefer
from tests.factories import make_partnership
from tests.kpis.conftest import make_kpi, measure

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
MONDAY = date(2026, 11, 23)  # the send day; the week is Mon 16 – Sun 22 Nov in Los Angeles


def at(day, hour=10):
    return datetime.combine(day, time(hour), tzinfo=LA)


def schedule(monday=MONDAY, tz="America/Los_Angeles"):
    return schedule_for_week(
        monday, weekday=0, send_time=time(7), tz=tz, last_active=monday, inactive_days=30
    )


def bounds(monday=MONDAY, tz="America/Los_Angeles"):
    return schedule(monday, tz).bounds()


def pipeline_kpi(partnership, name="Joint pipeline value"):
    return make_kpi(
        partnership,
        name=name,
        unit="currency",
        target=Decimal("100000"),
        warning=Decimal("90000"),
        critical=Decimal("80000"),
    )


def falls_off_track(partnership, kpi):
    """On track in September and October; November's value, typed in on Wed 18 Nov, is not."""
    with time_machine.travel(at(date(2026, 10, 20)), tick=False):
        measure(kpi, date(2026, 9, 1), 100000)
        recompute(partnership_ids=[partnership.pk])
    with time_machine.travel(at(date(2026, 11, 2)), tick=False):
        measure(kpi, date(2026, 10, 1), 95000)
        recompute(partnership_ids=[partnership.pk])
    with time_machine.travel(at(date(2026, 11, 18)), tick=False):
        measure(kpi, date(2026, 11, 1), 70000)
        recompute(partnership_ids=[partnership.pk])


def steady(partnership, kpi):
    with time_machine.travel(at(date(2026, 11, 2)), tick=False):
        measure(kpi, date(2026, 9, 1), 100000)
        measure(kpi, date(2026, 10, 1), 101000)
        recompute(partnership_ids=[partnership.pk])
    with time_machine.travel(at(date(2026, 11, 18)), tick=False):
        recompute(partnership_ids=[partnership.pk])


def alert(kpi, opened_at, severity=Severity.OFF_TRACK, **fields):
    return Alert.objects.create(
        kpi=kpi,
        partnership=kpi.partnership,
        severity=severity,
        peak_severity=severity,
        opened_at=opened_at,
        opened_period=date(2026, 10, 1),
        **fields,
    )


@pytest.fixture
def week(coo, manager):
    falling = make_partnership(title="Cloud co-sell alliance", stage=Stage.ACTIVE, owner=manager)
    falls_off_track(falling, pipeline_kpi(falling))
    calm = make_partnership(title="Nordic fulfilment network", stage=Stage.ACTIVE, owner=manager)
    steady(calm, pipeline_kpi(calm))
    watched = make_partnership(title="Swedish channel programme", stage=Stage.ACTIVE)
    # Sunday 22 Nov 19:00 in Los Angeles (already Monday in UTC): this week for them.
    late_sunday = alert(
        make_kpi(watched, name="Partner-sourced leads"), datetime(2026, 11, 23, 3, tzinfo=UTC)
    )
    # Sunday 15 Nov 21:00 in Los Angeles: the week before.
    alert(make_kpi(watched, name="Certified engineers"), datetime(2026, 11, 16, 5, tzinfo=UTC))
    escalated = alert(
        make_kpi(watched, name="Deal registrations"),
        at(date(2026, 11, 1)),
        escalated_at=at(date(2026, 11, 20)),
    )
    alert(
        make_kpi(watched, name="Joint webinars"),
        at(date(2026, 10, 5)),
        severity=Severity.AT_RISK,
        state=Alert.State.RESOLVED,
        resolved_at=at(date(2026, 11, 19)),
        resolution="Back on track.",
    )

    def action(description, due, state=CorrectiveAction.State.PLANNED):
        return CorrectiveAction.objects.create(
            alert=escalated,
            kpi=escalated.kpi,
            partnership=watched,
            description=description,
            owner=manager,
            due_date=due,
            state=state,
        )

    late = action("Weekly pipeline review with the partner's sales lead", date(2026, 11, 10))
    action("Refresh the deal registration guide", date(2026, 11, 1), CorrectiveAction.State.DONE)
    action("Train two more partner engineers", MONDAY)  # due today: not late yet
    return {
        "falling": falling,
        "calm": calm,
        "watched": watched,
        "late_sunday": late_sunday,
        "escalated": escalated,
        "late_action": late,
        "ids": [falling.pk, calm.pk, watched.pk],
    }


def test_health_band_change(week, coo):
    data = digest.health_bands(coo, week["ids"], *bounds())

    [item] = data.items
    falling = week["falling"]
    assert item.text == "Cloud co-sell alliance: Healthy → Needs attention"
    assert item.severity == "amber" and item.badge == "Worse"
    assert item.meta == "Score 50 of 100, −50 this week (was 100)"
    assert item.trend == [100, 50]  # October's score, then November's
    assert item.link == f"/partnerships/{falling.pk}/#panel-health"


def test_kpi_status_change(week, coo):
    data = digest.kpi_status_changes(coo, week["ids"], *bounds())

    [item] = data.items
    assert item.text == "Joint pipeline value: On track → Off track"
    assert item.severity == "red" and item.badge == "Off track"
    assert item.meta == "Cloud co-sell alliance · 70,000 against a target of 100,000 · Nov 2026"
    assert item.trend_label == "last 3 months"
    assert item.trend == [100000.0, 95000.0, 70000.0]
    assert item.link == f"/partnerships/{week['falling'].pk}/#panel-kpis"


def test_a_value_typed_in_the_week_before_is_not_news_this_week(week, coo):
    # The week of 23–29 Nov: November's value was already known when it began.
    assert digest.kpi_status_changes(coo, week["ids"], *bounds(date(2026, 11, 30))) is None


def test_a_late_value_for_a_closed_period_is_news_of_the_week_it_was_typed_in(coo, manager):
    late = make_partnership(title="Late figures", stage=Stage.ACTIVE, owner=manager)
    kpi = pipeline_kpi(late)
    with time_machine.travel(at(date(2026, 10, 2)), tick=False):
        measure(kpi, date(2026, 9, 1), 100000)
    with time_machine.travel(at(date(2026, 11, 18)), tick=False):
        measure(kpi, date(2026, 10, 1), 70000)  # October's figure, three weeks late
        recompute(partnership_ids=[late.pk])

    [item] = digest.kpi_status_changes(coo, [late.pk], *bounds()).items
    assert item.text == "Joint pipeline value: On track → Off track"
    assert "Oct 2026" in item.meta
    # November has no value yet: that is missing data for health, not a status change.
    assert digest.kpi_status_changes(coo, [late.pk], *bounds(date(2026, 11, 30))) is None


def test_alerts_follow_the_recipients_week(week, coo):
    data = digest.alerts_this_week(coo, week["ids"], *bounds())

    by_kpi = {item.text.split(" · ")[1]: item for item in data.items}
    assert set(by_kpi) == {
        "Joint pipeline value",  # opened by the recompute on Wednesday
        "Partner-sourced leads",  # Sunday evening in Los Angeles
        "Deal registrations",  # escalated
        "Joint webinars",  # resolved
    }
    assert by_kpi["Partner-sourced leads"].badge == "Opened"
    assert by_kpi["Partner-sourced leads"].meta.endswith("Opened Sun 22 Nov")
    assert by_kpi["Deal registrations"].badge == "Escalated"
    assert by_kpi["Deal registrations"].severity == "red"
    assert by_kpi["Joint webinars"].badge == "Resolved"
    assert by_kpi["Joint webinars"].severity == "green"
    assert "Back on track." in by_kpi["Joint webinars"].meta
    assert by_kpi["Deal registrations"].link == week["escalated"].get_absolute_url()
    assert data.more_link == "/kpis/alerts/"

    # For a London recipient the Sunday-evening alert falls on Monday, and the one opened on
    # Monday 16 Nov at 05:00 UTC is in their week.
    london = digest.alerts_this_week(coo, week["ids"], *bounds(tz="Europe/London"))
    names = {item.text.split(" · ")[1] for item in london.items}
    assert "Partner-sourced leads" not in names and "Certified engineers" in names


def test_overdue_corrective_actions(week, coo):
    data = digest.overdue_corrective_actions(coo, week["ids"], *bounds())

    [item] = data.items
    action = week["late_action"]
    assert (
        item.text
        == "Swedish channel programme: Weekly pipeline review with the partner's sales lead"
    )
    assert item.badge == "13 days late" and item.severity == "amber"
    assert item.meta == "Deal registrations · due Tue 10 Nov · Marco Rossi"
    assert item.link == f"/kpis/alerts/{action.alert_id}/#action-{action.pk}"


def test_health_and_week_columns(week):
    week_start, _ = bounds()
    columns = digest.health_columns(week["ids"], week_start)

    falling, calm = columns[week["falling"].pk], columns[week["calm"].pk]
    assert (falling["Health"].text, falling["Health"].severity) == ("50", "amber")
    assert (falling["Week"].text, falling["Week"].sub) == ("−50", "was 100")
    assert (calm["Health"].text, calm["Health"].severity) == ("100", "green")
    assert (calm["Week"].text, calm["Week"].sub) == ("0", "")
    assert week["watched"].pk not in columns  # never scored: the table shows a dash


def test_a_quiet_week_has_no_kpi_news(week, coo):
    args = (coo, week["ids"], *bounds(date(2026, 11, 30)))
    assert digest.health_bands(*args) is None
    assert digest.kpi_status_changes(*args) is None
    assert digest.alerts_this_week(*args) is None
    # Still overdue is still worth saying (and the one due on the 23rd has joined it).
    late = digest.overdue_corrective_actions(*args).items
    assert [item.badge for item in late] == ["20 days late", "7 days late"]


def test_nothing_at_all(coo, partnership):
    args = (coo, [partnership.pk], *bounds())
    assert digest.health_bands(*args) is None
    assert digest.kpi_status_changes(*args) is None
    assert digest.alerts_this_week(*args) is None
    assert digest.overdue_corrective_actions(*args).is_empty
    assert digest.health_columns([partnership.pk], bounds()[0]) == {}


def test_email_html_and_text_carry_the_kpi_news(week, coo, settings):
    settings.SITE_URL = "https://concord.example.com"
    with time_machine.travel(at(MONDAY, 7), tick=False):
        content = build_digest(coo, schedule())
        email = render_digest(content)

    titles = [s.title for s in content.news]
    # The health band and the KPI that changed are on the scorecard's card, said once there;
    # the sections of changes cover only partnerships without a card.
    assert titles[:3] == ["Scorecard", "Alerts", "Overdue corrective actions"]
    falling = week["falling"]
    for part in (email.text, email.html):
        changes = "Health Healthy → Needs attention; Joint pipeline value: On track → Off track"
        assert changes in part
        assert "70,000 against 100,000 · Nov 2026 · was on track a week ago" in part
        assert "Swedish channel programme · Deal registrations" in part
        assert "13 days late" in part
        assert f"https://concord.example.com/partnerships/{falling.pk}/" in part
        assert f"https://concord.example.com{week['escalated'].get_absolute_url()}" in part
    # The table's health columns, with a sparkline in the text part.
    assert "Health: 50 · Week: −50" in email.text
    assert "−50" in email.html and ">Health<" in email.html


def test_sent_through_a_real_smtp_server(week, coo, smtp):  # noqa: F811
    prefer(coo, time_zone="America/Los_Angeles")
    now = datetime(2026, 11, 23, 15, 5, tzinfo=UTC)  # Monday 07:05 in Los Angeles
    with time_machine.travel(now, tick=False):
        due = services.schedule_due_for(coo, now)
        record, _ = services.digest_record(user=coo, schedule=due)
        services.digest_queue(record.pk)
        deliver_due()

    # The week's alert emails went out through the outbox too: the digest is the one of them.
    [mail] = [m for m in smtp.to(coo.email) if m.subject.endswith("— week 47")]
    assert "Covers 16–22 Nov 2026 (week 47)" in mail.text
    for part in (mail.text, mail.html):
        assert "Healthy → Needs attention" in part
        assert "On track → Off track" in part
        assert "Partner-sourced leads" in part  # Sunday evening in Los Angeles
        assert "Certified engineers" not in part
        assert "Weekly pipeline review" in part


def _portfolio(n, owner):
    partnerships = [
        make_partnership(title=f"P {i:02d}", stage=Stage.ACTIVE, owner=owner) for i in range(n)
    ]
    ids = [p.pk for p in partnerships]
    kpis = [pipeline_kpi(p) for p in partnerships]
    with time_machine.travel(at(date(2026, 10, 20)), tick=False):
        for kpi in kpis:
            measure(kpi, date(2026, 9, 1), 100000)
            measure(kpi, date(2026, 10, 1), 100000)
        recompute(partnership_ids=ids)
    with time_machine.travel(at(date(2026, 11, 18)), tick=False):
        for kpi in kpis:
            measure(kpi, date(2026, 11, 1), 70000)
        recompute(partnership_ids=ids)
    for kpi in kpis:
        opened = Alert.objects.get(kpi=kpi)
        CorrectiveAction.objects.create(
            alert=opened,
            kpi=kpi,
            partnership=kpi.partnership,
            description="Pipeline review",
            owner=owner,
            due_date=date(2026, 11, 19),
        )
    return ids


@pytest.mark.parametrize("n", [3, 30, 70])
def test_the_kpi_sections_run_a_constant_number_of_queries(
    n, coo, manager, django_assert_max_num_queries
):
    ids = _portfolio(n, manager)
    coo = type(coo).objects.get(pk=coo.pk)
    # 15: the portal's health-check gaps section adds one query for all partnerships; 20: the
    # scorecard reads the recent values of the KPIs on its cards (one query) and "Needs you"
    # the recipient's own items (four: action items, corrective actions, conflicts to
    # resolve, KPI frequencies); 22: the integration plans' slipped milestones (one) and the
    # recipient's own milestones in "Needs you" (one); 25: contract obligations three more
    # (their dates coming up, the recipient's own, other people's overdue).
    with time_machine.travel(at(MONDAY, 7), tick=False), django_assert_max_num_queries(25):
        content = build_digest(coo, schedule())
        email = render_digest(content)
    sections = {s.title: s for s in content.news}
    for title in ("Alerts", "Overdue corrective actions"):
        assert len(sections[title].items) == min(n, MAX_ITEMS)
        assert sections[title].count == n
        assert sections[title].partnership_ids == set(ids)
    # What changed on a card is said there: these two cover the partnerships without one.
    assert len(sections["Scorecard"].cards) == min(n, MAX_CARDS)
    beyond = n - MAX_CARDS
    for title in ("Health band changed", "KPIs that changed status"):
        if beyond <= 0:
            assert title not in sections
            continue
        assert len(sections[title].items) == min(beyond, MAX_ITEMS)
        assert sections[title].count == beyond
        assert len(sections[title].partnership_ids) == beyond
    if beyond > MAX_ITEMS:
        assert f"And {beyond - MAX_ITEMS} more KPIs, not listed here." in email.text
    # Every partnership has as much news: the table lists them up to MAX_ITEMS, by title.
    [table] = content.summary
    assert len(table.table.rows) == min(n, MAX_ITEMS)
    assert table.omitted == max(n - MAX_ITEMS, 0)
    # Past MAX_ITEMS it keeps those with the most news: what changed on the scorecard's cards
    # (P 00 to P 09) is said once there, so the table leaves those out first.
    assert table.table.rows[-1][0].text == f"P {min(n, MAX_CARDS + MAX_ITEMS) - 1:02d}"
    if n > MAX_ITEMS:
        assert f"And {n - MAX_ITEMS} more alerts, not listed here." in email.text


def test_the_kpi_sections_take_the_same_queries_for_few_and_many(coo, manager):
    counts = []
    for n in (13, 47):  # more than the scorecard's cards, then 60 in all
        _portfolio(n, manager)
        user = type(coo).objects.get(pk=coo.pk)
        with (
            time_machine.travel(at(MONDAY, 7), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            content = build_digest(user, schedule())
            render_digest(content)
        counts.append(len(queries))
    assert content.partnership_count == 60
    assert counts[0] == counts[1]


def _varied_history():
    """KPIs of each frequency whose values were typed in on time, late, in the week, after it,
    never, or corrected, plus a weekly KPI turned monthly that keeps its weekly values."""
    owner = make_partnership(title="Varied history", stage=Stage.ACTIVE)
    second = make_partnership(title="Second partnership", stage=Stage.ACTIVE)
    kpis = {}

    def kpi(name, partnership=owner, **fields):
        kpis[name] = make_kpi(partnership, name=name, **fields)
        return kpis[name]

    def typed(day, *entries):
        with time_machine.travel(at(day), tick=False):
            for k, period, value, *grain in entries:
                measure(k, period, value, *grain)

    on_time, late, in_week = kpi("On time"), kpi("Late"), kpi("In the week")
    after_week, _ = kpi("After the week"), kpi("Never", second)
    old_only, corrected = kpi("Only an old value", second), kpi("Corrected")
    weekly, quarterly = kpi("Weekly", frequency="weekly"), kpi("Quarterly", frequency="quarterly")
    coarser = kpi("Weekly turned monthly", second, frequency="weekly")
    kpi("Switched off", is_active=False)
    typed(date(2026, 6, 3), (old_only, date(2026, 5, 1), 95), (quarterly, date(2026, 4, 1), 70))
    typed(
        date(2026, 10, 2),
        (on_time, date(2026, 9, 1), 100),
        (late, date(2026, 9, 1), 100),
        (in_week, date(2026, 9, 1), 85),
        (corrected, date(2026, 9, 1), 100),
        (quarterly, date(2026, 7, 1), 95),
        *[(coarser, date(2026, 9, 7) + timedelta(weeks=i), 20 + i, "weekly") for i in range(4)],
    )
    typed(
        date(2026, 11, 3),
        (on_time, date(2026, 10, 1), 75),
        (in_week, date(2026, 10, 1), 95),
        (corrected, date(2026, 10, 1), 100),
        *[(weekly, date(2026, 10, 5) + timedelta(weeks=i), 80 + 5 * i) for i in range(5)],
    )
    typed(
        date(2026, 11, 18),
        (late, date(2026, 10, 1), 70),
        (in_week, date(2026, 11, 1), 60),
        (weekly, date(2026, 11, 9), 70),
        (quarterly, date(2026, 10, 1), 85),
    )
    with time_machine.travel(at(date(2026, 11, 19)), tick=False):
        kpi_services.measurement_record(
            kpi=corrected, period=date(2026, 10, 1), value=Decimal("70"), by=None
        )
    typed(date(2026, 11, 25), (after_week, date(2026, 10, 1), 88), (weekly, date(2026, 11, 16), 99))
    coarser.frequency = "monthly"
    coarser.save(update_fields=["frequency"])
    with time_machine.travel(at(date(2026, 11, 26)), tick=False):
        recompute(partnership_ids=[owner.pk, second.pk])
    return [owner.pk, second.pk], kpis


@pytest.mark.parametrize(
    "monday",
    [date(2026, 11, 2), date(2026, 11, 16), MONDAY, date(2026, 11, 30), date(2027, 1, 4)],
)
def test_kpi_readings_in_sql_match_the_reference(monday, coo):
    ids, _kpis = _varied_history()
    week_start, week_end = bounds(monday)

    in_sql = digest_readings.kpi_weeks(ids, week_start, week_end)
    reference = digest_readings.kpi_weeks_reference(ids, week_start, week_end)

    assert sorted(in_sql) == sorted(reference)
    assert len(reference) == 10  # every active KPI with a snapshot in the window


def test_kpi_readings_look_back_past_the_recent_periods(coo):
    ids, kpis = _varied_history()
    weeks = {w.kpi_id: w for w in digest_readings.kpi_weeks(ids, *bounds())}

    def reading(name):
        w = weeks[kpis[name].pk]
        return w.scored, w.before, w.after

    # October's value was typed in during the week: September's is the one known at its start.
    assert reading("Late") == ("no_data", "on_track", "off_track")
    assert reading("Only an old value") == ("no_data", "on_track", "on_track")
    assert reading("Never") == ("no_data", None, None)
    assert reading("After the week")[1] is None
    assert reading("Weekly turned monthly")[2] is not None


def test_a_table_listing_some_partnerships_reuses_the_health_figures(coo, manager):
    news = _portfolio(3, manager)
    quiet = [make_partnership(title=f"Quiet {i:02d}", stage=Stage.ACTIVE) for i in range(35)]
    coo = type(coo).objects.get(pk=coo.pk)
    with (
        time_machine.travel(at(MONDAY, 7), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        content = build_digest(coo, schedule())
    [table] = content.summary
    assert [row[0].text for row in table.table.rows] == ["P 00", "P 01", "P 02"]
    assert table.omitted == len(quiet)
    assert [row[2].text for row in table.table.rows] == ["50"] * len(news)  # Health
    readings = [q for q in queries.captured_queries if "array_position(" in q["sql"]]
    assert len(readings) == 1
