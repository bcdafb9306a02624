"""The digest opens with a KPI scorecard: every followed partnership worst first, every active
KPI against target, standing off-track ones included; its subject names the worst one."""

import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.utils.html import escape

from digests.building import build_digest, render_digest
from kpis import digest, scorecard
from kpis.snapshots import recompute
from partnerships.models import Stage
from tests.factories import make_partnership
from tests.kpis.conftest import make_kpi, measure
from tests.kpis.test_digest_sections import (
    MONDAY,
    at,
    bounds,
    falls_off_track,
    pipeline_kpi,
    schedule,
    steady,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def standing(manager):
    """Swedish channel programme: deal registrations off track since September, typed in
    before the week (no status change in it); Nordic fulfilment network: steady."""
    swedish = make_partnership(title="Swedish channel programme", stage=Stage.ACTIVE, owner=manager)
    registrations = make_kpi(
        swedish,
        name="Deal registrations",
        target=Decimal("100"),
        warning=Decimal("90"),
        critical=Decimal("80"),
    )
    webinars = make_kpi(
        swedish,
        name="Joint webinars",
        target=Decimal("4"),
        warning=Decimal("3"),
        critical=Decimal("2"),
    )
    with time_machine.travel(at(date(2026, 11, 3)), tick=False):
        for month, value in ((8, 120), (9, 60), (10, 55), (11, 50)):
            measure(registrations, date(2026, month, 1), value)
        measure(webinars, date(2026, 11, 1), 5)
        recompute(partnership_ids=[swedish.pk])
    with time_machine.travel(at(date(2026, 11, 18)), tick=False):
        recompute(partnership_ids=[swedish.pk])
    nordic = make_partnership(title="Nordic fulfilment network", stage=Stage.ACTIVE, owner=manager)
    steady(nordic, pipeline_kpi(nordic))
    return {"swedish": swedish, "nordic": nordic, "ids": [swedish.pk, nordic.pk]}


def _digest(user):
    with time_machine.travel(at(MONDAY, 7), tick=False):
        content = build_digest(user, schedule())
        return content, render_digest(content)


def test_a_kpi_off_track_for_months_is_listed_as_still_off_track(standing, coo):
    # No status changed this week: the old digest said nothing about it.
    changes = digest.kpi_status_changes(coo, standing["ids"], *bounds())
    assert changes is None or "Deal registrations" not in str(changes.items)

    content, email = _digest(coo)
    scorecard = content.news[0]
    assert scorecard.title == "Scorecard"
    worst, healthy = scorecard.cards
    assert (worst.title, healthy.title) == (
        "Swedish channel programme",
        "Nordic fulfilment network",
    )
    registrations, webinars = worst.items
    assert (registrations.text, registrations.badge) == ("Deal registrations", "Off track")
    assert registrations.meta == ("50 against 100 · Nov 2026 · still off track since Sep 2026")
    assert registrations.trend == [120.0, 60.0, 55.0, 50.0]
    assert (webinars.text, webinars.badge) == ("Joint webinars", "On track")
    assert "still off track since Sep 2026" in email.text
    assert "still off track since Sep 2026" in email.html


def test_the_subject_names_the_worst_partnership(standing, coo):
    content, email = _digest(coo)
    worst = content.news[0].cards[0]
    assert re.fullmatch(
        rf"Swedish channel programme {worst.score}( [↓↑])?, 1 KPI off track — week 47",
        email.subject,
    )


def test_the_plain_text_carries_the_same_facts_as_the_html(standing, coo):
    content, email = _digest(coo)
    facts = ["Covers 16–22 Nov 2026 (week 47)", "Sent Mondays at 07:00 (America/Los_Angeles)"]
    for card in content.news[0].cards:
        facts += [card.title, card.sub, f"Health {card.score}", card.change]
        facts += card.changes
        for item in card.items:
            facts += [item.text, item.badge, item.meta]
    for section in content.news + content.summary:
        assert section.title.upper() in email.text and section.title in email.html
        for item in section.items:
            facts += [item.text, item.meta]
    for fact in filter(None, facts):
        assert fact in email.text, fact
        assert escape(fact) in email.html, fact


def test_worst_first_by_band_then_score(standing, coo):
    content, _ = _digest(coo)
    cards = content.news[0].cards
    keys = [({"red": 0, "amber": 1, "green": 2}[c.severity], int(c.score)) for c in cards]
    assert keys == sorted(keys)


def test_the_digest_opens_with_the_state_of_everything_followed(standing, coo):
    content, email = _digest(coo)
    lead = content.news[0].lead
    assert re.fullmatch(r"Of the 2 open partnerships you follow, .+; 1 KPI is off track\.", lead)
    assert email.text.split("\n\n")[1] == lead
    assert escape(lead) in email.html
    assert "Here is what changed" not in email.text


def test_a_change_on_a_card_is_not_said_again_below_it(manager, coo):
    falling = make_partnership(title="Cloud co-sell alliance", stage=Stage.ACTIVE, owner=manager)
    falls_off_track(falling, pipeline_kpi(falling))
    calm = make_partnership(title="Nordic fulfilment network", stage=Stage.ACTIVE, owner=manager)
    steady(calm, pipeline_kpi(calm))
    content, email = _digest(coo)
    card = next(c for c in content.news[0].cards if c.title == falling.title)
    assert "Joint pipeline value: On track → Off track" in card.changes
    assert [s.title for s in content.news].count("KPIs that changed status") == 0
    assert email.text.count("On track → Off track") == 1
    # A card without changes says nothing about the week rather than "no change".
    assert email.text.count("This week:") == 1
    assert "no change in health band or KPI status" not in email.html


def test_changes_beyond_the_cards_still_have_their_section(standing, manager, coo, monkeypatch):
    monkeypatch.setattr(scorecard, "MAX_CARDS", 1)
    falling = make_partnership(title="Cloud co-sell alliance", stage=Stage.ACTIVE, owner=manager)
    for name in ("Deals co-sold", "Joint revenue", "Leads passed"):
        steady(falling, pipeline_kpi(falling, name=name))  # healthier than Swedish
    falls_off_track(falling, pipeline_kpi(falling))
    content, email = _digest(coo)
    (card,) = content.news[0].cards
    assert card.title == "Swedish channel programme"
    changed = {s.title: s for s in content.news}["KPIs that changed status"]
    assert changed.intro.startswith("KPIs of partnerships beyond the scorecard")
    assert [i.text for i in changed.items] == ["Joint pipeline value: On track → Off track"]
    assert email.text.count("On track → Off track") == 1
