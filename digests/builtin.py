"""The digest sections built from the partnerships app alone. Each runs one or two queries."""

from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from partnerships.later import Later, deferrable, named
from partnerships.links import path_maker
from partnerships.models import Interaction, Stage, StageMove

from .dates import upcoming_dates
from .facts import partnership_facts
from .sections import (
    MAX_ITEMS,
    PORTFOLIO,
    Cell,
    Item,
    SectionData,
    Table,
    column_sources,
    ids_param,
    left_out,
    partnerships_with_news,
    per_partnerships,
    plural,
    see_all,
)

# Up to this many followed partnerships the table lists them all; past it, those with news this
# week, and says how many quiet ones it leaves out (an executive follows hundreds).
TABLE_IN_FULL_UP_TO = 30

STAGE_SEVERITY = {
    Stage.PROSPECT: "grey",
    Stage.DUE_DILIGENCE: "blue",
    Stage.NEGOTIATION: "blue",
    Stage.ACTIVE: "green",
    Stage.UNDER_REVIEW: "amber",
    Stage.RENEWAL: "amber",
    Stage.ENDED: "grey",
}


def _mover(move):
    """Who made a stage move, as ``User.get_full_name`` or the username says it; "—" for
    nobody."""
    if move.moved_by__username is None:
        return "—"
    full = f"{move.moved_by__first_name} {move.moved_by__last_name}".strip()
    return full or move.moved_by__username


def _day(value, today=None):
    year = f" {value.year}" if today is not None and value.year != today.year else ""
    return f"{value:%a} {value.day} {value:%b}{year}"


@deferrable
def stage_moves(user, partnership_ids, week_start, week_end):
    moves = (
        StageMove.objects.filter(
            partnership_id__in=ids_param(partnership_ids),
            moved_at__gte=week_start,
            moved_at__lt=week_end,
        )
        .order_by("moved_at", "pk")
        .values(*MOVE_FIELDS)
    )
    detail = path_maker("partnerships:detail")

    def section(moves):
        moves = named(moves)
        items = []
        for move in moves[:MAX_ITEMS]:
            to_stage = Stage(move.to_stage)
            moved_on = _day(move.moved_at.astimezone(week_start.tzinfo))
            meta = f"{move.partnership__partner__name} · {moved_on} by {_mover(move)}"
            if move.forced:
                meta += " · forced past unmet conditions"
            from_stage = Stage(move.from_stage).label
            items.append(
                Item(
                    text=f"{move.partnership__title}: {from_stage} → {to_stage.label}",
                    link=detail(move.partnership_id),
                    severity="amber" if move.forced else STAGE_SEVERITY[to_stage],
                    badge="Forced" if move.forced else to_stage.label,
                    meta=meta,
                )
            )
        return SectionData(
            title="Stage moves",
            items=items,
            **left_out(moves, "stage move", more=PORTFOLIO),
            partnership_ids={move.partnership_id for move in moves},
        )

    return Later(moves, section)


# What a stage move's line says.
MOVE_FIELDS = (
    "partnership_id",
    "partnership__title",
    "partnership__partner__name",
    "from_stage",
    "to_stage",
    "moved_at",
    "forced",
    "moved_by__first_name",
    "moved_by__last_name",
    "moved_by__username",
)


@deferrable
def conflicts(user, partnership_ids, week_start, week_end):
    """Conflicts still open, oldest first, and the ones resolved this week. Open ones about the
    same thing in several partnerships (the same subject, give or take case and punctuation)
    are one line: "9 open conflicts about lead ownership"."""
    start, end = week_start.date(), week_end.date()
    rows = (
        Interaction.objects.filter(partnership_id__in=ids_param(partnership_ids))
        .filter(kind=Interaction.Kind.CONFLICT)
        .filter(Q(resolved_on__isnull=True) | Q(resolved_on__gte=start, resolved_on__lt=end))
        .filter(occurred_on__lt=end)
        .order_by("resolved_on", "occurred_on", "pk")
        .values(*CONFLICT_FIELDS)
    )
    detail = path_maker("partnerships:detail")

    def section(rows):
        rows = named(rows)
        groups = {}
        for conflict in rows:
            key = (
                ("resolved", conflict.pk)
                if conflict.resolved_on
                else near_duplicate(conflict.subject)
            )
            groups.setdefault(key, []).append(conflict)
        entries = list(groups.values())
        items = [_conflict_item(group, start, end, detail) for group in entries[:MAX_ITEMS]]
        return SectionData(
            title="Conflicts",
            items=items,
            **left_out(entries, "conflict", more=PORTFOLIO),
            partnership_ids={conflict.partnership_id for conflict in rows},
        )

    return Later(rows, section)


# What a conflict's line says.
CONFLICT_FIELDS = (
    "pk",
    "partnership_id",
    "partnership__title",
    "subject",
    "summary",
    "occurred_on",
    "resolved_on",
    "resolution",
)


def near_duplicate(subject):
    """What tells conflicts apart: their subject without case, punctuation or extra spaces."""
    return " ".join("".join(c if c.isalnum() else " " for c in subject.casefold()).split())


TOPIC_PREFIXES = ("dispute over ", "dispute about ", "conflict over ", "conflict about ")


def _topic(subject):
    lowered = subject.casefold()
    for prefix in TOPIC_PREFIXES:
        if lowered.startswith(prefix):
            return subject[len(prefix) :]
    return f"“{subject}”"


