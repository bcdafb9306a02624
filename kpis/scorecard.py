"""The digest's first section: a KPI scorecard of the partnerships followed, worst first.

Each partnership's card gives its health and the week's move, then every active KPI's latest
result against its target with its last values, off-track ones first. A KPI off track before the
week and still off track is listed too, "still off track since" the first period of its run: a
digest that reported only changes left partnerships off track for months out of sight.

It reuses the readings the other KPI sections compute once per digest (``kpi_weeks``,
``health_change``) and adds one query: the recent snapshots of the KPIs on the cards listed.
"""

from collections import Counter, defaultdict
from datetime import timedelta
from typing import NamedTuple

from digests.facts import partnership_facts
from digests.sections import (
    PORTFOLIO,
    Card,
    Item,
    SectionData,
    memo,
    plural,
    see_all,
)
from partnerships.links import path_maker

from . import periods
from .digest import (
    BAND_LABEL,
    BAND_RANK,
    STATUS_RANK,
    STATUS_SEVERITY,
    TREND_POINTS,
    _signed,
    health_change,
    kpi_history,
    kpi_weeks,
    listed_changes,
)
from .models import Status
from .queries.digest_readings import LOOKBACK_DAYS
from .templatetags.kpis import format_value

# Cards listed in full (an executive follows hundreds; the rest are healthier and in the
# portfolio), and KPIs per card (the rest are summed up by status).
MAX_CARDS = 10
MAX_KPIS = 8


class Reading(NamedTuple):
    """A KPI's latest value by the end of the week, and how long it has been off track."""

    status: str
    value: object
    target: object
    unit: str
    period: str
    values: list  # its last TREND_POINTS values, oldest first
    off_since: str  # the period its current off-track run began ("" unless off track)


def _order_key(health, title):
    if health is None:
        return (1, 0, 0, title.casefold())
    return (0, -BAND_RANK[health["band"]], health["score"], title.casefold())


def _order(partnership_ids, week_start, week_end):
    """The partnerships with a card, worst first, and their KPI weeks; once per digest."""

    def compute():
        health = health_change(partnership_ids, week_start, week_end)
        by_partnership = defaultdict(list)
        for week in kpi_weeks(partnership_ids, week_start, week_end):
            by_partnership[week.partnership_id].append(week)
        carded = set(health) | set(by_partnership)
        facts = partnership_facts(sorted(carded))
        order = sorted(
            (pid for pid in carded if pid in facts),
            key=lambda pid: _order_key(health.get(pid), facts[pid].title),
        )
        return order, by_partnership

    return memo(("kpis.scorecard", frozenset(partnership_ids), week_start, week_end), compute)


def beyond_cards(builder, intro):
    """``builder``, a section of the week's changes, for the partnerships the scorecard has no
    card for: what changed on a card is said on the card, once."""

    def section(user, partnership_ids, week_start, week_end):
        shown = set(_order(partnership_ids, week_start, week_end)[0][:MAX_CARDS])
        rest = [pid for pid in partnership_ids if pid not in shown]
        data = builder(user, rest, week_start, week_end) if rest else None
        if data is not None and shown:
            data.intro = intro
        return data

    return section


def scorecard(user, partnership_ids, week_start, week_end):
    order, by_partnership = _order(partnership_ids, week_start, week_end)
    if not order:
        return None
    health = health_change(partnership_ids, week_start, week_end)
    facts = partnership_facts(order[:MAX_CARDS])
    shown = order[:MAX_CARDS]
    readings = _readings(
        [w.kpi_id for pid in shown for w in by_partnership[pid]],
        week_start,
        week_end,
        also=_listed_beyond(kpi_weeks(partnership_ids, week_start, week_end), shown),
    )
    detail = path_maker("partnerships:detail")
    cards = [
        _card(facts[pid], health.get(pid), by_partnership[pid], readings, detail(pid))
        for pid in shown
    ]
    omitted = len(order) - len(shown)
    return SectionData(
        title="Scorecard",
        intro=(
            "Each partnership you follow, the one needing most attention first: its health "
            "(0–100) and the week's move, then every active KPI's latest result against target."
        ),
        cards=cards,
        omitted=omitted,
        omitted_note=f"And {plural(omitted, 'healthier partnership')}, not listed here."
        if omitted
        else "",
        **see_all(PORTFOLIO, omitted > 0),
        partnership_ids={pid for pid, card in zip(shown, cards, strict=True) if card.changes},
        headline=_headline(cards[0], by_partnership[shown[0]], readings) if cards else "",
        lead=_lead(order, health, by_partnership),
    )


def _lead(order, health, by_partnership):
    """ "Of the 10 open partnerships you follow, 1 is unhealthy and 3 need attention; 7 KPIs are off
    track.": the state of everything followed, before any of the week's news."""
    bands = Counter(health[pid]["band"] for pid in order if pid in health)
    off = sum(w.after == Status.OFF_TRACK for pid in order for w in by_partnership[pid])
    worries = [
        f"{bands['red']} {'is' if bands['red'] == 1 else 'are'} unhealthy" if bands["red"] else "",
        f"{bands['amber']} {'needs' if bands['amber'] == 1 else 'need'} attention"
        if bands["amber"]
        else "",
    ]
    worries = [w for w in worries if w]
    state = " and ".join(worries) if worries else "all are healthy"
    if not health:
        state = "none has a health score yet"
    kpis = (
        f"{plural(off, 'KPI')} {'is' if off == 1 else 'are'} off track"
        if off
        else "no KPI is off track"
    )
    return f"Of the {plural(len(order), 'open partnership')} you follow, {state}; {kpis}."


