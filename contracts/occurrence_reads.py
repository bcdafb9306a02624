"""Occurrences worked out in SQL for many obligations at once, beside their plain references.

The selectors list an obligation's occurrences in Python from its first due date; for the
digest of an executive (~3,000 obligations, ~30,000 due dates since they began) that was most of
its build: every obligation read as a model with its kept dates aggregated, then each due date
walked from the first. Here the database does it from the dates' arithmetic alone: the n-th
due date is ``first_due + n * step months`` (PostgreSQL clamps to the month's last day as
``occurrences.add_months`` does), so how many fell due by a day, and whether a kept date is one
of them, are a division and a comparison; no due date is generated one by one.

``tests/contracts/test_occurrence_reads.py`` holds each query equal to its reference.
"""

from datetime import date, timedelta
from typing import NamedTuple

from django.contrib.auth import get_user_model

from partnerships.later import Later, Raw, deferrable
from partnerships.models import Partnership, Stage

from .models import Fulfilment, Obligation
from .occurrences import MONTHS_APART
from .selectors import (
    DUE_SOON_DAYS,
    due_within,
    open_occurrences,
    owned_open_occurrences,
    with_fulfilled,
)


class LateObligation(NamedTuple):
    """An obligation with due dates missed: the earliest of them and how many."""

    pk: int
    partnership_id: int
    partnership__title: str
    description: str
    party: str
    owner: str  # the owner's full name ("" if they gave none), None when there is no owner
    due_date: object  # the earliest missed due date
    count: int


def _month(day):
    """A date's month as a number of months, so two of them subtract."""
    # date_part, not EXTRACT: its numeric result costs ~4x as much over 30,000 kept dates.
    return f"(date_part('year', {day})::int * 12 + date_part('month', {day})::int)"


def _nth(n):
    """The n-th due date of obligation ``o`` (``o.step`` months apart)."""
    return f"(o.first_due + make_interval(months => ({n}) * o.step))::date"


_STEP = "CASE o.recurrence " + " ".join(
    f"WHEN '{recurrence}' THEN {months}" for recurrence, months in MONTHS_APART.items()
)
_STEP += " ELSE 0 END"  # one-off: its only due date is the first (n = 0)


def _earliest_open_sql(where, columns):
    """Active obligations ``where`` (over ``o``), each with a due date up to ``%(last)s`` not
    kept: ``columns`` of them (over ``o``, its partnership ``p`` and owner ``u``), where
    ``o.earliest`` is the first such due date and ``o.open`` how many there are."""
    o, f, p, u = (
        Obligation._meta.db_table,
        Fulfilment._meta.db_table,
        Partnership._meta.db_table,
        get_user_model()._meta.db_table,
    )
    last = f"{_month('o.last')} - {_month('o.first_due')}"
    # The index of a kept date among the due dates, for the kept dates that are due dates: the
    # number of steps nearest its distance in days (due dates are 28 days apart or more, and
    # n steps of months are n * 30.44 days within 5), then checked. In float8: a numeric
    # division and round over an executive's ~28,000 kept dates cost about half the statement
    # (92 -> 47 ms); a half-way tie is 15 days from any due date, so no rounding decides.
    nearest = "round((f.due_date - o.first_due) / (30.436875::float8 * GREATEST(o.step, 1)))::int"
    kept = f"""
        SELECT {nearest}
        FROM {f} f
        WHERE f.obligation_id = o.id AND f.due_date BETWEEN o.first_due AND o.last
          AND {_nth(nearest)} = f.due_date
    """
    # Due dates by o.last: n = 0 .. m, the m-th only if its day of the month has come.
    due = f"""CASE WHEN o.step = 0 THEN 1
        ELSE ({last}) / o.step + ({_nth(f"({last}) / o.step")} <= o.last)::int END"""
    earliest = _nth(
        "(SELECT min(n) FROM unnest(0 || ARRAY(SELECT k + 1 FROM unnest(o.kept) k)) n "
        "WHERE n <> ALL(o.kept))"
    )
    columns = columns.format(earliest=earliest, open="o.due - cardinality(o.kept)")
    return f"""
WITH o AS MATERIALIZED (
    SELECT o.id, o.partnership_id, o.description, o.party, o.owner_id, o.first_due,
           o.recurrence, LEAST(%(last)s::date, o.ends_on) AS last, {_STEP} AS step
    FROM {o} o
    WHERE {where} AND o.status = %(active)s AND o.first_due <= %(last)s
), counted AS MATERIALIZED (
    SELECT o.*, {due} AS due, ARRAY({kept}) AS kept
    FROM o
)
SELECT {columns}
FROM counted o
JOIN {p} p ON p.id = o.partnership_id
LEFT JOIN {u} u ON u.id = o.owner_id
WHERE o.due > cardinality(o.kept)
"""


