"""The section registry other apps plug into, and the bounded cost of building a digest."""

import logging
import re
from contextlib import ExitStack
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from digests.building import build_digest, render_digest
from digests.builtin import TABLE_IN_FULL_UP_TO
from digests.facts import partnership_facts, remember
from digests.schedule import schedule_for_week
from digests.sections import (
    MAX_ITEMS,
    Cell,
    Item,
    SectionData,
    build_scope,
    ids_param,
    sections,
)
from digests.selectors import followed_facts
from partnerships.later import Later, Raw
from partnerships.models import Partnership, Stage
from partnerships.plugins import Contributions, DigestColumns, DigestSection, added
from tests.digests.helpers import agreement, aware, conflict, many_partnerships, stage_move

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 23)


def week_schedule(monday=MONDAY):
    return schedule_for_week(
        monday,
        weekday=0,
        send_time=time(7),
        tz="Europe/London",
        last_active=monday,
        inactive_days=30,
    )


@pytest.fixture
def registered():
    with ExitStack() as stack:

        def add(*args, **kwargs):
            section = DigestSection(*args, **kwargs)
            stack.enter_context(added(Contributions(digest_sections=[section])))

        yield add


def test_builtin_sections_in_order():
    keys = [s.key for s in sections() if s.key.startswith("partnerships.")]
    assert keys == [
        "partnerships.needs_you",
        "partnerships.stage_moves",
        "partnerships.conflicts",
        "partnerships.upcoming",
        "partnerships.table",
    ]
    assert [s.order for s in sections()] == sorted(s.order for s in sections())


def test_a_plugged_in_section_renders_without_template_changes(registered, coo, partnership):
    calls = []

    def health(user, partnership_ids, week_start, week_end):
        calls.append((user, list(partnership_ids), week_start, week_end))
        return SectionData(
            title="Health band changed",
            intro="Partnerships whose health moved to another band this week.",
            items=[
                Item(
                    text="Joint analytics offering: Healthy → At risk",
                    link=f"/partnerships/{partnership.pk}/#health",
                    severity="red",
                    badge="At risk",
                    meta="Score 58, down 14 points",
                    trend=[72, 70, 66, 58],
                    trend_label="health, last 4 weeks",
                )
            ],
            more_link="/kpis/",
        )

    registered("kpis.health_bands", "Health band changed", health, order=10)
    registered("kpis.nothing", "Nothing", lambda *args: None, order=11)
    registered("kpis.empty", "Empty", lambda *a: SectionData(title="Empty"), order=12)

    content = build_digest(coo, week_schedule())
    [(user, ids, start, end)] = calls
    assert user == coo and ids == [partnership.pk]
    assert start == datetime(2026, 11, 16, tzinfo=start.tzinfo) and str(start.tzinfo) == (
        "Europe/London"
    )
    assert end - start == timedelta(days=7)
    assert [s.title for s in content.news] == ["Health band changed"]  # first: lowest order

    email = render_digest(content)
    assert "Health band changed" in email.html and "HEALTH BAND CHANGED" in email.text
    assert "Partnerships whose health moved" in email.text
    assert "[At risk] Joint analytics offering: Healthy → At risk" in email.text
    assert "█▇▅▁ 58 (health, last 4 weeks)" in email.text
    assert f"https://concord.example.com/partnerships/{partnership.pk}/#health" in email.text
    assert "See all: https://concord.example.com/kpis/" in email.text
    # The trend as four bars of inline heights, the last one in the item's colour.
    bars = [int(h) for h in re.findall(r"width:7px;height:(\d+)px", email.html)]
    assert bars == [22, 20, 16, 9]
    assert "background-color:#d9534f" in email.html
    assert "Nothing" not in email.text and "EMPTY" not in email.text


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://concord.example.com"


def test_columns_hook_adds_health_to_the_partnership_table(coo, partnership):
    other = many_partnerships(1, owner=None, prefix="Other")[0]

    def health(partnership_ids, week_start):
        assert sorted(partnership_ids) == sorted([partnership.pk, other.pk])
        return {
            partnership.pk: {
                "Health": Cell("58", severity="red", trend=[72, 58]),
                "Change": "−14",
            }
        }

    with added(Contributions(digest_columns=[DigestColumns("test.health", health)])):
        email = render_digest(build_digest(coo, week_schedule()))
    assert "Joint analytics offering — Stage: Prospect · Health: 58 █▁ · Change: −14" in email.text
    assert "Other 00 — Stage: Active · Health: — · Change: —" in email.text
    assert ">Health</th>" in email.html and ">Change</th>" in email.html