def _headline(card, weeks, readings):
    """ "Swedish channel programme 36 ↓, 5 KPIs off track" for the worst card."""
    off = sum(1 for w in weeks if _status(w, readings) == Status.OFF_TRACK)
    arrow = ""  # the week's move, from the card's "−4 this week" / "+2 this week"
    if card.change.startswith("−"):
        arrow = " ↓"
    elif card.change.startswith("+"):
        arrow = " ↑"
    score = f" {card.score}{arrow}" if card.score else ""
    kpis = plural(off, "KPI") + " off track" if off else "no KPI off track"
    return f"{card.title}{score}, {kpis}"


def _status(week, readings):
    reading = readings.get(week.kpi_id)
    return reading.status if reading else Status.NO_DATA


def _card(facts, health, weeks, readings, link):
    ranked = sorted(
        weeks, key=lambda w: (-STATUS_RANK[_status(w, readings)], w.kpi_name.casefold())
    )
    changes = []
    card = Card(title=facts.title, link=link, sub=f"{facts.partner} · {facts.owner}")
    if health is not None:
        delta = health["score"] - health["before"]
        card.severity = health["band"]
        card.score = str(health["score"])
        was = f" (was {health['before']})"
        card.change = f"{_signed(delta)} this week{was}" if delta else "no change this week"
        # One month of health is no trend; a flat line says only that it has not moved.
        card.trend = health["trend"] if len(set(health["trend"])) > 1 else []
        if health["band"] != health["before_band"]:
            changes.append(
                f"Health {BAND_LABEL[health['before_band']]} → {BAND_LABEL[health['band']]}"
            )
    for week in ranked:
        if week.changed:
            was = Status(week.before).label if week.before else "no result"
            changes.append(f"{week.kpi_name}: {was} → {Status(week.after).label}")
    card.items = [_kpi_item(week, readings.get(week.kpi_id), link) for week in ranked[:MAX_KPIS]]
    card.changes = changes
    rest = ranked[MAX_KPIS:]
    if rest:
        card.omitted_note = f"And {plural(len(rest), 'more KPI')}, " + ", ".join(
            f"{n} {Status(s).label.lower()}" for s, n in _tally(rest, readings)
        )
    return card


def _tally(weeks, readings):
    counts = defaultdict(int)
    for week in weeks:
        counts[_status(week, readings)] += 1
    return sorted(counts.items(), key=lambda kv: -STATUS_RANK[kv[0]])


def _kpi_item(week, reading, link):
    if reading is None:
        return Item(
            text=week.kpi_name,
            link=link + "#panel-kpis",
            severity="grey",
            badge=Status.NO_DATA.label,
            meta="No value entered yet",
        )
    status = Status(reading.status)
    target = format_value(reading.target, reading.unit)
    meta = f"{format_value(reading.value, reading.unit)} against {target} · {reading.period}"
    if week.changed:
        was = Status(week.before).label.lower() if week.before else "no result"
        meta += f" · was {was} a week ago"
    elif reading.off_since:
        meta += f" · still off track since {reading.off_since}"
    return Item(
        text=week.kpi_name,
        link=link + "#panel-kpis",
        severity=STATUS_SEVERITY[status],
        badge=status.label,
        meta=meta,
        trend=reading.values if len(reading.values) > 1 else [],
        trend_label=f"last {len(reading.values)} values",
    )


def _readings(kpi_ids, week_start, week_end, also=()):
    """{kpi_id: Reading} from each KPI's snapshots with a value in the LOOKBACK_DAYS before the
    end of the week. The query (one, bounded by the cards listed) reads the KPIs ``also`` too:
    the KPI changes listed beyond the cards take their values from it."""
    if not kpi_ids:
        return {}
    until = week_end.date()
    history = kpi_history([*kpi_ids, *also], week_start, week_end)
    since = until - timedelta(days=LOOKBACK_DAYS)
    out = {}
    for kpi_id in kpi_ids:
        rows = [row[1:8] for row in history[kpi_id] if row.period >= since]
        if rows:
            out[kpi_id] = _reading(rows, until - timedelta(days=LOOKBACK_DAYS - 31))
    return out


def _listed_beyond(weeks, shown):
    """The KPIs whose changes the section beyond the cards lists."""
    shown = set(shown)
    return [w.kpi_id for w in listed_changes(w for w in weeks if w.partnership_id not in shown)[1]]


def _reading(snapshots, edge):
    _, period, value, status, target, frequency, unit = snapshots[-1]
    off_since = ""
    if status == Status.OFF_TRACK:
        start = len(snapshots) - 1
        while start > 0 and snapshots[start - 1][3] == Status.OFF_TRACK:
            start -= 1
        first = snapshots[start]
        off_since = periods.period_label(first[1], first[5])
        if start == 0 and first[1] < edge:  # the run may go back further than was read
            off_since = f"at least {off_since}"
    return Reading(
        status=status,
        value=value,
        target=target,
        unit=unit,
        period=periods.period_label(period, frequency),
        values=[float(row[2]) for row in snapshots[-TREND_POINTS:]],
        off_since=off_since,
    )