LATE_SQL = _earliest_open_sql(
    "o.partnership_id = ANY(%(ids)s::bigint[]) "
    "AND (%(not_owner)s::int IS NULL OR o.owner_id IS DISTINCT FROM %(not_owner)s)",
    "o.id, o.partnership_id, p.title, o.description, o.party, u.id IS NOT NULL AS has_owner, "
    "u.first_name, u.last_name, {earliest} AS due_date, {open} AS count",
)

OWNED_SQL = _earliest_open_sql(
    "o.owner_id = %(owner)s",
    "o.id, o.partnership_id, p.title AS partnership_title, o.description, o.party, "
    "o.recurrence, {earliest} AS due_date",
)


@deferrable
def late_obligations(partnership_ids, today, *, not_owned_by=None):
    """[LateObligation] of the active obligations of these partnerships with a due date before
    ``today`` not kept, except those ``not_owned_by`` owns; earliest missed first (one query,
    ``deferrable``)."""
    params = {
        "ids": sorted(partnership_ids),
        "last": today - timedelta(days=1),
        "active": Obligation.Status.ACTIVE,
        "not_owner": not_owned_by.pk if not_owned_by is not None else None,
    }

    def late(rows):
        found = [
            LateObligation(
                r["id"],
                r["partnership_id"],
                r["title"],
                r["description"],
                r["party"],
                f"{r['first_name']} {r['last_name']}".strip() if r["has_owner"] else None,
                r["due_date"],
                r["count"],
            )
            for r in rows
        ]
        return sorted(found, key=lambda r: (r.due_date, r.partnership__title, r.pk))

    return Later(Raw(LATE_SQL, params, {"due_date": date.fromisoformat}), late)


class OwnedOpen(NamedTuple):
    """One of a user's obligations with a due date not kept: the earliest such date."""

    obligation_id: int
    partnership_id: int
    partnership_title: str
    description: str
    party: str
    recurrence: str
    due_date: object


@deferrable
def owned_open(user, today):
    """[OwnedOpen] of the user's active obligations with a due date by ``today`` +
    ``DUE_SOON_DAYS`` not kept, by obligation (one query, ``deferrable``): what
    ``owned_open_reference`` finds by walking each obligation's due dates."""
    params = {
        "owner": user.pk,
        "last": today + timedelta(days=DUE_SOON_DAYS),
        "active": Obligation.Status.ACTIVE,
    }

    def rows_of(rows):
        return sorted((OwnedOpen(*row.values()) for row in rows), key=lambda r: r.obligation_id)

    return Later(Raw(OWNED_SQL, params, {"due_date": date.fromisoformat}), rows_of)


def owned_open_reference(user, today):
    """What ``owned_open`` gives, from ``selectors.owned_open_occurrences``."""
    rows = [
        OwnedOpen(
            o.obligation.pk,
            o.obligation.partnership_id,
            o.obligation.partnership.title,
            o.obligation.description,
            o.obligation.party,
            o.obligation.recurrence,
            o.due_date,
        )
        for o in owned_open_occurrences(user, today)
    ]
    return sorted(rows, key=lambda r: r.obligation_id)