def _conflict_item(group, start, end, detail):
    first = group[0]
    link = detail(first.partnership_id) + "#interactions"
    if first.resolved_on:
        return Item(
            text=f"{first.partnership__title}: {first.subject}",
            link=link,
            severity="green",
            badge="Resolved",
            meta=f"Resolved {_day(first.resolved_on, end)}: {first.resolution}",
        )
    days = (end - first.occurred_on).days
    new = first.occurred_on >= start
    severity = "amber" if new or days <= 30 else "red"
    if len(group) == 1:
        return Item(
            text=f"{first.partnership__title}: {first.subject}",
            link=link,
            severity=severity,
            badge="New" if new else f"Open {days} days",
            meta=f"Raised {_day(first.occurred_on, end)}"
            + (f" · {first.summary}" if first.summary else ""),
        )
    # Where they are, the most first: an executive sees which partnerships to ask about.
    counts = Counter(c.partnership__title for c in group)
    places = sorted(counts, key=lambda title: (-counts[title], title.casefold()))
    where = ", ".join(f"{title} ({counts[title]})" for title in places[:3])
    if len(places) > 3:
        where += f" and {len(places) - 3} more"
    one_place = len(places) == 1
    return Item(
        text=f"{len(group)} open conflicts about {_topic(first.subject)}",
        link=link if one_place else reverse(PORTFOLIO[0]) + "?conflicts=open",
        severity=severity,
        badge="New" if new else f"Oldest open {days} days",
        meta=f"In {where} · the oldest raised {_day(first.occurred_on, end)}",
    )


def upcoming(user, partnership_ids, week_start, week_end):
    today = week_end.date()
    horizon = settings.DIGEST_UPCOMING_DAYS
    until = today + timedelta(days=horizon)
    rows = per_partnerships(
        ("digests.upcoming", today, until),
        partnership_ids,
        lambda ids: upcoming_dates(today, until=until, partnership_ids=ids),
        lambda dates, ids: [row for row in dates if row.partnership_id in ids],
    )
    items = []
    for row in rows[:MAX_ITEMS]:
        days = (row.due_date - today).days
        when = "Today" if days == 0 else "Tomorrow" if days == 1 else f"In {days} days"
        items.append(
            Item(
                text=row.label,
                link=row.url,
                severity="red" if days <= 7 else "amber",
                badge=when,
                meta=f"{row.due_date:%A} {row.due_date.day} {row.due_date:%B %Y}",
            )
        )
    return SectionData(
        title=f"Coming up in the next {horizon} days",
        items=items,
        **left_out(rows, "date", more=PORTFOLIO),
        partnership_ids={row.partnership_id for row in rows},
    )


def followed_table(user, partnership_ids, week_start, week_end):
    listed = partnership_ids
    with_news = partnerships_with_news()
    if len(partnership_ids) > TABLE_IN_FULL_UP_TO and with_news is not None:
        listed = [pid for pid in partnership_ids if pid in with_news]
    quiet = len(partnership_ids) - len(listed)
    facts = partnership_facts(listed)

    def by_title(f):
        # As a reader sorts them, whatever the database's collation.
        return (f.title.casefold(), f.title, f.pk)

    chosen = list(facts.values())
    # A table is read, not searched: past MAX_ITEMS it keeps those most of the news is about.
    if len(chosen) > MAX_ITEMS:
        most_news = (lambda f: -with_news[f.pk]) if with_news is not None else (lambda f: 0)
        chosen = sorted(chosen, key=lambda f: (most_news(f), *by_title(f)))[:MAX_ITEMS]
    busy = len(facts) - len(chosen)
    partnerships = sorted(chosen, key=by_title)
    if not partnerships and not quiet:
        return None
    ids = [p.pk for p in partnerships]
    extra_labels, extra_values = [], {}
    for source in column_sources() if ids else []:
        values = source.fn(ids, week_start) or {}
        for pid, columns in values.items():
            for label, value in columns.items():
                if label not in extra_labels:
                    extra_labels.append(label)
                extra_values[(pid, label)] = value
    detail = path_maker("partnerships:detail")
    rows = []
    for p in partnerships:
        stage = Stage(p.stage)
        rows.append(
            [
                Cell(p.title, link=detail(p.pk), sub=f"{p.partner} · {p.owner}"),
                Cell(stage.label, severity=STAGE_SEVERITY[stage]),
                *[extra_values.get((p.pk, label), "—") for label in extra_labels],
            ]
        )
    return SectionData(
        title="Your partnerships",
        intro=_table_intro(len(rows), busy, quiet, with_news is not None),
        table=Table(columns=["Partnership", "Stage", *extra_labels], rows=rows) if rows else None,
        omitted=busy + quiet,
        omitted_note=_table_note(busy, quiet),
        **see_all(PORTFOLIO, busy or quiet),
    )


def _table_intro(listed, busy, quiet, ranked):
    if busy and ranked:
        return f"The {listed} with the most news this week, of {listed + busy:,} with news."
    if busy:
        return f"The first {listed} by title."
    if quiet and listed:
        return "The ones with news this week."
    return ""


def _table_note(busy, quiet):
    if busy and quiet:
        return (
            f"{plural(busy, 'more partnership')} with news and {plural(quiet, 'quiet one')} "
            "you follow are not listed."
        )
    if busy:
        verb = "is" if busy == 1 else "are"
        return f"{plural(busy, 'more partnership')} you follow {verb} not listed."
    if quiet:
        return (
            f"{plural(quiet, 'partnership')} you follow had nothing new this week and "
            f"{'is' if quiet == 1 else 'are'} not listed."
        )
    return ""