def test_a_broken_section_is_skipped_and_logged(registered, coo, partnership, caplog):
    def broken(*args):
        raise RuntimeError("kpis bug")

    registered("kpis.broken", "Broken", broken, order=5)
    with caplog.at_level(logging.ERROR, logger="digests.building"):
        content = build_digest(coo, week_schedule())
    assert content.summary  # the rest of the digest is still built
    assert "Digest section kpis.broken failed" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_sections_that_can_wait_are_read_in_one_statement(registered, coo, partnership):
    """Sections returning a ``Later`` share one statement; a broken one is skipped and the
    others are read again one by one (outside a transaction, as the preview builds it: inside
    one, a failed statement fails the rest of it, as it did before)."""

    def titled(title, sql="SELECT title FROM partnerships_partnership"):
        def builder(user, partnership_ids, week_start, week_end):
            rows = Raw(sql, [], {})
            return Later(rows, lambda rows: SectionData(title=title, items=_items(rows)))

        return builder

    def _items(rows):
        return [Item(text=row["title"]) for row in rows]

    registered("test.first", "First", titled("First"), order=1)
    registered("test.second", "Second", titled("Second"), order=2)
    build_digest(coo, week_schedule())  # what is read once per process
    with CaptureQueriesContext(connection) as alone:
        build_digest(coo, week_schedule())
    registered("test.third", "Third", titled("Third"), order=3)
    with CaptureQueriesContext(connection) as more:
        content = build_digest(coo, week_schedule())
    assert len(more) == len(alone)  # one more section, no more queries
    assert [s.title for s in content.news][:3] == ["First", "Second", "Third"]
    assert content.news[0].items == [Item(text="Joint analytics offering")]

    registered("test.broken", "Broken", titled("Broken", "SELECT nonsense FROM nowhere"), order=4)
    content = build_digest(coo, week_schedule())
    assert [s.title for s in content.news][:3] == ["First", "Second", "Third"]
    assert "Broken" not in [s.title for s in content.news]


def _busy_portfolio(n, coo, prefix="P"):
    partnerships = many_partnerships(n, owner=coo, stage=Stage.NEGOTIATION, prefix=prefix)
    for i, p in enumerate(partnerships):
        stage_move(p, Stage.ACTIVE, aware(date(2026, 11, 17 + i % 5)), by=coo)
        conflict(p, date(2026, 10, 1 + i % 20))
        agreement(p, MONDAY + timedelta(days=40 + i % 20), notice_days=30)
    return partnerships


@pytest.mark.parametrize("n", [3, 30, 60])
def test_building_a_digest_runs_a_bounded_number_of_queries(n, coo, django_assert_max_num_queries):
    _busy_portfolio(n, coo)
    coo = type(coo).objects.get(pk=coo.pk)  # nothing cached on the user
    # With the kpis sections registered (no KPI data here; with KPIs, snapshots, alerts and
    # health see tests/kpis/test_digest_sections.py), and the portal's health-check gaps
    # section (one query for all partnerships), the integration plans' slipped milestones
    # (one), "Needs you" (five: the recipient's own action items, milestones, corrective
    # actions, conflicts to resolve and the frequencies of the KPIs they enter), and contract
    # obligations (three: their dates coming up, the recipient's own for "Needs you", and
    # other people's overdue ones).
    with django_assert_max_num_queries(22):
        content = build_digest(coo, week_schedule())
        email = render_digest(content)
    assert content.partnership_count == n
    assert [s.title for s in content.news] == [
        "Stage moves",
        "Conflicts",
        "Coming up in the next 30 days",
    ]
    moves, conflicts, coming = content.news
    assert all(len(section.items) == min(n, MAX_ITEMS) for section in (moves, coming))
    assert all(section.count == n for section in (moves, coming))
    assert email.text.count("→ Active") == min(n, MAX_ITEMS)
    # The same dispute in every partnership is one line.
    [line] = conflicts.items
    assert line.text == f"{n} open conflicts about lead ownership"


def test_a_few_partnerships_and_many_take_the_same_queries(coo):
    counts = []
    for n, prefix in ((3, "Few"), (57, "Many")):  # then 60 in all
        _busy_portfolio(n, coo, prefix=prefix)
        user = type(coo).objects.get(pk=coo.pk)
        with CaptureQueriesContext(connection) as queries:
            content = build_digest(user, week_schedule())
            render_digest(content)
        counts.append(len(queries))
    assert content.partnership_count == 60
    assert counts[0] == counts[1]


def test_a_long_section_lists_the_first_ones_and_says_how_many_more(coo):
    partnerships = many_partnerships(MAX_ITEMS + 3, owner=coo, stage=Stage.NEGOTIATION)
    for p in partnerships:
        stage_move(p, Stage.ACTIVE, aware(date(2026, 11, 18)), by=coo)

    content = build_digest(coo, week_schedule())
    email = render_digest(content)

    [moves] = content.news
    assert (len(moves.items), moves.omitted, moves.count) == (MAX_ITEMS, 3, MAX_ITEMS + 3)
    assert moves.partnership_ids == {p.pk for p in partnerships}
    assert email.subject.endswith(f": {MAX_ITEMS + 3} updates across {MAX_ITEMS + 3} partnerships")
    for part in (email.text, email.html):
        assert part.count("Negotiation → Active") == MAX_ITEMS
        assert "And 3 more stage moves, not listed here." in part
    assert "Open the portfolio: https://concord.example.com/partnerships/" in email.text
    assert f"Stage moves <strong>{MAX_ITEMS + 3}</strong>" in email.html