def late_obligations_reference(partnership_ids, today, *, not_owned_by=None):
    """What ``late_obligations`` gives, each obligation's due dates walked in Python."""
    obligations = Obligation.objects.filter(
        partnership_id__in=list(partnership_ids),
        status=Obligation.Status.ACTIVE,
        first_due__lt=today,
    )
    if not_owned_by is not None:
        obligations = obligations.exclude(owner=not_owned_by)
    rows = []
    for obligation in with_fulfilled(obligations.select_related("partnership", "owner")):
        late = [o for o in open_occurrences(obligation, today) if o.is_overdue(today)]
        if late:
            owner = obligation.owner
            rows.append(
                LateObligation(
                    obligation.pk,
                    obligation.partnership_id,
                    obligation.partnership.title,
                    obligation.description,
                    obligation.party,
                    owner.get_full_name() if owner else None,
                    late[0].due_date,
                    len(late),
                )
            )
    return sorted(rows, key=lambda r: (r.due_date, r.partnership__title, r.pk))


class DueOccurrence(NamedTuple):
    """An obligation's due date not kept yet, and what a reminder of it says."""

    obligation_id: int
    partnership_id: int
    partnership__title: str
    description: str
    party: str
    owner_id: int | None
    due_date: object


def _due_sql():
    o, f, p = Obligation._meta.db_table, Fulfilment._meta.db_table, Partnership._meta.db_table
    # The due dates from the one in today's month (or the first) on, a few months' worth.
    first = f"GREATEST(0, ({_month('%(today)s::date')} - {_month('o.first_due')}) / o.step)"
    return f"""
SELECT o.id, o.partnership_id, p.title, o.description, o.party, o.owner_id, d.day
FROM (
    SELECT o.*, {_STEP} AS step
    FROM {o} o
    WHERE o.status = %(active)s AND (o.ends_on IS NULL OR o.ends_on >= %(today)s)
      AND o.first_due <= %(until)s
      AND (%(ids)s::bigint[] IS NULL OR o.partnership_id = ANY(%(ids)s::bigint[]))
) o
JOIN {p} p ON p.id = o.partnership_id AND p.stage <> %(ended)s
CROSS JOIN generate_series(0, %(months)s) j
CROSS JOIN LATERAL (
    SELECT CASE WHEN o.step = 0 THEN o.first_due ELSE {_nth(f"{first} + j")} END AS day
) d
WHERE (o.step > 0 OR j = 0)
  AND d.day BETWEEN %(today)s AND %(until)s AND d.day <= COALESCE(o.ends_on, d.day)
  AND NOT EXISTS (
      SELECT 1 FROM {f} f WHERE f.obligation_id = o.id AND f.due_date = d.day
  )
"""


DUE_SQL = _due_sql()


@deferrable
def due_occurrences(today, days, *, partnership_ids=None):
    """[DueOccurrence] of every open occurrence due from ``today`` to ``today`` + ``days``, over
    the portfolio or these partnerships, soonest first (one query, ``deferrable``)."""
    until = today + timedelta(days=days)
    params = {
        "today": today,
        "until": until,
        # Due dates at least a month apart: one per month from today's to the last one's.
        "months": (until.year - today.year) * 12 + until.month - today.month,
        "active": Obligation.Status.ACTIVE,
        "ended": Stage.ENDED,
        "ids": sorted(partnership_ids) if partnership_ids is not None else None,
    }

    def occurrences(rows):
        found = [DueOccurrence(*row.values()) for row in rows]
        return sorted(found, key=lambda r: (r.due_date, r.obligation_id))

    return Later(Raw(DUE_SQL, params, {"day": date.fromisoformat}), occurrences)


def due_occurrences_reference(today, days, *, partnership_ids=None):
    """What ``due_occurrences`` gives, from ``selectors.due_within``."""
    rows = [
        DueOccurrence(
            o.obligation.pk,
            o.obligation.partnership_id,
            o.obligation.partnership.title,
            o.obligation.description,
            o.obligation.party,
            o.obligation.owner_id,
            o.due_date,
        )
        for o in due_within(today, days, partnership_ids=partnership_ids)
    ]
    return sorted(rows, key=lambda r: (r.due_date, r.obligation_id))