def _large_following(coo, n=TABLE_IN_FULL_UP_TO + 10):
    return many_partnerships(n, owner=coo, stage=Stage.ACTIVE, prefix="Quiet")


def test_a_large_following_lists_the_partnerships_with_news_and_counts_the_quiet_ones(coo):
    quiet = _large_following(coo)
    moved, disputed, dated = many_partnerships(3, owner=coo, stage=Stage.NEGOTIATION)
    stage_move(moved, Stage.ACTIVE, aware(date(2026, 11, 18)), by=coo)
    conflict(disputed, date(2026, 11, 19))
    agreement(dated, MONDAY + timedelta(days=90), notice_days=70)  # notice due in 20 days

    content = build_digest(coo, week_schedule())
    email = render_digest(content)

    [table] = content.summary
    assert [row[0].text for row in table.table.rows] == ["P 00", "P 01", "P 02"]
    assert table.omitted == len(quiet)
    note = f"{len(quiet)} partnerships you follow had nothing new this week and are not listed."
    for part in (email.text, email.html):
        assert note in part
        assert "Quiet 00" not in part and "Quiet 39" not in part
        assert "The ones with news this week." in part
    assert "Open the portfolio: https://concord.example.com/partnerships/" in email.text
    assert email.subject.endswith(f"3 updates across {len(quiet) + 3} partnerships")


def test_a_quiet_week_for_a_large_following_says_how_many_it_leaves_out(coo):
    quiet = _large_following(coo)

    content = build_digest(coo, week_schedule())
    email = render_digest(content)

    assert not content.news
    [table] = content.summary
    assert table.table is None and table.omitted == len(quiet)
    for part in (email.text, email.html):
        assert f"Nothing to report this week across the {len(quiet)} partnerships" in part
        assert f"{len(quiet)} partnerships you follow had nothing new this week" in part
    assert "<th" not in email.html


def test_up_to_thirty_the_table_lists_every_partnership_followed(coo):
    partnerships = many_partnerships(TABLE_IN_FULL_UP_TO, owner=coo, stage=Stage.NEGOTIATION)
    stage_move(partnerships[0], Stage.ACTIVE, aware(date(2026, 11, 18)), by=coo)

    content = build_digest(coo, week_schedule())

    [table] = content.summary
    assert len(table.table.rows) == TABLE_IN_FULL_UP_TO and not table.omitted


def test_a_section_that_does_not_say_which_partnerships_keeps_the_whole_table(registered, coo):
    partnerships = _large_following(coo)
    registered(
        "tests.news", "News", lambda *args: SectionData(title="News", items=[Item("Something")])
    )

    content = build_digest(coo, week_schedule())

    [table] = content.summary
    assert len(table.table.rows) == len(partnerships) and not table.omitted


def test_ids_param_filters_like_a_list(coo):
    partnerships = many_partnerships(3, owner=coo)
    wanted = [partnerships[0].pk, partnerships[2].pk]
    many = wanted + list(range(10**6, 10**6 + 150))  # past a hundred: one parameter
    found = Partnership.objects.filter(pk__in=ids_param(many)).values_list("pk", flat=True)
    assert sorted(found) == sorted(wanted)
    assert not Partnership.objects.filter(pk__in=ids_param([])).exists()
    assert ids_param(wanted) == wanted


def test_sections_share_the_facts_the_build_read_with_the_followed_partnerships(
    coo, django_assert_num_queries
):
    partnerships = many_partnerships(3, owner=coo, stage=Stage.NEGOTIATION)
    first = partnerships[0]
    # Outside a build each call reads what it is asked for; unknown ids are left out.
    with django_assert_num_queries(1):
        facts = partnership_facts([first.pk, 10**9])
    assert list(facts) == [first.pk]
    assert facts[first.pk].title == first.title and facts[first.pk].stage == Stage.NEGOTIATION
    assert facts[first.pk].owner == "Clara Okafor"
    with build_scope():
        remember(followed_facts(coo))
        with django_assert_num_queries(0):
            shared = partnership_facts([p.pk for p in partnerships])
    assert [f.pk for f in shared.values()] == [p.pk for p in partnerships]


def test_past_fifty_with_news_the_table_keeps_those_with_the_most(coo):
    partnerships = many_partnerships(MAX_ITEMS + 10, owner=coo, stage=Stage.NEGOTIATION)
    quiet = _large_following(coo, n=5)
    for p in partnerships:
        stage_move(p, Stage.ACTIVE, aware(date(2026, 11, 18)), by=coo)
    for p in partnerships[-3:]:  # news in two sections
        conflict(p, date(2026, 11, 19))

    content = build_digest(coo, week_schedule())
    email = render_digest(content)

    [table] = content.summary
    titles = [row[0].text for row in table.table.rows]
    assert titles == [f"P {i:02d}" for i in range(MAX_ITEMS - 3)] + ["P 57", "P 58", "P 59"]
    assert table.omitted == 10 + len(quiet)
    assert table.intro == f"The {MAX_ITEMS} with the most news this week, of 60 with news."
    note = "10 more partnerships with news and 5 quiet ones you follow are not listed."
    assert note in email.text and note in email.html
